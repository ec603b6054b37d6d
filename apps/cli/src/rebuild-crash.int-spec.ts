import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SqliteEventStore, openEventsDatabase, randomEventId } from '@payments/event-store';
import { ReadModelStore, RedisReadModelStore, SqliteReadModelStore, accountsListing, listAccounts, rebuildProjections } from '@payments/read-models';
import { TestRedis, openTestRedis } from '../../../libs/read-models/test/test-redis';

const ROOT = join(__dirname, '../../..');
/** Enough that a rebuild takes seconds, so that it can be killed halfway. */
const ACCOUNTS = 100_000;

interface Adapter {
  /** The settings the service and the CLI would run with. */
  env: Record<string, string>;
  store: ReadModelStore;
  /** Whether the child's rebuild has committed part of the new read model (and not published it). */
  buildingHalfway(): Promise<boolean>;
  /** What a rebuild left beside the served read model: nothing, once one has completed. */
  leftovers(): Promise<string[]>;
  close(): Promise<void>;
}

const adapters: [string, (dataDir: string) => Promise<Adapter>][] = [
  [
    'sqlite',
    async (dataDir) => {
      const store = new SqliteReadModelStore({ dataDir });
      const rows = (sql: string) => {
        const db = new Database(join(dataDir, 'read-models.db'), { readonly: true });
        try {
          return db.prepare(sql).pluck().all() as string[];
        } finally {
          db.close();
        }
      };
      return {
        env: {},
        store,
        buildingHalfway: async () => rows("SELECT DISTINCT collection FROM documents WHERE collection LIKE 'accounts#%'").length > 0,
        leftovers: async () => rows("SELECT DISTINCT collection FROM documents WHERE collection <> (SELECT stored_as FROM served_collections WHERE collection = 'accounts')"),
        close: () => store.close(),
      };
    },
  ],
  [
    'redis',
    async () => {
      const redis: TestRedis = await openTestRedis();
      return {
        env: { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: redis.prefix },
        store: new RedisReadModelStore(redis.redis),
        async buildingHalfway() {
          const generation = await redis.redis.hget('rm:building', accountsListing.name);
          return generation !== null && (await redis.redis.hlen(`rm:doc:accounts#${generation}`)) > 0;
        },
        leftovers: async () => (await redis.keys()).filter((key) => key.includes('#')),
        close: () => redis.dispose(),
      };
    },
  ],
];

describe.each(adapters)('a rebuild killed halfway, over the %s read-model store', (_, openAdapter) => {
  let dataDir: string;
  let adapter: Adapter;
  let head: bigint;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'rebuild-crash-'));
    head = writeAccounts(dataDir, ACCOUNTS);
    adapter = await openAdapter(dataDir);
    // The read model served before the rebuild: not what the events say, so that a new one shows.
    await adapter.store.commit(accountsListing.name, undefined, head, [
      { op: 'put', collection: 'accounts', id: 'acc_stg_before', doc: { id: 'acc_stg_before' }, indexes: [{ index: 'all', score: 0 }] },
    ]);
  });

  afterEach(async () => {
    await adapter.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('leaves the old read model serving, and the next rebuild replaces it whole', async () => {
    const child = spawn(join(ROOT, 'node_modules/.bin/ts-node'), ['-r', 'tsconfig-paths/register', '--swc', 'apps/cli/src/main.ts', 'rebuild', accountsListing.name], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, DATA_DIR: dataDir, ...adapter.env },
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    const deadline = Date.now() + 60_000;
    while (!(await adapter.buildingHalfway())) {
      if (Date.now() > deadline) throw new Error('the rebuild never started writing');
      await sleep(10);
    }
    child.kill('SIGKILL');

    expect(await exited).toBe('SIGKILL');
    expect(await listAccounts(adapter.store, { limit: 10, offset: 0 })).toEqual({ items: [{ id: 'acc_stg_before' }], total: 1 });
    expect(await adapter.store.readCheckpoint(accountsListing.name)).toEqual({ position: head, generation: 0 });

    const events = new SqliteEventStore({ dataDir, readOnly: true });
    await rebuildProjections([accountsListing], events, adapter.store);
    await events.close();

    const served = await listAccounts(adapter.store, { limit: 2, offset: 0 });
    expect(served.total).toBe(ACCOUNTS);
    expect(served.items.map((account) => account.id)).toEqual([`acc_stg_${ACCOUNTS - 1}`, `acc_stg_${ACCOUNTS - 2}`]);
    expect(await adapter.store.readCheckpoint(accountsListing.name)).toEqual({ position: head, generation: 2 });
    expect(await adapter.leftovers()).toEqual([]);
  }, 120_000);
});

/** Accounts opened one a second, written straight into a new events file; answers the last position. */
function writeAccounts(dataDir: string, count: number): bigint {
  const db = openEventsDatabase(dataDir);
  const insert = db.prepare('INSERT INTO events (stream_id, revision, event_id, type, data, metadata, created_at) VALUES (?, 0, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const id = `acc_stg_${i}`;
      const openedAt = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
      insert.run(`account-${id}`, randomEventId(), 'AccountOpened', JSON.stringify({ account_id: id, name: id, sandbox: false, opened_at: openedAt }), JSON.stringify({ schema_version: 1, account_id: id }), Date.now());
    }
  })();
  const last = db.prepare('SELECT max(position) FROM events').pluck().safeIntegers(true).get() as bigint;
  db.close();
  return last;
}
