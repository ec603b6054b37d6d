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
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_COLUMNS, EventRow, EventToAppend, SqliteEventStore, eventFromRow, openEventsDatabase, randomEventId } from '@payments/event-store';
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

/** Batches spread round-robin over the streams, as commands on many payments would append them. */
function batchesOf(eventCount: number, batchSize: number): Batch[] {
  const revisions = new Map<string, bigint>();
  const batches: Batch[] = [];
  for (let first = 0; first < eventCount; first += batchSize) {
    const stream = `payment-pay_stg_bench${batches.length % STREAMS}`;
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
