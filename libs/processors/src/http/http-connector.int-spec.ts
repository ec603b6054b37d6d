import { IncomingHttpHeaders, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { AuthorizationRequest, OperationResult, ProcessorProfile } from '../connector';
import { SIGNATURE_HEADER, verifySignature } from '../payload-signature';
import { HttpConnector } from './http-connector';
import { randomBytes } from 'node:crypto';
// The service's keyring, so the connector is tested opening a secret as the events store it.
import { SecretsKeyring } from '../../../orchestration/src/secrets/secrets-keyring';

interface ReceivedRequest {
  method?: string;
  path?: string;
  headers: IncomingHttpHeaders;
  body: string;
}

const SECRET = 'proc_secret_do_not_leak';
const NOW = new Date('2024-05-01T12:00:00Z');
const keyring = new SecretsKeyring(randomBytes(32));
/** SECRET as the processor's events hold it: sealed for its stream. */
const SEALED = keyring.seal(SECRET, 'processor-proc_stg_http');
const connector = new HttpConnector(keyring, { now: () => NOW });

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
  http: { url: `${baseUrl}${path}?api_key=${SECRET}`, secret: SEALED },
});

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  return port;
}

const nowSeconds = NOW.getTime() / 1000;

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

describe('HttpConnector authorize', () => {
  it('approves with the auth code the processor gives, certainly', async () => {
    const result = await connector.authorize(profile(), request, options);

    expect(result).toEqual({ outcome: 'approved', uncertain: false, authCode: 'A1B2C3', durationMs: expect.any(Number) });
  });

  it('declines with the code the processor gives', async () => {
    reply = json(200, { outcome: 'declined', code: '51' });

    expect(await connector.authorize(profile(), request, options)).toEqual({ outcome: 'declined', uncertain: false, code: '51', durationMs: expect.any(Number) });
  });

  it('POSTs JSON to the url as configured, with the Idempotency-Key header', async () => {
    await connector.authorize(profile(), request, options);

    expect(received).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: `/authorize?api_key=${SECRET}`,
        headers: expect.objectContaining({ 'content-type': 'application/json', 'idempotency-key': 'pay_stg_1:1' }),
      }),
    ]);
  });

  it('sends amount, currency, the card summary, the optimized flag and the capture method, and no card number', async () => {
    const withPan = { ...request, card: { ...request.card, number: '4242424242424242', cvc: '123' } };
    await connector.authorize(profile(), withPan, { ...options, optimized: true });
    await connector.authorize(profile(), request, { ...options, captureMethod: 'manual' });

    const [automatic, manual] = received as [ReceivedRequest, ReceivedRequest];
    expect(JSON.parse(automatic.body)).toEqual({
      amount: 1999,
      currency: 'USD',
      card: { network: 'visa', bin: '424242', last4: '4242', token: 'tok_1' },
      optimized: true,
      capture_method: 'automatic',
    });
    expect(automatic.body).not.toContain('4242424242424242');
    expect(JSON.parse(manual.body)).toMatchObject({ optimized: false, capture_method: 'manual' });
  });

  it('signs the body so that the signature verifies with the secret only', async () => {
    await connector.authorize(profile(), request, options);

    const [{ body, headers }] = received as [ReceivedRequest];
    const signature = headers[SIGNATURE_HEADER.toLowerCase()];
    expect(signature).toMatch(/^t=1714564800,v1=[0-9a-f]{64}$/);
    expect(verifySignature(SECRET, body, signature as string, { nowSeconds })).toBe(true);
    expect(verifySignature('another_secret', body, signature as string, { nowSeconds })).toBe(false);
  });

  it('answers an uncertain timeout when the processor sends nothing within the timeout', async () => {
    reply = undefined;

    const result = await connector.authorize(profile(), request, { ...options, timeoutMs: 150 });

    expect(result).toMatchObject({ outcome: 'timeout', uncertain: true, message: 'the processor did not answer within 150 ms' });
    expect(result.durationMs).toBeGreaterThanOrEqual(140);
    expect(result.durationMs).toBeLessThan(1500);
  });

  it('answers an uncertain timeout when the body does not finish within the timeout', async () => {
    reply = (res) => res.writeHead(200, { 'Content-Type': 'application/json' }).write('{"outcome":');

    expect(await connector.authorize(profile(), request, { ...options, timeoutMs: 150 })).toMatchObject({ outcome: 'timeout', uncertain: true });
  });

  it('answers an uncertain error for a 500 without putting the secret in the message', async () => {
    reply = json(500, { outcome: 'approved', echo: SECRET });

    const result = await connector.authorize(profile(), request, options);

    expect(result).toMatchObject({ outcome: 'error', uncertain: true, message: 'the processor answered HTTP 500' });
    expect(JSON.stringify(result)).not.toContain(SECRET);
  });

  it.each([502, 503, 408, 409, 425, 429])('answers an uncertain error for HTTP %d, which may hide or precede a charge', async (status) => {
    reply = json(status, { error: 'later' });

    expect(await connector.authorize(profile(), request, options)).toMatchObject({ outcome: 'error', uncertain: true, message: `the processor answered HTTP ${status}` });
  });

  it.each([400, 401, 403, 404, 422])('answers a certain error for HTTP %d, a refusal', async (status) => {
    reply = json(status, { error: 'no' });

    expect(await connector.authorize(profile(), request, options)).toMatchObject({ outcome: 'error', uncertain: false, message: `the processor answered HTTP ${status}` });
  });

  it('answers a certain error for a redirect instead of following it', async () => {
    reply = (res) => res.writeHead(307, { Location: `${baseUrl}/elsewhere` }).end();

    expect(await connector.authorize(profile(), request, options)).toMatchObject({ outcome: 'error', uncertain: false, message: expect.stringContaining('redirect') });
    expect(received.map((r) => r.path)).toEqual([`/authorize?api_key=${SECRET}`]);
  });

  it.each([
    ['text that is not JSON', (res: ServerResponse) => res.writeHead(200).end('approved')],
    ['JSON without a known outcome', json(200, { outcome: 'ok' })],
    ['a code that is not a string', json(200, { outcome: 'declined', code: 51 })],
  ])('answers an uncertain error for a 2xx with %s', async (_, malformed) => {
    reply = malformed;

    expect(await connector.authorize(profile(), request, options)).toMatchObject({ outcome: 'error', uncertain: true, message: expect.any(String) });
  });

  it('takes a processor that answers timeout as uncertain, and one that answers error at its word', async () => {
    reply = json(200, { outcome: 'timeout' });
    expect(await connector.authorize(profile(), request, options)).toMatchObject({ outcome: 'timeout', uncertain: true });

    reply = json(200, { outcome: 'error', code: '96' });
    expect(await connector.authorize(profile(), request, options)).toMatchObject({ outcome: 'error', uncertain: false, code: '96' });
  });

  it('answers an uncertain error when the connection is refused, naming neither the url nor the secret', async () => {
    const port = await closedPort();

    const result = await connector.authorize({ ...profile(), http: { url: `http://127.0.0.1:${port}/x?api_key=${SECRET}`, secret: SEALED } }, request, options);

    expect(result).toMatchObject({ outcome: 'error', uncertain: true, message: 'could not reach the processor (ECONNREFUSED)' });
    expect(result.message).not.toContain(String(port));
    expect(result.message).not.toContain(SECRET);
  });

  it('answers a certain error for a processor without http settings', async () => {
    expect(await connector.authorize({ ...profile(), http: undefined }, request, options)).toMatchObject({ outcome: 'error', uncertain: false });
  });

  it('sends nothing and answers a certain error when the secret is sealed under a key it lacks, or for another processor', async () => {
    const otherKey = new SecretsKeyring(randomBytes(32)).seal(SECRET, 'processor-proc_stg_http');
    const otherProcessor = keyring.seal(SECRET, 'processor-proc_stg_other');

    for (const secret of [otherKey, otherProcessor]) {
      const result = await connector.authorize({ ...profile(), http: { url: `${baseUrl}/authorize`, secret } }, request, options);
      expect(result).toMatchObject({ outcome: 'error', uncertain: false, message: expect.stringMatching(/^cannot sign: the secret of processor-proc_stg_http /) });
    }
    expect(received).toEqual([]);
  });
});

