import { EventStore, SqliteEventStore, randomEventId } from '@payments/event-store';
import {
  AccountSummary,
  ProjectionRunner,
  ReadModelStore,
  RedisReadModelStore,
  SqliteReadModelStore,
  accountsListing,
  listAccounts,
  rebuildProjections,
} from '@payments/read-models';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findRoute, listRoutes, routeListing } from '@payments/read-models/projections/route-listing';
import { findRouteReferences, routeReferences } from '@payments/read-models/projections/route-references';
import { StreamCount, appendEvents, countingProjection } from './counting-projection';
import { appendRouteEvents, attached, created, deleted, detached, setAsDefault, unsetAsDefault, updated } from './route-events';
import { withFailingCommits } from './store-faults';
import { openTestRedis } from './test-redis';

type OpenReadModels = (dataDir: string) => Promise<{ store: ReadModelStore; dispose(): Promise<void> }>;

const adapters: [string, OpenReadModels][] = [
  [
    'sqlite',
    async (dataDir) => {
      const store = new SqliteReadModelStore({ dataDir });
      return { store, dispose: () => store.close() };
    },
  ],
  [
    'redis',
    async () => {
      const redis = await openTestRedis();
      return { store: new RedisReadModelStore(redis.redis), dispose: () => redis.dispose() };
    },
  ],
];

