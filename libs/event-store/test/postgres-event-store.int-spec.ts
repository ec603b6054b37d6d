import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { Server, Socket, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { EventToAppend, PostgresEventStore, RecordedEvent, Subscription, createEventStore, EventStoreDbEventStore, randomEventId, readStreamToArray } from '@payments/event-store';
import { serializeEvents } from '../src/append-checks';
import { appendEvents } from '../src/postgres-append';
import { PostgresLogger } from '../src/postgres-errors';
import { TestDatabase, createTestDatabase, describeWithPostgres, openTestPool } from '../../../test/support/test-postgres';
import { StoreUnderTest, eventStoreContract } from './contract';

/** Keeps what the adapter logs, for the tests that expect a warning, and keeps the output quiet. */
function recordingLogger(): PostgresLogger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, log: () => undefined, warn: (message) => void warnings.push(message) };
}

async function postgresStoreUnderTest(): Promise<StoreUnderTest> {
  const database = await createTestDatabase();
  const pools: Pool[] = [];
  const openStore = () => {
    const pool = openTestPool(database.url);
    pools.push(pool);
    return new PostgresEventStore({ pool, logger: recordingLogger() });
  };
  const store = openStore();
  return {
    store,
    cleanup: async () => {
      await store.close();
      await Promise.all(pools.map((pool) => pool.end()));
      await database.drop();
    },
    // Another process: a pool and a store of its own on the same database.
    reopen: async () => openStore(),
    another: postgresStoreUnderTest,
  };
}

// Inside describeWithPostgres: without a server every contract test is reported as skipped.
describeWithPostgres('on PostgreSQL', () => eventStoreContract('postgres', postgresStoreUnderTest, { reopen: true, another: true }));

