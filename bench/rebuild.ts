/**
 * Rebuilding every projection (allProjections) from a log of realistic payments into the
 * SQLite read models, against reading the same events raw in the same run: better-sqlite3
 * selecting the rows and decoding them as the adapter does (eventFromRow), which is the floor
 * any projection path stands on. Target: the rebuild at >= 30,000 events/s.
 *
 * The log is made by the real service in this process: checkout sessions paid through
 * cascades (declines, skips of unavailable and unsupported processors, optimized retries, hard
 * declines, second tiers, volume split, cost-optimized and rule-based routes), so its events
 * are the ones production writes, not look-alikes (see makeLog). It is kept in a temporary
 * directory named after LOG_VERSION and the event count, and made again only when either
 * changes (or with --fresh).
 *
 * The rebuild is the CLI's (`npm run cli -- rebuild all`): rebuildProjections into a fresh
 * read-models file, its commits in the SQLite writer thread. Each side runs `runs` times,
 * alternating; the best of each is kept.
 *
 * With --postgres, the same rebuild also runs into PostgreSQL read models (a fresh database of
 * the server at TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test, per run),
 * as the CLI does with POSTGRES_URL: its events/s are printed beside the SQLite rebuild's of
 * the same run. The target is the SQLite rebuild's.
 *
 * Options (or env BENCH_EVENTS / BENCH_RUNS): --events=200000 --runs=3 --fresh --postgres
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_COLUMNS, EventRow, SqliteEventStore, eventFromRow, openEventsDatabase, openEventsDatabaseReadOnly, randomEventId } from '@payments/event-store';
import { Pool } from 'pg';
import { PostgresReadModelStore, ReadModelStore, SqliteReadModelStore, allProjections, rebuildProjections } from '@payments/read-models';
import { DECLINED_05, PaymentShop, card } from '../test/support/payment-shop';
import { startTestApp } from '../test/support/test-app';
import { BENCH_POSTGRES_URL, createBenchDatabase } from './bench-postgres';
import { positiveInteger } from './options';

const TARGET_EVENTS_PER_SECOND = 30_000;
/** Bump when the generator below changes, so that no run measures a log made the old way. */
const LOG_VERSION = 1;
const FLOWS_IN_FLIGHT = 16;
/** Sessions the service pays for the log; the rest of it is copies of theirs. */
const TEMPLATE_FLOWS = 720;

export async function rebuildBench(options: Map<string, string>): Promise<void> {
  const eventCount = positiveInteger(options.get('events') ?? process.env.BENCH_EVENTS, 200_000, 'events');
  const runs = positiveInteger(options.get('runs') ?? process.env.BENCH_RUNS, 3, 'runs');
  const logDir = join(tmpdir(), `payments-bench-rebuild-log-v${LOG_VERSION}-${eventCount}`);
  if (options.has('fresh') || !existsSync(join(logDir, 'complete'))) await makeLog(logDir, eventCount);
  const events = readEvents(logDir);
  console.log(`${events.count} events (${events.types}) in ${logDir}`);

  const postgres = options.has('postgres');
  let raw = Infinity;
  let rebuilt = Infinity;
  let rebuiltPostgres = Infinity;
  for (let run = 0; run < runs; run++) {
    raw = Math.min(raw, await timed(async () => assertCount(readRaw(logDir), events.count)));
    rebuilt = Math.min(rebuilt, await timed(() => rebuildInto(logDir)));
    if (postgres) rebuiltPostgres = Math.min(rebuiltPostgres, await timedRebuildIntoPostgres(logDir));
  }
  const rebuildRate = events.count / rebuilt;
  console.log(`${allProjections.length} projections (${allProjections.map((projection) => projection.name).join(', ')}); best of ${runs} runs each`);
  console.table({
    'raw read (better-sqlite3 + eventFromRow)': { 'events/s': Math.round(events.count / raw), seconds: round(raw) },
    'rebuild all into SQLite read models': { 'events/s': Math.round(rebuildRate), seconds: round(rebuilt) },
    ...(postgres ? { [`rebuild all into PostgreSQL read models (${new URL(BENCH_POSTGRES_URL).host})`]: { 'events/s': Math.round(events.count / rebuiltPostgres), seconds: round(rebuiltPostgres) } } : {}),
  });
  console.log(`rebuild/raw read: ${round(raw / rebuilt)}`);
  const met = rebuildRate >= TARGET_EVENTS_PER_SECOND;
  console.log(`target rebuild >= ${TARGET_EVENTS_PER_SECOND} events/s: ${met ? 'met' : 'NOT met'}`);
  if (!met) process.exitCode = 1;
}

