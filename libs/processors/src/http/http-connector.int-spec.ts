import { IncomingHttpHeaders, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { AuthorizationRequest, ProcessorProfile } from '../connector';
import { SIGNATURE_HEADER, verifySignature } from '../payload-signature';
import { HttpConnector } from './http-connector';

interface ReceivedRequest {
  method?: string;
  path?: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const SECRET = 'proc_secret_do_not_leak';
const NOW = new Date('2024-05-01T12:00:00Z');
const connector = new HttpConnector({ now: () => NOW });

const request: AuthorizationRequest = {
  paymentId: 'pay_stg_1',
  amount: 1999,
  currency: 'USD',
  card: { network: 'visa', bin: '424242', last4: '4242', token: 'tok_1' },
};
const options = { idempotencyKey: 'pay_stg_1:1', timeoutMs: 2000, optimized: false };

let server: Server;
let baseUrl: string;
let received: ReceivedRequest[];
/** How the test processor answers the next request; `undefined` leaves it hanging. */
let reply: ((res: ServerResponse) => void) | undefined;

const json = (status: number, body: unknown) => (res: ServerResponse) => {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
};

const profile = (path = '/authorize'): ProcessorProfile => ({
  id: 'proc_stg_http',
  accountId: 'acc_stg_test',
  connector: 'http',
  timeoutMs: 2000,
  http: { url: `${baseUrl}${path}?api_key=${SECRET}`, secret: SECRET },
});

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ method: req.method, path: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      reply?.(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

beforeEach(() => {
  received = [];
  reply = json(200, { outcome: 'approved', auth_code: 'A1B2C3' });
});

// Connections stay open between tests: closing them would race fetch's reuse of kept-alive sockets.
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('HttpConnector', () => {
  it('approves with the auth code the processor gives', async () => {
    const result = await connector.authorize(profile(), request, options);

    expect(result).toEqual({ outcome: 'approved', authCode: 'A1B2C3', durationMs: expect.any(Number) });
  });

  it('declines with the code the processor gives', async () => {
    reply = json(200, { outcome: 'declined', code: '51' });

    expect(await connector.authorize(profile(), request, options)).toEqual({ outcome: 'declined', code: '51', durationMs: expect.any(Number) });
  });

  it('POSTs JSON with the Idempotency-Key header', async () => {
    await connector.authorize(profile(), request, options);

    expect(received).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: `/authorize?api_key=${SECRET}`,
        headers: expect.objectContaining({ 'content-type': 'application/json', 'idempotency-key': 'pay_stg_1:1' }),
      }),
    ]);
  });

  it('sends amount, currency, the card summary and the optimized flag, and no card number', async () => {
    const withPan = { ...request, card: { ...request.card, number: '4242424242424242', cvc: '123' } };
    await connector.authorize(profile(), withPan, { ...options, optimized: true });

    const [{ body }] = received as [ReceivedRequest];
    expect(JSON.parse(body)).toEqual({
      amount: 1999,
      currency: 'USD',
      card: { network: 'visa', bin: '424242', last4: '4242', token: 'tok_1' },
      optimized: true,
    });
    expect(body).not.toContain('4242424242424242');
  });

  it('signs the body so that the signature verifies with the secret only', async () => {
    await connector.authorize(profile(), request, options);

    const [{ body, headers }] = received as [ReceivedRequest];
    const signature = headers[SIGNATURE_HEADER.toLowerCase()];
    expect(signature).toMatch(/^t=1714564800,v1=[0-9a-f]{64}$/);
    expect(verifySignature(SECRET, body, signature as string, { nowSeconds: NOW.getTime() / 1000 })).toBe(true);
    expect(verifySignature('another_secret', body, signature as string, { nowSeconds: NOW.getTime() / 1000 })).toBe(false);
  });

  it('answers timeout when the processor sends nothing within the timeout', async () => {
    reply = undefined;

    const result = await connector.authorize(profile(), request, { ...options, timeoutMs: 150 });

    expect(result.outcome).toBe('timeout');
    expect(result.durationMs).toBeGreaterThanOrEqual(140);
    expect(result.durationMs).toBeLessThan(1500);
  });

  it('answers timeout when the body does not finish within the timeout', async () => {
    reply = (res) => res.writeHead(200, { 'Content-Type': 'application/json' }).write('{"outcome":');

    expect((await connector.authorize(profile(), request, { ...options, timeoutMs: 150 })).outcome).toBe('timeout');
  });

  it('answers error for a 500 without putting the secret in the message', async () => {
    reply = json(500, { outcome: 'approved', echo: SECRET });

    const result = await connector.authorize(profile(), request, options);

    expect(result).toMatchObject({ outcome: 'error', message: expect.stringContaining('500') });
    expect(JSON.stringify(result)).not.toContain(SECRET);
  });

  it('answers error for a redirect instead of following it', async () => {
    reply = (res) => res.writeHead(307, { Location: `${baseUrl}/elsewhere` }).end();

    expect(await connector.authorize(profile(), request, options)).toMatchObject({ outcome: 'error' });
    expect(received.map((r) => r.path)).toEqual([`/authorize?api_key=${SECRET}`]);
  });

  it.each([
    ['text that is not JSON', (res: ServerResponse) => res.writeHead(200).end('approved')],
    ['JSON without a known outcome', json(200, { outcome: 'ok' })],
    ['a code that is not a string', json(200, { outcome: 'declined', code: 51 })],
  ])('answers error for a 2xx with %s', async (_, malformed) => {
    reply = malformed;

    expect(await connector.authorize(profile(), request, options)).toMatchObject({ outcome: 'error', message: expect.any(String) });
  });

  it('answers error when the connection is refused, naming neither the url nor the secret', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const result = await connector.authorize({ ...profile(), http: { url: `http://127.0.0.1:${port}/x?api_key=${SECRET}`, secret: SECRET } }, request, options);

    expect(result).toMatchObject({ outcome: 'error', message: expect.stringContaining('ECONNREFUSED') });
    expect(result.message).not.toContain(String(port));
    expect(result.message).not.toContain(SECRET);
  });

  it('answers error for a processor without http settings', async () => {
    expect(await connector.authorize({ ...profile(), http: undefined }, request, options)).toMatchObject({ outcome: 'error' });
  });
});
