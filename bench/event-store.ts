/**
 * The sqlite adapter against raw better-sqlite3 writing the same rows: same file settings and
 * schema (openEventsDatabase), one transaction per batch, JSON serialisation on both sides, and
 * the same decoding of rows read back. The ratio is therefore the adapter's own cost: its
 * revision and idempotency lookups, its promises, reading in pages.
 * Target: adapter append throughput >= 0.5 of raw at batch 4.
 *
 * A commit with synchronous=FULL waits for the disk, whose speed drifts from second to second on
 * shared machines; so the two take turns on slices of the work and each side's time is summed,
 * which exposes both to the same disk. Reads are CPU-bound: each side reads three times, best kept.
 *
 * Options (or env BENCH_EVENTS / BENCH_BATCH): --events=20000 --batch=4
 *
 * --store=postgres measures the postgres adapter instead (postgresEventStoreBench below), on a
 * fresh database of the server at TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { EVENT_COLUMNS, EventRow, EventToAppend, PostgresEventStore, SqliteEventStore, eventFromRow, openEventsDatabase, randomEventId } from '@payments/event-store';
import { APPENDED_CHANNEL, POSITION_LOCK_SQL } from '@payments/event-store/postgres-event-store-schema';
import { createBenchDatabase } from './bench-postgres';
import { positiveInteger } from './options';

const STREAMS = 500;
const TURNS = 20;
const READ_RUNS = 3;
const WARM_UP_EVENTS = 2_000;
const TARGET_APPEND_RATIO = 0.5;

interface Batch {
  stream: string;
  /** Revision of the stream's last event before this batch, -1n for a new stream. */
  revisionBefore: bigint;
  events: EventToAppend[];
}

interface Contender {
  append(batch: Batch): Promise<void>;
  /** Reads every event back, decoded; returns how many. */
  readAll(): Promise<number>;
  close(): Promise<void>;
}

interface Throughput {
  append: number;
  read: number;
}

