import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Redis from 'ioredis';
import { card } from './support/payment-shop';
import { ServiceProcess, freePort, startServiceProcess } from './support/service-process';
import { ADMIN_TOKEN, bearer } from './support/test-app';

const WAIT_MS = 30_000;
const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;

/**
 * A private redis-server of the test's own, on a free port: the machine's shared Redis (6379)
 * serves other tests and is never stopped. Without persistence, as the brief for this fault
 * has it, so Redis comes back empty: the read models must be rebuilt from the event store.
 */
class PrivateRedis {
  private process: ChildProcess | undefined;

  private constructor(readonly port: number) {}

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.restart();
    return redis;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async restart(): Promise<void> {
    this.process = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], { stdio: 'ignore' });
    const client = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      for (const deadline = Date.now() + WAIT_MS; Date.now() < deadline; await sleep(50)) {
        if ((await client.connect().then(() => client.ping(), () => undefined)) === 'PONG') return;
      }
      throw new Error(`redis-server did not answer on port ${this.port}`);
    } finally {
      client.disconnect();
    }
  }

  /** SIGKILL, as a crash or a pulled cable: no goodbye to the clients. */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise((resolve) => child.once('exit', resolve).kill('SIGKILL'));
  }
}

(hasRedisServer ? describe : describe.skip)('Redis stopped while the service runs', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'faults-redis-'));
  let redis: PrivateRedis;
  let service: ServiceProcess;

  beforeAll(async () => {
    redis = await PrivateRedis.start();
    service = await startServiceProcess({ DATA_DIR: dataDir, REDIS_URL: redis.url, PAYMENTS_SANDBOX: 'false', ADMIN_TOKEN, LOG_LEVEL: 'warn' });
  });
  afterAll(async () => {
    await service?.kill();
    await redis?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('says it is not ready and why, answers 503 problem details where Redis is needed, loses nothing acknowledged and recovers by itself', async () => {
    const shop = await openShop(service);
    const paid = await pay(service, shop);
    expect(paid.status).toBe(201);
    const acknowledged = { routes: [shop.routeId], payments: [paid.body.id as string] };

    await redis.stop();

    const notReady = await until('readiness reports Redis down', async () => {
      const res = await service.http().get('/health/ready');
      return res.status === 503 ? res : undefined;
    });
    expect(notReady.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(notReady.body).toMatchObject({ status: 503, detail: 'Not ready: read_models and redis are down.', checks: { event_store: 'up', read_models: 'down', redis: 'down' } });

    const list = await service.http().get('/v1/processor-routes').set(bearer(shop.secret));
    expect(list.status).toBe(503);
    expect(list.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(list.body).toMatchObject({ status: 503, title: 'Service unavailable' });
    // Each request that needs Redis fails only once the client has given up on it (a few seconds
    // of reconnect backoff), so the test makes two. A write during the outage either answers 503
    // (then nothing was promised) or is acknowledged and must survive.
    const during = await service.http().post('/v1/processor-routes').set(bearer(shop.secret)).send({ name: 'During the outage', processors: [{ processor_id: shop.processorId }] });
    expect([201, 503]).toContain(during.status);
    if (during.status === 201) acknowledged.routes.push(during.body.id);
    else expect(during.body).toMatchObject({ status: 503 });

    await redis.restart();

    await until('readiness recovers without a restart', async () => ((await service.http().get('/health/ready')).status === 200 ? true : undefined));
    // Redis came back empty; the first write after it is answered as usual...
    const after = await service.http().post('/v1/processor-routes').set(bearer(shop.secret)).send({ name: 'After the outage', processors: [{ processor_id: shop.processorId }] }).expect(201);
    acknowledged.routes.push(after.body.id);
    // ...and every route and payment acknowledged before, during and after is served again, rebuilt from the event store.
    const routes = await until('every acknowledged route is listed', async () => {
      const res = await service.http().get('/v1/processor-routes?limit=100').set(bearer(shop.secret));
      const ids = res.status === 200 ? (res.body.items as { id: string }[]).map((route) => route.id) : [];
      return acknowledged.routes.every((id) => ids.includes(id)) ? ids : undefined;
    });
    expect(routes.sort()).toEqual([...acknowledged.routes].sort());
    for (const id of acknowledged.payments) {
      const payment = await until(`payment ${id} is served`, async () => {
        const res = await service.http().get(`/v1/payments/${id}`).set(bearer(shop.secret));
        return res.status === 200 ? res.body : undefined;
      });
      expect(payment.status).toBe('succeeded');
    }
    expect((await pay(service, shop)).status).toBe(201);
  }, 120_000);
});

if (!hasRedisServer) {
  test.skip('Redis stopped while the service runs (skipped: redis-server is not installed)', () => undefined);
  console.warn('SKIPPED: the Redis fault test needs redis-server on PATH to run a Redis of its own');
}

interface Shop {
  secret: string;
  processorId: string;
  routeId: string;
  priceId: string;
}

async function openShop(service: ServiceProcess): Promise<Shop> {
  const account = await service.http().post('/v1/accounts').set(bearer(ADMIN_TOKEN)).send({ name: 'Redis fault shop' }).expect(201);
  const secret: string = account.body.secret_token;
  const create = async (path: string, body: object): Promise<string> => (await service.http().post(path).set(bearer(secret)).send(body).expect(201)).body.id;
  const processorId = await create('/v1/processors', { name: 'Approving', connector: 'simulator', simulator: { outcome: 'approve' } });
  const routeId = await create('/v1/processor-routes', { name: 'Before the outage', processors: [{ processor_id: processorId }] });
  const product = await create('/v1/products', { name: 'Plan' });
  const priceId = await create('/v1/prices', { product_id: product, unit_amount: 1500, currency: 'USD' });
  return { secret, processorId, routeId, priceId };
}

/** A new session on the shop's route, paid; the answer as it came (201, or 503 while Redis is down). */
async function pay(service: ServiceProcess, shop: Shop) {
  const session = await service
    .http()
    .post('/v1/checkout/sessions')
    .set(bearer(shop.secret))
    .send({ line_items: [{ price_id: shop.priceId, quantity: 1 }], processor_route_id: shop.routeId, success_url: 'https://shop.example/ok' });
  if (session.status !== 201) return session;
  return service.http().post(`/v1/checkout/sessions/${session.body.id}/pay`).set(bearer(shop.secret)).send({ payment_method: card() });
}

async function until<T>(what: string, read: () => Promise<T | undefined>): Promise<T> {
  for (const deadline = Date.now() + WAIT_MS; Date.now() < deadline; await sleep(100)) {
    const value = await read();
    if (value !== undefined) return value;
  }
  throw new Error(`waited ${WAIT_MS} ms in vain until ${what}`);
}
