import { Server, createServer } from 'node:http';
import { AddressInfo, connect } from 'node:net';
import { answerClientError } from './client-error';

/** Sends raw bytes and reads everything the server writes until it closes the connection. */
function exchange(server: Server, raw: string): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect((server.address() as AddressInfo).port, '127.0.0.1', () => socket.end(raw));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head, body] = Buffer.concat(chunks).toString('utf8').split('\r\n\r\n');
      const [statusLine, ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
    });
  });
}

describe('answerClientError', () => {
  let server: Server;

  beforeAll(async () => {
    server = createServer((_request, response) => response.end('ok'));
    server.on('clientError', answerClientError);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  // Found by the OpenAPI fuzz suite: an 18 KB Idempotency-Key got Node's bare 431, without a body or a request id.
  it('answers headers larger than Node reads with 431 problem details carrying a request id', async () => {
    const res = await exchange(server, `GET /v1/payments/4242424242424242?x=1 HTTP/1.1\r\nHost: x\r\nIdempotency-Key: ${'k'.repeat(20_000)}\r\n\r\n`);

    expect(res.status).toBe(431);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(JSON.parse(res.body)).toEqual({
      type: 'about:blank',
      title: 'Request Header Fields Too Large',
      status: 431,
      detail: expect.stringContaining('larger than'),
      instance: '/v1/payments/****4242',
      request_id: res.headers['x-request-id'],
    });
    expect(res.headers['x-request-id']).toMatch(/^req_[A-Za-z0-9]{24}$/);
  });

  it('answers a request that is not HTTP with 400 problem details', async () => {
    const res = await exchange(server, 'HELLO\r\n\r\n');
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ type: 'https://docs.payments.example/errors/bad-request', status: 400, request_id: res.headers['x-request-id'] });
  });
});