describeWithPostgres('postgres event store', () => {
  let database: TestDatabase;
  let pool: Pool;
  let store: PostgresEventStore;
  let logger: ReturnType<typeof recordingLogger>;
  const subscriptions: Subscription[] = [];

  beforeEach(async () => {
    database = await createTestDatabase();
    pool = openTestPool(database.url);
    logger = recordingLogger();
    store = new PostgresEventStore({ pool, logger, pollIntervalMs: 100 });
    await store.identity(); // the schema exists from here on
  });
  afterEach(async () => {
    await Promise.all(subscriptions.splice(0).map((subscription) => subscription.stop()));
    await store.close();
    await pool.end();
    await database.drop();
  });

  describe('late commits (the global-position gap)', () => {
    it('delivers an event whose append drew its position first but committed last, to a subscriber and a reader running meanwhile', async () => {
      const delivered: RecordedEvent[] = [];
      subscriptions.push(store.subscribeToAll({ onEvent: (event) => void delivered.push(event) }));
      const reader = followByReading(store);

      // The first writer runs the adapter's own append inside a transaction held open, as a
      // commit that takes long would (a slow disk, a synchronous standby): it has drawn its
      // position and has not committed.
      const slowClient = await pool.connect();
      let slowPosition: bigint;
      let fastSettled = false;
      let fastDoneBeforeSlowCommitted: boolean | undefined;
      try {
        await slowClient.query('BEGIN');
        ({ position: slowPosition } = await appendEvents(slowClient, 'payment-pay_stg_slow', serializeEvents('payment-pay_stg_slow', [anEvent()]), 'no_stream'));
        // The second writer appends through the store while the first is still open.
        const fast = store.appendToStream('payment-pay_stg_fast', [anEvent()], { expectedRevision: 'no_stream' }).finally(() => {
          fastSettled = true;
        });
        // Long enough for the subscriber and the reader to have read several times.
        await sleep(400);
        fastDoneBeforeSlowCommitted = fastSettled;
        await slowClient.query('COMMIT');
        const { position: fastPosition } = await fast;
        expect(fastPosition).toBeGreaterThan(slowPosition);
      } finally {
        slowClient.release();
      }

      await waitFor(() => delivered.length >= 2 && reader.events.length >= 2, () => `delivered ${keys(delivered)}, read ${keys(reader.events)}`);
      await reader.stop();
      expect(delivered.map((event) => event.streamId)).toEqual(['payment-pay_stg_slow', 'payment-pay_stg_fast']);
      expect(reader.events.map((event) => event.streamId)).toEqual(['payment-pay_stg_slow', 'payment-pay_stg_fast']);
      expect(delivered[0].position).toBe(slowPosition);
      // How: the second append waited for the first to commit before it drew a position.
      expect(fastDoneBeforeSlowCommitted).toBe(false);
    });

    it('delivers every append of eight concurrent writers once, in position order, to a subscriber running meanwhile', async () => {
      const delivered: RecordedEvent[] = [];
      subscriptions.push(store.subscribeToAll({ onEvent: (event) => void delivered.push(event) }));
      const writers = range(8).map(async (writer) => {
        const stream = `payment-pay_stg_w${writer}`;
        for (let revision = 0; revision < 40; revision++) {
          await store.appendToStream(stream, [anEvent(), anEvent()], { expectedRevision: revision === 0 ? 'no_stream' : BigInt(revision * 2 - 1) });
        }
      });
      await Promise.all(writers);
      await waitFor(() => delivered.length === 640, () => `${delivered.length} of 640 delivered`);
      const positions = delivered.map((event) => event.position);
      positions.slice(1).forEach((position, index) => expect(position).toBeGreaterThan(positions[index]));
      expect(keys(delivered)).toEqual(keys(await collect(store.readAll())));
    });
  });

  describe('appends', () => {
    it('gives each of ten concurrent appends with any its own revision of one stream', async () => {
      const results = await Promise.all(range(10).map(() => store.appendToStream('payment-pay_stg_any', [anEvent()], { expectedRevision: 'any' })));
      expect(results.map((result) => result.nextRevision).sort(byValue)).toEqual(range(10).map(BigInt));
      expect((await readStreamToArray(store, 'payment-pay_stg_any')).map((event) => event.revision)).toEqual(range(10).map(BigInt));
    });

    it('lets exactly one of two processes appending with the same expected revision win, round after round', async () => {
      const otherPool = openTestPool(database.url);
      const other = new PostgresEventStore({ pool: otherPool, logger: recordingLogger() });
      const stream = 'payment-pay_stg_race';
      try {
        for (let round = 0; round < 40; round++) {
          const expectedRevision = round === 0 ? 'no_stream' : BigInt(round - 1);
          const outcomes = await Promise.allSettled([store, other].map((each) => each.appendToStream(stream, [anEvent()], { expectedRevision })));
          expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
          const [lost] = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
          expect(lost.reason).toMatchObject({ name: 'WrongExpectedRevision', actual: BigInt(round) });
        }
      } finally {
        await other.close();
        await otherPool.end();
      }
      expect((await readStreamToArray(store, stream)).map((event) => event.revision)).toEqual(range(40).map(BigInt));
    });

    it('answers a retry racing its first attempt with the one result, storing the batch once', async () => {
      const batch = [anEvent(), anEvent()];
      const results = await Promise.all(range(4).map(() => store.appendToStream('payment-pay_stg_retry', batch, { expectedRevision: 'no_stream' })));
      expect(new Set(results.map((result) => `${result.nextRevision}@${result.position}`)).size).toBe(1);
      expect(await readStreamToArray(store, 'payment-pay_stg_retry')).toHaveLength(2);
    });

    it('reads data back as written: key order, a NUL character, a lone surrogate', async () => {
      const data = { zeta: 1, alpha: 'a\u0000b', surrogate: '\ud800', nested: { y: [1, 2.5], x: null } };
      await store.appendToStream('payment-pay_stg_json', [{ ...anEvent(), data }], { expectedRevision: 'no_stream' });
      const [event] = await readStreamToArray(store, 'payment-pay_stg_json');
      expect(JSON.stringify(event.data)).toBe(JSON.stringify(data));
    });
  });

  describe('schema', () => {
    it('is made once, with one identity, by stores of several processes starting at once', async () => {
      const fresh = await createTestDatabase();
      const pools = range(3).map(() => openTestPool(fresh.url));
      try {
        const stores = pools.map((each) => new PostgresEventStore({ pool: each, logger: recordingLogger() }));
        const identities = await Promise.all(stores.map((each) => each.identity()));
        expect(new Set(identities).size).toBe(1);
        const { rows } = await pools[0].query("SELECT version FROM schema_migrations WHERE component = 'event-store'");
        expect(rows).toEqual([{ version: 1 }]);
        await Promise.all(stores.map((each) => each.close()));
      } finally {
        await Promise.all(pools.map((each) => each.end()));
        await fresh.drop();
      }
    });
  });

  describe('closing', () => {
    it('fails a read waiting on the server at once, and leaves the pool open for its owner', async () => {
      await store.appendToStream('payment-pay_stg_a', [anEvent()], { expectedRevision: 'no_stream' });
      const locker = await pool.connect();
      try {
        await locker.query('BEGIN');
        await locker.query('LOCK TABLE events IN ACCESS EXCLUSIVE MODE');
        const reading = collect(store.readAll());
        await sleep(100);
        const started = Date.now();
        await store.close();
        await expect(reading).rejects.toThrow('closed');
        expect(Date.now() - started).toBeLessThan(1_000);
      } finally {
        await locker.query('ROLLBACK');
        locker.release();
      }
      await expect(pool.query('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
      await expect(store.appendToStream('payment-pay_stg_a', [anEvent()], { expectedRevision: 0n })).rejects.toThrow('closed');
    });

    it('stops a subscription whose read waits on the server', async () => {
      const locker = await pool.connect();
      try {
        await locker.query('BEGIN');
        await locker.query('LOCK TABLE events IN ACCESS EXCLUSIVE MODE');
        const errors: unknown[] = [];
        store.subscribeToAll({ onEvent: () => undefined, onError: (error) => errors.push(error) });
        await sleep(100);
        const started = Date.now();
        await store.close();
        expect(Date.now() - started).toBeLessThan(1_000);
        expect(errors).toEqual([]);
      } finally {
        await locker.query('ROLLBACK');
        locker.release();
      }
    });
  });

  describe('subscriptions and the server', () => {
    it('goes on delivering after the server ends every connection of the store, as a restart does', async () => {
      const delivered: RecordedEvent[] = [];
      subscriptions.push(store.subscribeToAll({ onEvent: (event) => void delivered.push(event) }));
      await store.appendToStream('payment-pay_stg_a', [anEvent()], { expectedRevision: 'no_stream' });
      await waitFor(() => delivered.length === 1, () => 'the first event was not delivered');

      await terminateConnections(database.name);
      await sleep(200); // the pool notices its idle connections ended
      // Another process appends meanwhile: only the listener (once back) or the polling can tell.
      const otherPool = openTestPool(database.url);
      const other = new PostgresEventStore({ pool: otherPool, logger: recordingLogger() });
      try {
        await other.appendToStream('payment-pay_stg_a', [anEvent()], { expectedRevision: 0n });
      } finally {
        await other.close();
        await otherPool.end();
      }
      await waitFor(() => delivered.length === 2, () => `${delivered.length} of 2 delivered`);
      await waitFor(() => logger.warnings.some((warning) => warning.includes('not listening for appends')), () => 'the lost listener was not logged');
    });

    it('reports to onError once the server stays away past its bounded retries, each logged', async () => {
      const awayPool = openTestPool('postgres://postgres@127.0.0.1:1/test', { connectionTimeoutMillis: 500 });
      const away = new PostgresEventStore({ pool: awayPool, logger, readRetries: 2 });
      const errors: unknown[] = [];
      away.subscribeToAll({ onEvent: () => undefined, onError: (error) => errors.push(error) });
      try {
        await waitFor(() => errors.length === 1, () => 'onError was not called');
        expect(errors[0]).toMatchObject({ code: 'ECONNREFUSED' });
        expect(logger.warnings.filter((warning) => warning.includes('a subscription could not read'))).toHaveLength(2);
      } finally {
        await away.close();
        await awayPool.end();
      }
    });

    it('fails ping within its deadline when the server does not answer', async () => {
      const silent = await silentServer();
      const silentPool = openTestPool(`postgres://postgres@127.0.0.1:${silent.port}/test`);
      const unanswered = new PostgresEventStore({ pool: silentPool, logger: recordingLogger(), pingTimeoutMs: 300 });
      try {
        const started = Date.now();
        await expect(unanswered.ping()).rejects.toThrow('did not answer within 300 ms');
        expect(Date.now() - started).toBeLessThan(1_000);
      } finally {
        await unanswered.close();
        silent.close();
        await silentPool.end();
      }
    });
  });

  describe('createEventStore', () => {
    it('chooses PostgreSQL when a pool is given and no EventStoreDB connection string, writing no sqlite file', async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'events-'));
      const chosen = createEventStore({ postgres: pool, dataDir });
      try {
        expect(chosen).toBeInstanceOf(PostgresEventStore);
        expect(await chosen.identity()).toBe(await store.identity());
        expect(readdirSync(dataDir)).toEqual([]);
      } finally {
        await chosen.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
      const esdb = createEventStore({ connectionString: 'esdb://127.0.0.1:1?tls=false', postgres: pool, dataDir });
      expect(esdb).toBeInstanceOf(EventStoreDbEventStore);
      await esdb.close();
    });
  });
});

