import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { WebhookSender } from './webhook-sender';

describe('WebhookSender against a real HTTP server', () => {
  let server: Server;
  let url: string;
  let handle: (request: IncomingMessage, response: ServerResponse) => void;
  const requests: { headers: IncomingMessage['headers']; body: string; path: string }[] = [];
  const senders: WebhookSender[] = [];
  const sender = (options: ConstructorParameters<typeof WebhookSender>[0]) => {
    const made = new WebhookSender(options);
    senders.push(made);
    return made;
  };
  const never = new AbortController().signal;

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        requests.push({ headers: request.headers, body: Buffer.concat(chunks).toString(), path: request.url ?? '' });
        handle(request, response);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks?token=merchant-secret`;
  });
  afterEach(() => (requests.length = 0));
  afterAll(async () => {
    await Promise.all(senders.map((s) => s.close()));
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('POSTs the body as JSON with the signature header, and counts a 2xx', async () => {
    handle = (_, response) => response.writeHead(202).end('thanks');
    const answer = await sender({ publicAddressesOnly: false }).send(url, '{"id":"evt_1"}', 't=1,v1=ab', never);
    expect(answer).toEqual({ outcome: 'acknowledged', statusCode: 202, durationMs: expect.any(Number), error: null });
    expect(requests[0]).toMatchObject({ body: '{"id":"evt_1"}', path: '/hooks?token=merchant-secret' });
    expect(requests[0].headers).toMatchObject({ 'content-type': 'application/json', 'paymentkit-signature': 't=1,v1=ab' });
  });

  it('does not follow a redirect, and says so', async () => {
    handle = (_, response) => response.writeHead(302, { location: 'http://127.0.0.1:9/elsewhere' }).end();
    const answer = await sender({ publicAddressesOnly: false }).send(url, '{}', 't=1,v1=ab', never);
    expect(answer).toMatchObject({ outcome: 'http_error', statusCode: 302, error: 'redirects are not followed' });
    expect(requests).toHaveLength(1);
  });

  it('gives up on an answer that does not come within the timeout', async () => {
    handle = () => undefined;
    const started = Date.now();
    const answer = await sender({ publicAddressesOnly: false, timeoutMs: 300 }).send(url, '{}', 't=1,v1=ab', never);
    expect(answer).toMatchObject({ outcome: 'timeout', statusCode: null, error: 'no answer within 300 ms' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('reads only the start of a long answer body, within the timeout', async () => {
    handle = (_, response) => {
      response.writeHead(200);
      response.write('x'.repeat(64 * 1024));
      // The rest never comes: the sender must not wait for it.
    };
    const answer = await sender({ publicAddressesOnly: false, timeoutMs: 2000 }).send(url, '{}', 't=1,v1=ab', never);
    expect(answer).toMatchObject({ outcome: 'acknowledged', statusCode: 200 });
    expect(answer!.durationMs).toBeLessThan(1500);
  });

  it('names a refused connection by its code, never quoting the URL', async () => {
    const answer = await sender({ publicAddressesOnly: false }).send('http://127.0.0.1:9/hooks?token=merchant-secret', '{}', 't=1,v1=ab', never);
    expect(answer).toMatchObject({ outcome: 'unreachable', statusCode: null, error: 'could not connect (ECONNREFUSED)' });
  });

  it('with public addresses only, connects neither to a private IP nor to a name that resolves to one', async () => {
    handle = (_, response) => response.writeHead(200).end();
    const strict = sender({ publicAddressesOnly: true });
    const literal = await strict.send(url, '{}', 't=1,v1=ab', never);
    expect(literal).toMatchObject({ outcome: 'unreachable', error: expect.stringMatching(/private/) });
    const named = await strict.send(url.replace('127.0.0.1', 'localhost'), '{}', 't=1,v1=ab', never);
    expect(named).toMatchObject({ outcome: 'unreachable', error: expect.stringMatching(/resolves to a loopback, private or link-local address/) });
    expect(requests).toHaveLength(0);
  });

  it('answers nothing for a try cancelled by shutdown', async () => {
    handle = () => undefined;
    const cancel = new AbortController();
    const sending = sender({ publicAddressesOnly: false }).send(url, '{}', 't=1,v1=ab', cancel.signal);
    setTimeout(() => cancel.abort(), 100);
    expect(await sending).toBeUndefined();
  });
});
