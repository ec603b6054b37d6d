import { mkdtempSync, rmSync } from 'node:fs';
import { Server as HttpServer, createServer as createHttpServer } from 'node:http';
import { AddressInfo, Server, Socket, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { card } from './support/payment-shop';
import { ServiceProcess, startServiceProcess } from './support/service-process';
import { ADMIN_TOKEN, bearer } from './support/test-app';

/** The http processors' timeout: short, so each payment waits for it a moment only. */
const TIMEOUT_MS = 400;
/** The slow processor's pace: a byte of its answer at a time, so the whole answer would take far longer than the timeout. */
const BYTE_EVERY_MS = 100;

interface Attempt {
  processor_id: string;
  outcome: string | null;
  reason: string | null;
  resolution: string | null;
}

/**
 * Processors that take the connection and then fail to answer, behind the http connector of the
 * real service process: the attempt must end as an uncertain timeout (it may have charged) and
 * the cascade go on to the next processor of the route.
 */
describe('processors that hold the connection without a usable answer', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'faults-processors-'));
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let silent: Server;
  let slow: HttpServer;
  let service: ServiceProcess;
  let shop: { secret: string; approving: string; price: string };

  beforeAll(async () => {
    // Accepts the connection and reads the request, and never writes a byte.
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    // Sends its headers and then its 200 body one byte per BYTE_EVERY_MS.
    slow = createHttpServer((_req, res) => {
      sockets.add(res.socket!);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const body = Buffer.from(JSON.stringify({ outcome: 'approved', code: '00', auth_code: 'SLOW01' }));
      let sent = 0;
      const timer = setInterval(() => {
        if (sent === body.length || res.destroyed) {
          clearInterval(timer);
          timers.delete(timer);
          if (!res.destroyed) res.end();
          return;
        }
        res.write(body.subarray(sent, ++sent));
      }, BYTE_EVERY_MS);
      timers.add(timer);
    });
    await Promise.all([silent, slow].map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))));
    // The resolver's first status question is held back, so the attempts stay as the cascade left them.
    service = await startServiceProcess({ DATA_DIR: dataDir, PAYMENTS_SANDBOX: 'false', ADMIN_TOKEN, LOG_LEVEL: 'warn', ATTEMPT_RESOLUTION_DELAY: '1h' });
    shop = await openShop(service);
  });

  afterAll(async () => {
    await service?.kill();
    timers.forEach(clearInterval);
    sockets.forEach((socket) => socket.destroy());
    await Promise.all([silent, slow].map((server) => new Promise((resolve) => server?.close(resolve))));
    rmSync(dataDir, { recursive: true, force: true });
  });

  const urlOf = (server: Server | HttpServer) => `http://127.0.0.1:${(server.address() as AddressInfo).port}/authorize`;

  async function payThrough(url: string): Promise<{ status: string; attempts: Attempt[]; processor: string }> {
    const create = async (path: string, body: object): Promise<string> => (await service.http().post(path).set(bearer(shop.secret)).send(body).expect(201)).body.id;
    const processor = await create('/v1/processors', { name: 'Gateway', connector: 'http', timeout_ms: TIMEOUT_MS, http: { url, secret: 'proc_secret_0123456789' } });
    const route = await create('/v1/processor-routes', { name: 'Gateway then approving', processors: [{ processor_id: processor }, { processor_id: shop.approving }] });
    const session = await create('/v1/checkout/sessions', { line_items: [{ price_id: shop.price, quantity: 1 }], processor_route_id: route, success_url: 'https://shop.example/ok' });
    const paid = await service.http().post(`/v1/checkout/sessions/${session}/pay`).set(bearer(shop.secret)).send({ payment_method: card() }).expect(201);
    return { ...paid.body, processor };
  }

  it('times out as unknown a processor that accepts the connection and never answers, and approves on the next one', async () => {
    const payment = await payThrough(urlOf(silent));

    expect(payment.status).toBe('succeeded');
    expect(payment.attempts).toMatchObject([
      { processor_id: payment.processor, outcome: 'timeout', reason: `the processor did not answer within ${TIMEOUT_MS} ms`, resolution: 'unresolved' },
      { processor_id: shop.approving, outcome: 'approved', resolution: null },
    ]);
  });

  it('times out as unknown a processor that answers byte by byte, slower than the timeout, and approves on the next one', async () => {
    const payment = await payThrough(urlOf(slow));

    expect(payment.status).toBe('succeeded');
    expect(payment.attempts).toMatchObject([
      // Headers came at once, but an answer is the whole body: the timeout covers it.
      { processor_id: payment.processor, outcome: 'timeout', reason: `the processor did not answer within ${TIMEOUT_MS} ms`, resolution: 'unresolved' },
      { processor_id: shop.approving, outcome: 'approved', resolution: null },
    ]);
  });
});

async function openShop(service: ServiceProcess): Promise<{ secret: string; approving: string; price: string }> {
  const account = await service.http().post('/v1/accounts').set(bearer(ADMIN_TOKEN)).send({ name: 'Processor fault shop' }).expect(201);
  const secret: string = account.body.secret_token;
  const create = async (path: string, body: object): Promise<string> => (await service.http().post(path).set(bearer(secret)).send(body).expect(201)).body.id;
  const approving = await create('/v1/processors', { name: 'Approving', connector: 'simulator', simulator: { outcome: 'approve' } });
  const product = await create('/v1/products', { name: 'Plan' });
  const price = await create('/v1/prices', { product_id: product, unit_amount: 2500, currency: 'USD' });
  return { secret, approving, price };
}