const operationOptions = { idempotencyKey: 'pay_stg_1:op:1', timeoutMs: 2000 };

describe.each([
  {
    operation: 'capture',
    path: 'captures',
    call: (processor: ProcessorProfile, timeoutMs = 2000) =>
      connector.capture(processor, { authorizationKey: 'pay_stg_1:0:1', authCode: 'A1B2C3', amount: 1500, currency: 'USD' }, { ...operationOptions, timeoutMs }),
    body: { authorization_key: 'pay_stg_1:0:1', auth_code: 'A1B2C3', amount: 1500, currency: 'USD' },
  },
  {
    operation: 'void',
    path: 'voids',
    call: (processor: ProcessorProfile, timeoutMs = 2000) => connector.void(processor, { authorizationKey: 'pay_stg_1:0:1' }, { ...operationOptions, timeoutMs }),
    body: { authorization_key: 'pay_stg_1:0:1', auth_code: null },
  },
  {
    operation: 'refund',
    path: 'refunds',
    call: (processor: ProcessorProfile, timeoutMs = 2000) =>
      connector.refund(processor, { authorizationKey: 'pay_stg_1:0:1', amount: 500, currency: 'USD' }, { ...operationOptions, timeoutMs }),
    body: { authorization_key: 'pay_stg_1:0:1', amount: 500, currency: 'USD' },
  },
])('HttpConnector $operation', ({ path, call, body }) => {
  beforeEach(() => {
    reply = json(200, { outcome: 'succeeded' });
  });

  it(`POSTs its JSON to <url>/${path}, keeping the url's query, with the Idempotency-Key header`, async () => {
    expect(await call(profile())).toEqual({ outcome: 'succeeded', durationMs: expect.any(Number) });

    expect(received).toEqual([
      {
        method: 'POST',
        path: `/authorize/${path}?api_key=${SECRET}`,
        headers: expect.objectContaining({ 'content-type': 'application/json', accept: 'application/json', 'idempotency-key': 'pay_stg_1:op:1' }),
        body: expect.any(String),
      },
    ]);
    expect(JSON.parse(received[0]!.body)).toEqual(body);
  });

  it('signs the body like an authorization', async () => {
    await call(profile());

    const [{ body: sent, headers }] = received as [ReceivedRequest];
    const signature = headers[SIGNATURE_HEADER.toLowerCase()] as string;
    expect(signature).toMatch(/^t=1714564800,v1=[0-9a-f]{64}$/);
    expect(verifySignature(SECRET, sent, signature, { nowSeconds })).toBe(true);
    expect(verifySignature('another_secret', sent, signature, { nowSeconds })).toBe(false);
  });

  it.each(['/authorize/', '/authorize//', ''])('finds the endpoint below a base url %j as well', async (base) => {
    await call(profile(base));

    expect(received.map((r) => r.path)).toEqual([`${base.replace(/\/+$/, '')}/${path}?api_key=${SECRET}`]);
  });

  it('answers a failure with the code the processor gives', async () => {
    reply = json(200, { outcome: 'failed', code: 'already_captured' });

    expect(await call(profile())).toEqual({ outcome: 'failed', code: 'already_captured', durationMs: expect.any(Number) });
  });

  it.each([
    [400, { code: 'amount_exceeds_captured' }, 'amount_exceeds_captured'],
    [404, 'Not Found', 'http_404'],
    [422, { message: 'no code here' }, 'http_422'],
  ])('answers a definite failure for HTTP %d, with the code of its body or the status', async (status, answer, code) => {
    reply = typeof answer === 'string' ? (res) => res.writeHead(status).end(answer) : json(status, answer);

    expect(await call(profile())).toEqual({ outcome: 'failed', code, message: `the processor answered HTTP ${status}`, durationMs: expect.any(Number) });
  });

  it.each([500, 503, 409, 429])('answers unknown for HTTP %d', async (status) => {
    reply = json(status, { code: 'later' });

    expect(await call(profile())).toEqual({ outcome: 'unknown', message: `the processor answered HTTP ${status}`, durationMs: expect.any(Number) });
  });

  it('answers unknown when the processor sends nothing within the timeout', async () => {
    reply = undefined;

    const result = await call(profile(), 150);

    expect(result).toMatchObject({ outcome: 'unknown', message: 'the processor did not answer within 150 ms' });
    expect(result.durationMs).toBeLessThan(1500);
  });

  it('answers unknown when the connection is refused, naming neither the url nor the secret', async () => {
    const port = await closedPort();

    const result = (await call({ ...profile(), http: { url: `http://127.0.0.1:${port}/x?api_key=${SECRET}`, secret: SEALED } })) as Extract<OperationResult, { outcome: 'unknown' }>;

    expect(result).toMatchObject({ outcome: 'unknown', message: 'could not reach the processor (ECONNREFUSED)' });
    expect(result.message).not.toContain(String(port));
  });

  it.each([
    ['text that is not JSON', (res: ServerResponse) => res.writeHead(200).end('ok')],
    ['an authorization answer', json(200, { outcome: 'approved' })],
    ['a code that is not a string', json(200, { outcome: 'failed', code: 7 })],
  ])('answers unknown for a 2xx with %s', async (_, unreadable) => {
    reply = unreadable;

    expect(await call(profile())).toMatchObject({ outcome: 'unknown', message: expect.stringContaining(`not a ${path} response`) });
  });

  it('answers a definite failure for a processor without http settings, sending nothing', async () => {
    expect(await call({ ...profile(), http: undefined })).toMatchObject({ outcome: 'failed', code: 'not_configured' });
    expect(received).toEqual([]);
  });
});