export async function eventStoreBench(options: Map<string, string>): Promise<void> {
  const eventCount = positiveInteger(options.get('events') ?? process.env.BENCH_EVENTS, 20_000, 'events');
  const batchSize = positiveInteger(options.get('batch') ?? process.env.BENCH_BATCH, 4, 'batch');
  if (options.get('store') === 'postgres') return postgresEventStoreBench(eventCount, batchSize);
  const root = mkdtempSync(join(tmpdir(), 'bench-event-store-'));
  try {
    // Warm both paths up on files of their own, so neither pays for the JIT in the measured run.
    await compete(adapter(join(root, 'warm-adapter')), raw(join(root, 'warm-raw')), batchesOf(WARM_UP_EVENTS, batchSize));
    const [byAdapter, byRaw] = await compete(adapter(join(root, 'adapter')), raw(join(root, 'raw')), batchesOf(eventCount, batchSize));

    const appendRatio = byAdapter.append / byRaw.append;
    console.log(`${eventCount} events in batches of ${batchSize} over ${STREAMS} streams; WAL, synchronous=FULL, one transaction per batch`);
    console.table({
      append: { 'adapter events/s': Math.round(byAdapter.append), 'raw events/s': Math.round(byRaw.append), 'adapter/raw': round(appendRatio) },
      read: { 'adapter events/s': Math.round(byAdapter.read), 'raw events/s': Math.round(byRaw.read), 'adapter/raw': round(byAdapter.read / byRaw.read) },
    });
    const met = appendRatio >= TARGET_APPEND_RATIO;
    console.log(`target adapter/raw append >= ${TARGET_APPEND_RATIO}: ${met ? 'met' : 'NOT met'}`);
    if (!met) process.exitCode = 1;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function compete(first: Contender, second: Contender, batches: Batch[]): Promise<[Throughput, Throughput]> {
  try {
    const contenders = [first, second];
    const appendSeconds = [0, 0];
    const turnSize = Math.ceil(batches.length / TURNS);
    for (let turn = 0; turn * turnSize < batches.length; turn++) {
      const slice = batches.slice(turn * turnSize, (turn + 1) * turnSize);
      // Alternate who goes first, so neither always follows the other's checkpoint of the WAL.
      for (const index of turn % 2 === 0 ? [0, 1] : [1, 0]) {
        appendSeconds[index] += await timed(async () => {
          for (const batch of slice) await contenders[index].append(batch);
        });
      }
    }
    const events = batches.reduce((sum, batch) => sum + batch.events.length, 0);
    const readSeconds = [Infinity, Infinity];
    for (let run = 0; run < READ_RUNS; run++) {
      for (const index of [0, 1]) {
        readSeconds[index] = Math.min(readSeconds[index], await timed(async () => assertReadBack(await contenders[index].readAll(), events)));
      }
    }
    return [0, 1].map((index) => ({ append: events / appendSeconds[index], read: events / readSeconds[index] })) as [Throughput, Throughput];
  } finally {
    await Promise.all([first.close(), second.close()]);
  }
}

function adapter(dataDir: string): Contender {
  const store = new SqliteEventStore({ dataDir });
  return {
    append: async (batch) => {
      await store.appendToStream(batch.stream, batch.events, { expectedRevision: batch.revisionBefore < 0n ? 'no_stream' : batch.revisionBefore });
    },
    readAll: async () => {
      let count = 0;
      for await (const _ of store.readAll()) count++;
      return count;
    },
    close: () => store.close(),
  };
}

/** What a hand-written writer that trusts its own revisions would do, with the adapter's file settings and schema. */
function raw(dataDir: string): Contender {
  const db = openEventsDatabase(dataDir);
  const insert = db.prepare('INSERT INTO events (stream_id, revision, event_id, type, data, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const write = db.transaction((batch: Batch) => {
    const createdAt = Date.now();
    batch.events.forEach((event, index) => {
      insert.run(batch.stream, batch.revisionBefore + 1n + BigInt(index), event.id, event.type, JSON.stringify(event.data), JSON.stringify(event.metadata), createdAt);
    });
  }).immediate;
  const select = db.prepare<[], EventRow>(`SELECT ${EVENT_COLUMNS} FROM events ORDER BY position`);
  return {
    append: async (batch) => write(batch),
    readAll: async () => {
      let count = 0;
      for (const row of select.iterate()) {
        void eventFromRow(row);
        count++;
      }
      return count;
    },
    close: async () => {
      db.close();
    },
  };
}

const POSTGRES_WRITERS = [1, 8];

/**
 * Appends per second on PostgreSQL with one writer and with eight concurrent ones (each writer
 * appending to streams of its own, as requests for different payments do), for:
 * - the adapter: its revision and idempotency read, then the insert that takes the position
 *   lock (postgres-append.ts) and notifies;
 * - raw: one insert statement per batch that trusts its revisions and notifies, with no lock;
 * - raw + position lock: the same with the adapter's lock, so the difference to raw is what
 *   drawing positions in commit order costs;
 * - raw, no notify (and the same + position lock): without the NOTIFY, whose server-wide lock
 *   from pre-commit to the end of the commit otherwise orders the commits of notifying writers.
 * There is no target: the figures say what the commit-order positions cost as writers are added
 * (the NOTIFY already serialises the commits of every writer on the server).
 */
async function postgresEventStoreBench(eventCount: number, batchSize: number): Promise<void> {
  const database = await createBenchDatabase();
  const pool = new Pool({ connectionString: database.url, max: Math.max(...POSTGRES_WRITERS) + 2 });
  // The forced drop at the end ends the connections the pool is still closing: that error is expected, any other is not.
  pool.on('error', (error: Error & { code?: string }) => {
    if (error.code !== '57P01') throw error;
  });
  const store = new PostgresEventStore({ pool });
  try {
    await store.identity(); // the schema
    const contenders: Record<string, (batch: Batch) => Promise<unknown>> = {
      adapter: (batch) => store.appendToStream(batch.stream, batch.events, { expectedRevision: batch.revisionBefore < 0n ? 'no_stream' : batch.revisionBefore }),
      raw: (batch) => rawPostgresAppend(pool, batch, { positionLock: false, notify: true }),
      'raw + position lock': (batch) => rawPostgresAppend(pool, batch, { positionLock: true, notify: true }),
      'raw, no notify': (batch) => rawPostgresAppend(pool, batch, { positionLock: false, notify: false }),
      'raw + position lock, no notify': (batch) => rawPostgresAppend(pool, batch, { positionLock: true, notify: false }),
    };
    const names = Object.keys(contenders);
    const table: Record<string, Record<string, number>> = {};
    let run = 0;
    for (const writers of POSTGRES_WRITERS) {
      for (const name of names) await appendConcurrently(contenders[name], batchesOf(WARM_UP_EVENTS, batchSize, `payment-pay_stg_warm${++run}x`), writers);
      // As for sqlite: the contenders take turns on slices, so the disk's drift (and other users
      // of the server) weigh on all of them alike.
      const batches = names.map(() => batchesOf(eventCount, batchSize, `payment-pay_stg_bench${++run}x`));
      const seconds = names.map(() => 0);
      const turnSize = Math.ceil(batches[0].length / TURNS);
      for (let turn = 0; turn < TURNS; turn++) {
        const order = names.map((_, index) => (index + turn) % names.length);
        for (const index of order) seconds[index] += await appendConcurrently(contenders[names[index]], batches[index].slice(turn * turnSize, (turn + 1) * turnSize), writers);
      }
      names.forEach((name, index) => {
        table[`${name}, ${writers} writer${writers === 1 ? '' : 's'}`] = {
          'appends/s': Math.round(batches[index].length / seconds[index]),
          'events/s': Math.round(eventCount / seconds[index]),
        };
      });
    }
    const settings = await pool.query<{ fsync: string; synchronous_commit: string }>("SELECT current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS synchronous_commit");
    console.log(`${eventCount} events in batches of ${batchSize} over ${STREAMS} streams on PostgreSQL (fsync ${settings.rows[0].fsync}, synchronous_commit ${settings.rows[0].synchronous_commit})`);
    console.table(table);
  } finally {
    await store.close();
    await pool.end();
    await database.drop();
  }
}

/** Splits the batches between `writers` lanes by stream, each lane appending in order; returns the seconds taken. */
async function appendConcurrently(append: (batch: Batch) => Promise<unknown>, batches: Batch[], writers: number): Promise<number> {
  const lanes: Batch[][] = Array.from({ length: writers }, () => []);
  batches.forEach((batch, index) => lanes[(index % STREAMS) % writers].push(batch));
  return timed(async () => {
    await Promise.all(lanes.map(async (lane) => {
      for (const batch of lane) await append(batch);
    }));
  });
}

function rawPostgresAppend(pool: Pool, batch: Batch, { positionLock, notify }: { positionLock: boolean; notify: boolean }): Promise<unknown> {
  return pool.query(
    `WITH serialised AS (SELECT ${positionLock ? POSITION_LOCK_SQL : '1'}),
     appended AS (
       INSERT INTO events (position, stream_id, revision, event_id, type, data, metadata)
       SELECT nextval('events_position_seq'), $1, $2::bigint + batch.ordinality, batch.event_id, batch.type, batch.data, batch.metadata
         FROM serialised CROSS JOIN unnest($3::uuid[], $4::text[], $5::json[], $6::json[]) WITH ORDINALITY AS batch (event_id, type, data, metadata, ordinality)
       RETURNING position
     )
     SELECT ${notify ? `pg_notify('${APPENDED_CHANNEL}', max(position)::text)` : 'max(position)'} FROM appended`,
    [
      batch.stream,
      String(batch.revisionBefore),
      batch.events.map((event) => event.id),
      batch.events.map((event) => event.type),
      batch.events.map((event) => JSON.stringify(event.data)),
      batch.events.map((event) => JSON.stringify(event.metadata)),
    ],
  );
}

/** Batches spread round-robin over the streams, as commands on many payments would append them. */
function batchesOf(eventCount: number, batchSize: number, streamPrefix = 'payment-pay_stg_bench'): Batch[] {
  const revisions = new Map<string, bigint>();
  const batches: Batch[] = [];
  for (let first = 0; first < eventCount; first += batchSize) {
    const stream = `${streamPrefix}${batches.length % STREAMS}`;
    const revisionBefore = revisions.get(stream) ?? -1n;
    const events = Array.from({ length: Math.min(batchSize, eventCount - first) }, (_, index) => benchEvent(first + index));
    revisions.set(stream, revisionBefore + BigInt(events.length));
    batches.push({ stream, revisionBefore, events });
  }
  return batches;
}

function benchEvent(sequence: number): EventToAppend {
  return {
    id: randomEventId(),
    type: 'ProcessorAttempted',
    data: { processor_id: 'proc_stg_bench', attempt: sequence % 3, optimized: false, idempotency_key: `pay_stg_bench:${sequence}`, amount: 1250, currency: 'EUR' },
    metadata: { schema_version: 1, account_id: 'acc_stg_bench', correlation_id: `pay_stg_bench${sequence}`, request_id: `req_${sequence}` },
  };
}

async function timed(run: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function assertReadBack(count: number, expected: number): void {
  if (count !== expected) throw new Error(`read ${count} events back, expected ${expected}`);
}

function round(ratio: number): number {
  return Math.round(ratio * 100) / 100;
}