/** The CLI's rebuild of every projection, into a read-models file of its own. */
async function rebuildInto(logDir: string): Promise<void> {
  const readModelsDir = mkdtempSync(join(tmpdir(), 'bench-rebuild-read-models-'));
  // As the CLI opens it (apps/cli/src/stores.ts).
  const readModels = new SqliteReadModelStore({ dataDir: readModelsDir, largeCommits: true });
  try {
    await rebuildEvents(logDir, readModels);
  } finally {
    await readModels.close();
    rmSync(readModelsDir, { recursive: true, force: true });
  }
}

/** The same rebuild into PostgreSQL read models on a fresh database, its schema made before the clock starts; answers the seconds taken. */
async function timedRebuildIntoPostgres(logDir: string): Promise<number> {
  const database = await createBenchDatabase();
  // As the CLI opens it (apps/cli/src/stores.ts).
  const pool = new Pool({ connectionString: database.url, max: 2 });
  try {
    const readModels = new PostgresReadModelStore(pool);
    await readModels.ping();
    return await timed(() => rebuildEvents(logDir, readModels));
  } finally {
    await pool.end();
    await database.drop();
  }
}

async function rebuildEvents(logDir: string, readModels: ReadModelStore): Promise<void> {
  const events = new SqliteEventStore({ dataDir: logDir, readOnly: true });
  try {
    await rebuildProjections(allProjections, events, readModels);
  } finally {
    await events.close();
  }
}

function readRaw(logDir: string): number {
  const db = openEventsDatabaseReadOnly(logDir);
  try {
    let count = 0;
    for (const row of db.prepare<[], EventRow>(`SELECT ${EVENT_COLUMNS} FROM events ORDER BY position`).iterate()) {
      void eventFromRow(row);
      count++;
    }
    return count;
  } finally {
    db.close();
  }
}

function readEvents(logDir: string): { count: number; types: string } {
  const db = openEventsDatabaseReadOnly(logDir);
  try {
    const byType = db.prepare('SELECT type, count(*) AS n FROM events GROUP BY type ORDER BY n DESC').all() as { type: string; n: number }[];
    const count = byType.reduce((sum, { n }) => sum + n, 0);
    return { count, types: `${byType.length} types, most ${byType.slice(0, 4).map(({ type, n }) => `${type} ${n}`).join(', ')}` };
  } finally {
    db.close();
  }
}

/**
 * The log: the real service pays TEMPLATE_FLOWS checkout sessions (one merchant, six
 * processors, six routes), then that stretch of its log is appended again and again, each copy
 * with new session and payment ids (and event ids), until the log holds `eventCount` events.
 * Paying 200,000 events' worth through the service would take a quarter of an hour on this
 * machine; the copies are the events it writes, renamed. (A copied volume-split payment keeps
 * the draw of the id it was copied from; no projection reads the draw.)
 */
async function makeLog(logDir: string, eventCount: number): Promise<void> {
  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });
  console.log(`making a log of ${eventCount} events (kept for later runs in ${logDir})`);
  const started = Date.now();
  const t = await startTestApp({ RATE_LIMIT_PER_SECOND: '1000000' }, { dataDir: logDir });
  let setUp: number;
  try {
    const shop = await PaymentShop.open(t);
    const flows = await merchant(shop);
    setUp = lastPosition(logDir);
    for (let round = 0; round * FLOWS_IN_FLIGHT < TEMPLATE_FLOWS; round++) {
      await Promise.all(Array.from({ length: FLOWS_IN_FLIGHT }, (_, index) => flows[(round * FLOWS_IN_FLIGHT + index) % flows.length]()));
    }
  } finally {
    await t.close();
  }
  const template = lastPosition(logDir);
  console.log(`  the service paid ${TEMPLATE_FLOWS} sessions in ${Math.round((Date.now() - started) / 1000)} s: ${template} events`);
  appendCopies(logDir, setUp, eventCount);
  writeFileSync(join(logDir, 'complete'), `${new Date().toISOString()}\n`);
  console.log(`  made in ${Math.round((Date.now() - started) / 1000)} s`);
}