describe('HttpConnector status', () => {
  const ask = (processor = profile(), key = 'pay_stg_1:0:1', timeoutMs = 2000) => connector.status(processor, key, { timeoutMs });

  it('GETs <url>/authorizations/<key> with the key encoded, no body and no Idempotency-Key', async () => {
    reply = json(200, { outcome: 'approved', auth_code: 'A1B2C3' });

    await ask();

    expect(received).toEqual([
      {
        method: 'GET',
        path: `/authorize/authorizations/pay_stg_1%3A0%3A1?api_key=${SECRET}`,
        headers: expect.objectContaining({ accept: 'application/json' }),
        body: '',
      },
    ]);
    expect(received[0]!.headers).not.toHaveProperty('idempotency-key');
    expect(received[0]!.headers).not.toHaveProperty('content-type');
  });

  it('signs "GET /authorizations/<key>" with the key as it is, so a signature opens no other key', async () => {
    await ask();

    const signature = received[0]!.headers[SIGNATURE_HEADER.toLowerCase()] as string;
    expect(verifySignature(SECRET, 'GET /authorizations/pay_stg_1:0:1', signature, { nowSeconds })).toBe(true);
    expect(verifySignature(SECRET, 'GET /authorizations/pay_stg_1:0:2', signature, { nowSeconds })).toBe(false);
    expect(verifySignature(SECRET, '', signature, { nowSeconds })).toBe(false);
  });

  it('finds the endpoint below a base url with a trailing slash as well', async () => {
    await ask(profile('/authorize/'));

    expect(received.map((r) => r.path)).toEqual([`/authorize/authorizations/pay_stg_1%3A0%3A1?api_key=${SECRET}`]);
  });

  it('answers an approval with where it stands', async () => {
    reply = json(200, { outcome: 'approved', auth_code: 'A1B2C3', state: 'captured', captured_amount: 1999, refunded_amount: 500 });

    expect(await ask()).toEqual({ outcome: 'approved', authCode: 'A1B2C3', state: 'captured', capturedAmount: 1999, refundedAmount: 500, durationMs: expect.any(Number) });
  });

  it('answers an approval that says nothing of its state', async () => {
    reply = json(200, { outcome: 'approved' });

    expect(await ask()).toEqual({ outcome: 'approved', durationMs: expect.any(Number) });
  });

  it('answers a decline with its code', async () => {
    reply = json(200, { outcome: 'declined', code: '05' });

    expect(await ask()).toEqual({ outcome: 'declined', code: '05', durationMs: expect.any(Number) });
  });

  it.each([200, 404])('answers not_found when the processor answers %d saying it never saw the key', async (status) => {
    reply = json(status, { outcome: 'not_found' });

    expect(await ask()).toEqual({ outcome: 'not_found', durationMs: expect.any(Number) });
  });

  it('answers unknown for a 404 that does not say so, which may be a route the processor lacks', async () => {
    reply = (res) => res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Cannot GET');

    expect(await ask()).toEqual({ outcome: 'unknown', message: 'the processor answered HTTP 404', durationMs: expect.any(Number) });
  });

  it.each([500, 503, 401, 429])('answers unknown for HTTP %d', async (status) => {
    reply = json(status, { outcome: 'not_found' });

    expect(await ask()).toMatchObject({ outcome: 'unknown', message: `the processor answered HTTP ${status}` });
  });

  it.each([
    ['text that is not JSON', (res: ServerResponse) => res.writeHead(200).end('approved')],
    ['an unknown outcome', json(200, { outcome: 'pending' })],
    ['a state it does not know', json(200, { outcome: 'approved', state: 'settled' })],
  ])('answers unknown for a 2xx with %s', async (_, unreadable) => {
    reply = unreadable;

    expect(await ask()).toMatchObject({ outcome: 'unknown', message: 'the processor answered with a body that is not a status response' });
  });

  it('answers unknown when the processor sends nothing within the timeout', async () => {
    reply = undefined;

    expect(await ask(profile(), 'pay_stg_1:0:1', 150)).toMatchObject({ outcome: 'unknown', message: 'the processor did not answer within 150 ms' });
  });

  it('answers unknown when the connection is refused', async () => {
    const port = await closedPort();

    expect(await ask({ ...profile(), http: { url: `http://127.0.0.1:${port}/x`, secret: SEALED } })).toMatchObject({
      outcome: 'unknown',
      message: 'could not reach the processor (ECONNREFUSED)',
    });
  });

  it('answers unknown for a processor without http settings', async () => {
    expect(await ask({ ...profile(), http: undefined })).toMatchObject({ outcome: 'unknown' });
  });
});