/** A reader resuming from the last position it read, as a projection resumes from its checkpoint. */
function followByReading(store: PostgresEventStore): { events: RecordedEvent[]; stop(): Promise<void> } {
  const events: RecordedEvent[] = [];
  let reading = true;
  const loop = (async () => {
    let after = 0n;
    while (reading) {
      for await (const event of store.readAll({ fromPosition: after })) {
        events.push(event);
        after = event.position;
      }
      await sleep(10);
    }
  })();
  return {
    events,
    stop: async () => {
      reading = false;
      await loop;
    },
  };
}

async function terminateConnections(databaseName: string): Promise<void> {
  const admin = openTestPool(process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
  try {
    const { rows } = await admin.query('SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [databaseName]);
    expect(rows.length).toBeGreaterThan(0);
  } finally {
    await admin.end();
  }
}

/** A TCP server that accepts connections and never says a word, as a server hung or behind a dead link. */
async function silentServer(): Promise<{ port: number; close(): void }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => void sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    close: () => {
      sockets.forEach((socket) => socket.destroy());
      server.close();
    },
  };
}

function anEvent(): EventToAppend {
  return { id: randomEventId(), type: 'PostgresTested', data: { note: 'postgres' }, metadata: { schema_version: 1 } };
}

function keys(events: RecordedEvent[]): string[] {
  return events.map((event) => `${event.position}:${event.streamId}@${event.revision}`);
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index);
}

function byValue(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(condition: () => boolean, progress: () => string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${progress()}`);
    await sleep(10);
  }
}
