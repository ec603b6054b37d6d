import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { SqliteEventStore } from '@payments/event-store';
import { ProjectionRunner, ReadModelStore, RedisReadModelStore, SqliteReadModelStore, accountsListing } from '@payments/read-models';
import { run } from '../apps/cli/src/main';
import { ADMIN_TOKEN, TestApp, bearer, startTestApp } from './support/test-app';

const REDIS_URL = 'redis://127.0.0.1:6379';

describe.each([
  ['SQLite', false],
  ['Redis', true],
])('rebuilding a projection while the service serves it, read models in %s', (_, redis) => {
  const env: Record<string, string> = redis ? { REDIS_URL, REDIS_KEY_PREFIX: `test:${randomBytes(6).toString('hex')}:` } : {};
  let t: TestApp;
  let client: Redis | undefined;
  let store: ReadModelStore;

  beforeAll(async () => {
    t = await startTestApp(env);
    client = redis ? new Redis(REDIS_URL, { keyPrefix: env.REDIS_KEY_PREFIX }) : undefined;
    store = client ? new RedisReadModelStore(client) : new SqliteReadModelStore({ dataDir: t.dataDir });
  });

  afterAll(async () => {
    await t.close();
    await store.close();
    if (client) {
      const raw = new Redis(REDIS_URL);
      const keys = await raw.keys(`${env.REDIS_KEY_PREFIX}*`);
      if (keys.length > 0) await raw.unlink(...keys);
      await Promise.all([raw.quit(), client.quit()]);
    }
  });

  const openAccount = async (name: string) => (await t.http().post('/v1/accounts').set(bearer(ADMIN_TOKEN)).send({ name }).expect(201)).body.id as string;
  const listed = async () => ((await t.http().get('/v1/accounts?limit=100').set(bearer(ADMIN_TOKEN)).expect(200)).body.items as { id: string }[]).map((account) => account.id).sort();

  it('serves the old read model until the rebuild is published, then the new one, and projects on into it', async () => {
    const opened = [await openAccount('One'), await openAccount('Two')];
    // A document the events do not account for: the served read model is not what a rebuild gives.
    const served = await store.readCheckpoint(accountsListing.name);
    const stray = { id: 'acc_stg_stray', name: 'Stray', sandbox: false, defaultProcessorId: null, defaultRouteId: null, createdAt: '2020-01-01T00:00:00.000Z' };
    expect(await store.commit(accountsListing.name, served.position, served.position!, [{ op: 'put', collection: 'accounts', id: stray.id, doc: stray, indexes: [{ index: 'all', score: 0 }] }], served.generation)).toBe(true);
    expect(await listed()).toEqual([...opened, stray.id].sort());

    const rebuild = await store.beginRebuild(accountsListing.name, accountsListing.collections);
    const events = new SqliteEventStore({ dataDir: t.dataDir, readOnly: true });
    await new ProjectionRunner(accountsListing, events, rebuild.store).catchUp();
    await events.close();

    expect(await listed()).toEqual([...opened, stray.id].sort());
    expect(await rebuild.publish()).toBe(true);
    expect(await listed()).toEqual([...opened].sort());

    // The projection thread committed against the replaced read model: it must take up the new one.
    const third = await openAccount('Three');
    expect(await listed()).toEqual([...opened, third].sort());
    expect((await store.readCheckpoint(accountsListing.name)).generation).toBe(served.generation + 1);
  });

  it('runs `rebuild all` beside the running service, which serves and projects on', async () => {
    const before = await listed();
    const out: string[] = [];

    const code = await run(['rebuild', 'all'], { out: async (line) => void out.push(line), err: { isTTY: false, write: () => true }, env: { DATA_DIR: t.dataDir, ...env } });

    expect(code).toBe(0);
    expect(out).toContainEqual(expect.stringMatching(/^rebuilt accounts_listing: \d+ events in \d+\.\d s, checkpoint \d+$/));
    expect(await listed()).toEqual(before);
    const after = await openAccount('After the rebuild');
    expect(await listed()).toEqual([...before, after].sort());
    const health = await t.http().get('/health/ready').expect(200);
    expect(health.body).toMatchObject({ status: 'ready' });
  });
});