describe.each(adapters)('projections over the %s read-model store', (_, openReadModels) => {
  let dataDir: string;
  let events: EventStore;
  let readModels: ReadModelStore;
  let dispose: () => Promise<void>;
  const runners: ProjectionRunner[] = [];

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'projections-'));
    events = new SqliteEventStore({ dataDir, pollIntervalMs: 20 });
    ({ store: readModels, dispose } = await openReadModels(dataDir));
  });

  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.stop()));
    await events.close();
    await dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  function track(runner: ProjectionRunner): ProjectionRunner {
    runners.push(runner);
    return runner;
  }

  async function openAccount(id: string, name: string, openedAt: string): Promise<bigint> {
    const { position } = await events.appendToStream(
      `account-${id}`,
      [{ id: randomEventId(), type: 'AccountOpened', data: { account_id: id, name, sandbox: false, opened_at: openedAt }, metadata: { schema_version: 1, account_id: id } }],
      { expectedRevision: 'no_stream' },
    );
    return position;
  }

  async function changeDefaultProcessor(id: string, processorId: string): Promise<bigint> {
    const { position } = await events.appendToStream(
      `account-${id}`,
      [{ id: randomEventId(), type: 'AccountDefaultProcessorChanged', data: { account_id: id, processor_id: processorId }, metadata: { schema_version: 1, account_id: id } }],
      { expectedRevision: 'stream_exists' },
    );
    return position;
  }

  async function accountsSnapshot(): Promise<{ accounts: AccountSummary[]; total: number; checkpoint: bigint | undefined }> {
    const first = await listAccounts(readModels, { limit: 3, offset: 0 });
    const rest = await listAccounts(readModels, { limit: 100, offset: 3 });
    return { accounts: [...first.items, ...rest.items], total: first.total, checkpoint: await readModels.checkpoint(accountsListing.name) };
  }

  it('rebuilds the accounts listing from position 0 into the same read model', async () => {
    await openAccount('acc_stg_b', 'Beta', '2024-03-01T10:00:00.000Z');
    await openAccount('acc_stg_a', 'Alpha', '2024-03-01T10:00:00.000Z');
    await appendEvents(events, 'payment-pay_stg_1', 5, 'PaymentStarted');
    await openAccount('acc_stg_c', 'Gamma', '2024-03-02T09:00:00.000Z');
    await changeDefaultProcessor('acc_stg_a', 'proc_stg_1');
    await openAccount('acc_stg_d', 'Delta', '2024-02-28T00:00:00.000Z');
    const last = await changeDefaultProcessor('acc_stg_a', 'proc_stg_2');
    const runner = track(new ProjectionRunner(accountsListing, events, readModels, { batchSize: 3 }));
    runner.start();
    await runner.waitFor(last, 5000);
    const before = await accountsSnapshot();
    await readModels.commit(accountsListing.name, last, last, [
      { op: 'put', collection: 'accounts', id: 'acc_stg_stray', doc: { id: 'acc_stg_stray' }, indexes: [{ index: 'all', score: 0 }] },
    ]);

    let replayed = 0;
    await rebuildProjections([accountsListing], events, readModels, { batchSize: 3, onProgress: (progress) => (replayed = progress.events) });

    expect(replayed).toBe(11);
    expect(before.accounts.map((account) => account.id)).toEqual(['acc_stg_c', 'acc_stg_b', 'acc_stg_a', 'acc_stg_d']);
    expect(before.accounts[2]).toEqual({ id: 'acc_stg_a', name: 'Alpha', sandbox: false, defaultProcessorId: 'proc_stg_2', defaultRouteId: null, createdAt: '2024-03-01T10:00:00.000Z' });
    expect(before.checkpoint).toBe(last);
    expect(await accountsSnapshot()).toEqual(before);
  });

  it('rebuilds the route listing and reference counts from position 0 into the same read models', async () => {
    const [at, later] = ['2024-03-01T10:00:00.000Z', '2024-03-02T10:00:00.000Z'];
    await appendRouteEvents(events, [
      created('proute_stg_a', 'acc_stg_1', at),
      created('proute_stg_b', 'acc_stg_1', at),
      attached('proute_stg_a', 'cs_stg_1'),
      created('proute_stg_c', 'acc_stg_2', at),
      updated('proute_stg_b', { name: 'Renamed', strategy: 'cost_optimized' }, 2, later),
      setAsDefault('proute_stg_b', 'acc_stg_1'),
      attached('proute_stg_a', 'cs_stg_2'),
      created('proute_stg_d', 'acc_stg_1', later),
      detached('proute_stg_a', 'cs_stg_1'),
      setAsDefault('proute_stg_d', 'acc_stg_1'),
      unsetAsDefault('proute_stg_b', 'acc_stg_1'),
    ]);
    await appendEvents(events, 'payment-pay_stg_1', 3, 'PaymentStarted');
    const last = await appendRouteEvents(events, [deleted('proute_stg_b', later), updated('proute_stg_a', { optimized_retry: true }, 2, later)]);
    const runners = [routeListing, routeReferences].map((projection) => track(new ProjectionRunner(projection, events, readModels, { batchSize: 4 })));
    runners.forEach((runner) => runner.start());
    for (const runner of runners) expect(await runner.waitFor(last, 5000)).toBe(true);
    const routeIds = ['proute_stg_a', 'proute_stg_b', 'proute_stg_c', 'proute_stg_d'];
    const snapshot = async () => ({
      listings: await Promise.all(['acc_stg_1', 'acc_stg_2'].map((accountId) => listRoutes(readModels, accountId, { limit: 100, offset: 0 }))),
      routes: await Promise.all(routeIds.map((id) => findRoute(readModels, id))),
      references: await Promise.all(routeIds.map((id) => findRouteReferences(readModels, id))),
      checkpoints: await Promise.all(runners.map((runner) => readModels.checkpoint(runner.projection.name))),
    });
    const before = await snapshot();
    const stray = { id: 'proute_stg_stray', accountId: 'acc_stg_1' };
    await readModels.commit(routeListing.name, last, last, [{ op: 'put', collection: 'routes', id: stray.id, doc: stray, indexes: [{ index: 'account:acc_stg_1', score: 0 }] }]);
    await readModels.commit(routeReferences.name, last, last, [{ op: 'put', collection: 'route_references', id: 'proute_stg_b', doc: { routeId: 'proute_stg_b' }, indexes: [] }]);

    await rebuildProjections([routeListing, routeReferences], events, readModels, { batchSize: 4 });

    expect(before.listings.map((page) => page.items.map((route) => route.id))).toEqual([['proute_stg_d', 'proute_stg_a'], ['proute_stg_c']]);
    expect(before.routes[0]).toMatchObject({ revision: 2, optimized_retry: true, updatedAt: later });
    expect(before.references).toEqual([
      { routeId: 'proute_stg_a', checkoutSessions: 1, accountDefault: false },
      undefined,
      { routeId: 'proute_stg_c', checkoutSessions: 0, accountDefault: false },
      { routeId: 'proute_stg_d', checkoutSessions: 0, accountDefault: true },
    ]);
    expect(before.checkpoints).toEqual([last, last]);
    expect(await snapshot()).toEqual(before);
  });

  it('neither loses nor repeats an event when a runner dies mid-way with a batch unwritten', async () => {
    const last = await appendEvents(events, 'counted-1', 40);
    const errors: unknown[] = [];
    const dying = track(
      new ProjectionRunner(countingProjection(), events, withFailingCommits(readModels, (call) => (call > 3 ? 'before' : undefined)), {
        batchSize: 4,
        retryDelayMs: 5,
        onError: (error) => errors.push(error),
      }),
    );
    dying.start();
    await waitUntil(() => errors.length > 0);
    await dying.stop();
    const diedAt = await readModels.checkpoint('counting');

    const next = track(new ProjectionRunner(countingProjection(), events, readModels, { batchSize: 7 }));
    next.start();

    expect(diedAt).toBeGreaterThanOrEqual(3n);
    expect(diedAt).toBeLessThan(last);
    expect(await next.waitFor(last, 5000)).toBe(true);
    expect(await readModels.get<StreamCount>('counting_counts', 'counted-1')).toEqual({
      stream: 'counted-1',
      count: 40,
      positions: Array.from({ length: 40 }, (_, i) => String(i + 1)),
    });
  });

  it('does not apply again the batch a runner committed just before it died', async () => {
    const last = await appendEvents(events, 'counted-1', 25);
    const dying = new ProjectionRunner(countingProjection(), events, withFailingCommits(readModels, (call) => (call === 2 ? 'after' : undefined)), { batchSize: 5 });
    await expect(dying.catchUp()).rejects.toThrow('acknowledgement of commit 2 lost');
    const diedAt = await readModels.checkpoint('counting');

    await new ProjectionRunner(countingProjection(), events, readModels).catchUp();

    expect(diedAt).toBe(10n);
    expect((await readModels.get<StreamCount>('counting_counts', 'counted-1'))?.positions).toEqual(Array.from({ length: 25 }, (_, i) => String(i + 1)));
    expect(await readModels.checkpoint('counting')).toBe(last);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
