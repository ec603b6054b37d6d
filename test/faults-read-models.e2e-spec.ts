import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { ServiceProcess, runServiceToExit, startServiceProcess } from './support/service-process';
import { ADMIN_TOKEN, bearer } from './support/test-app';

/**
 * A newcomer's second DATA_DIR beside the Redis that served the first, under the same
 * REDIS_KEY_PREFIX: the read models there follow the first event store, whose checkpoints are
 * ahead of the fresh one's log. Without the check, routes created now were never listed.
 */
describe('read models that belong to another event store', () => {
  const prefix = `test:faults:${randomBytes(6).toString('hex')}:`;
  const dirs: string[] = [];
  const services: ServiceProcess[] = [];
  const redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: true });
  const newDataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'faults-read-models-'));
    dirs.push(dir);
    return dir;
  };
  const env = (dataDir: string, extra: Record<string, string> = {}) => ({
    DATA_DIR: dataDir,
    REDIS_URL: 'redis://127.0.0.1:6379',
    REDIS_KEY_PREFIX: prefix,
    PAYMENTS_SANDBOX: 'false',
    ADMIN_TOKEN,
    LOG_LEVEL: 'warn',
    ...extra,
  });
  const start = async (dataDir: string, extra?: Record<string, string>) => {
    const service = await startServiceProcess(env(dataDir, extra));
    services.push(service);
    return service;
  };

  afterAll(async () => {
    await Promise.all(services.map((service) => service.kill()));
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to start with a message that says what to do, and with READ_MODELS_ON_MISMATCH=rebuild lists what is created right after', async () => {
    const first = await start(newDataDir());
    const earlier = await shopWithRoutes(first, 'Earlier shop', 3);
    await first.kill();

    const fresh = newDataDir();
    const refused = await runServiceToExit({ ...env(fresh), PORT: '0' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`Refusing to start: the read models (Redis 127.0.0.1:6379 under key prefix "${prefix}") belong to another event store than this one (${fresh}/events.db).`);
    expect(refused.stderr).toContain('another REDIS_KEY_PREFIX');
    expect(refused.stderr).toContain('READ_MODELS_ON_MISMATCH=rebuild');

    const rebuilt = await start(fresh, { READ_MODELS_ON_MISMATCH: 'rebuild' });
    const now = await shopWithRoutes(rebuilt, 'Fresh shop', 2);
    const listed = await rebuilt.http().get('/v1/processor-routes').set(bearer(now.secret)).expect(200);
    expect(listed.body.items.map((route: { id: string }) => route.id).sort()).toEqual([...now.routes].sort());
    // The first store's documents are gone with its checkpoints, not served beside the fresh store's.
    const accounts = await rebuilt.http().get('/v1/accounts').set(bearer(ADMIN_TOKEN)).expect(200);
    expect(accounts.body.items.map((account: { name: string }) => account.name)).toEqual(['Fresh shop']);
    expect(earlier.routes).toHaveLength(3);
    await rebuilt.kill();

    // Once rebuilt, the read models follow the fresh store: a plain restart starts and still lists them.
    const again = await start(fresh);
    const relisted = await again.http().get('/v1/processor-routes').set(bearer(now.secret)).expect(200);
    expect(relisted.body.items).toHaveLength(2);
  }, 120_000);
});

/** An account with `routes` routes over one simulator processor; each create waits for its read models (read-your-writes). */
async function shopWithRoutes(service: ServiceProcess, name: string, routes: number): Promise<{ secret: string; routes: string[] }> {
  const account = await service.http().post('/v1/accounts').set(bearer(ADMIN_TOKEN)).send({ name }).expect(201);
  const secret: string = account.body.secret_token;
  const processor = await service.http().post('/v1/processors').set(bearer(secret)).send({ name: 'Approving', connector: 'simulator', simulator: { outcome: 'approve' } }).expect(201);
  const ids: string[] = [];
  for (let i = 0; i < routes; i++) {
    const route = await service.http().post('/v1/processor-routes').set(bearer(secret)).send({ name: `Route ${i}`, processors: [{ processor_id: processor.body.id }] }).expect(201);
    ids.push(route.body.id);
  }
  return { secret, routes: ids };
}