/** Appends copies of the log after `setUp`, ids renamed, until it holds `eventCount` events. */
function appendCopies(logDir: string, setUp: number, eventCount: number): void {
  const db = openEventsDatabase(logDir);
  try {
    const flows = db.prepare('SELECT stream_id, type, data, metadata, created_at FROM events WHERE position > ? ORDER BY position').all(setUp) as EventRow[];
    const revisions = new Map((db.prepare('SELECT stream_id, max(revision) AS revision FROM events GROUP BY stream_id').all() as { stream_id: string; revision: number }[]).map((row) => [row.stream_id, row.revision]));
    const insert = db.prepare('INSERT INTO events (stream_id, revision, event_id, type, data, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    let count = db.prepare('SELECT count(*) FROM events').pluck().get() as number;
    db.transaction(() => {
      while (count < eventCount) {
        const renamed = new Map<string, string>();
        const rename = (text: string) => text.replace(FLOW_ID, (id) => renamed.get(id) ?? renamed.set(id, freshId(id)).get(id)!);
        for (const row of flows) {
          if (count >= eventCount) break;
          const stream = rename(row.stream_id);
          const revision = (revisions.get(stream) ?? -1) + 1;
          revisions.set(stream, revision);
          insert.run(stream, revision, randomEventId(), row.type, rename(row.data), rename(row.metadata), row.created_at);
          count++;
        }
      }
    })();
  } finally {
    db.close();
  }
}

/** The ids a paid session brings: its own and its payment's. */
const FLOW_ID = /\b(cs|pay)_stg_[A-Za-z0-9]{16,}\b/g;

function freshId(id: string): string {
  const prefix = id.slice(0, id.indexOf('_stg_') + 5);
  return prefix + randomBytes(15).toString('base64url').replace(/[-_]/g, 'x').slice(0, 20);
}

function lastPosition(logDir: string): number {
  const db = openEventsDatabaseReadOnly(logDir);
  try {
    return (db.prepare('SELECT coalesce(max(position), 0) FROM events').pluck().get() as number) ?? 0;
  } finally {
    db.close();
  }
}

/** The merchant's processors, routes and prices, and the flows it sees: each opens a session and pays it. */
async function merchant(shop: PaymentShop): Promise<(() => Promise<void>)[]> {
  const declining = await shop.processor('Declines 05', { simulator: { outcome: 'decline', decline_code: '05' }, fees: { percent: 2.9, fixed: 30 } });
  const down = await shop.processor('Down', { status: 'unavailable' });
  const approving = await shop.processor('Approves', { fees: { percent: 2.5, fixed: 25 } });
  const euros = await shop.processor('Euros only', { supported_currencies: ['EUR'], fees: { percent: 1.5, fixed: 10 } });
  const retrying = await shop.processor('Approves the optimized retry', { simulator: { outcome: 'decline', decline_code: '05', approve_optimized_retry: true }, fees: { percent: 2, fixed: 20 } });
  const hard = await shop.processor('Declines 14', { simulator: { outcome: 'decline', decline_code: '14' } });
  const cascade = await shop.route([declining, down, approving]);
  const split = await shop.route([approving, retrying], {
    strategy: 'volume_split',
    processors: [{ processor_id: approving, split: 40 }, { processor_id: retrying, split: 60 }],
    optimized_retry: true,
  });
  const cheapest = await shop.route([declining, euros, approving], { strategy: 'cost_optimized' });
  const hardDeclines = await shop.route([hard, approving], { failover: { decline_codes: ['05', '51'] } });
  const byAmount = await shop.route([declining, approving], {
    strategy: 'rule_based',
    rules: [{ conditions: [{ field: 'amount', operator: 'greater_than', value: 5000 }], processors: [{ processor_id: approving }] }],
  });
  const failing = await shop.route([declining]);
  const product = await shop.create('/v1/products', { name: 'Bench plan' });
  const prices = new Map<number, string>();
  for (const amount of [1500, 2500, 3000, 4900, 5000, 6000, 7500, 7900, 9900]) prices.set(amount, await shop.create('/v1/prices', { product_id: product, unit_amount: amount, currency: 'USD' }));
  const lineItems = (amount: number) => [{ price_id: prices.get(amount)!, quantity: 1 }];
  const pay = (tiers: readonly { amount: number; route?: string }[], route: string | null, number?: string) => async () => {
    const [first, ...cascadeTiers] = tiers;
    const session = await shop.create('/v1/checkout/sessions', {
      line_items: lineItems(first.amount),
      cascade_line_items: cascadeTiers.map((tier) => ({ line_items: lineItems(tier.amount), processor_route_id: tier.route ?? null })),
      processor_route_id: first.route ?? route,
      success_url: 'https://shop.example/ok',
    });
    await shop.pay(session, { payment_method: card(number) }).expect(201);
  };
  return [
    pay([{ amount: 4900 }], cascade),
    pay([{ amount: 2500 }], split),
    pay([{ amount: 7500 }, { amount: 5000 }], cheapest),
    pay([{ amount: 9900 }, { amount: 4900, route: cheapest }], hardDeclines),
    pay([{ amount: 6000 }], byAmount),
    pay([{ amount: 3000 }], byAmount),
    pay([{ amount: 9900, route: failing }, { amount: 7900, route: cascade }], null),
    pay([{ amount: 4900 }], cascade, DECLINED_05),
    pay([{ amount: 1500 }], null),
  ];
}

async function timed(run: () => unknown): Promise<number> {
  const started = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function assertCount(count: number, expected: number): void {
  if (count !== expected) throw new Error(`read ${count} events, expected ${expected}`);
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
