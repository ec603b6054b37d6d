/**
 * A mixed workload for a fixed time against the service in a child process, from a load
 * generator in this process: each of `connections` clients, over and over, opens a checkout
 * session, pays it through a cascade of 1, 2 or 3 attempts (simulators that decline or approve
 * every time), captures and refunds the manual-capture ones, reads the payment and the session
 * and lists payments; one more client follows GET /v1/events/stream. Prints each operation's
 * rate, p50/p99/p99.9 and errors, beside GET /health loaded by the same generator over the same
 * connections in the same run; then SIGKILLs the service and compares the payments, captures and
 * refunds it acknowledged with those in its SQLite events file: they must be equal (exit 1 if
 * not, or on any error).
 *
 * `soak` (soakBench) is the same load for 10 minutes, with the service's RSS and the p99 of the
 * first minute and the last printed side by side: no growth beyond 20 % (exit 1).
 *
 * Options: --seconds=60 (load) / --minutes=10 (soak) --connections=10 --baseline-seconds=10
 * --warm-up-seconds=10 --redis=redis://127.0.0.1:6379 (the service's REDIS_URL; default none)
 */
import { DDSketch } from '@datadog/sketches-js';
import Database from 'better-sqlite3';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Pool } from 'undici';
import { openEventsDatabaseReadOnly } from '@payments/event-store';
import { card } from '../test/support/payment-shop';
import { positiveInteger } from './options';
import { BenchService, BenchShop, startBenchService } from './service';

const TARGET_GROWTH = 0.2;
const RSS_SAMPLE_MS = 5_000;
const STREAM_CATCH_UP_MS = 30_000;
const ERRORS_SHOWN = 5;
const REFUND_AMOUNT = 1000;

type Operation = 'create session' | 'pay' | 'capture' | 'refund' | 'read payment' | 'read session' | 'list payments' | 'GET /health';

/** Latencies and errors per operation, and per minute of the run for the soak. */
class Recorder {
  readonly operations = new Map<Operation, { latencies: DDSketch; errors: number }>();
  readonly minutes: DDSketch[] = [];
  readonly errorSamples: string[] = [];
  readonly started = performance.now();
  lastAnswer = this.started;

  record(operation: Operation, ms: number, error?: string): void {
    let stats = this.operations.get(operation);
    if (stats === undefined) this.operations.set(operation, (stats = { latencies: new DDSketch({ relativeAccuracy: 0.01 }), errors: 0 }));
    this.lastAnswer = performance.now();
    if (error !== undefined) {
      stats.errors++;
      if (this.errorSamples.length < ERRORS_SHOWN) this.errorSamples.push(`${operation}: ${error}`);
      return;
    }
    stats.latencies.accept(ms);
    const minute = Math.floor((this.lastAnswer - this.started) / 60_000);
    (this.minutes[minute] ??= new DDSketch({ relativeAccuracy: 0.01 })).accept(ms);
  }

  get seconds(): number {
    return (this.lastAnswer - this.started) / 1000;
  }

  get requests(): number {
    return [...this.operations.values()].reduce((sum, { latencies, errors }) => sum + latencies.count + errors, 0);
  }

  get errors(): number {
    return [...this.operations.values()].reduce((sum, { errors }) => sum + errors, 0);
  }

  table(): Record<string, object> {
    const rows: Record<string, object> = {};
    for (const [operation, { latencies, errors }] of this.operations) {
      const quantile = (q: number) => (latencies.count === 0 ? NaN : Number(latencies.getValueAtQuantile(q).toFixed(1)));
      rows[operation] = { 'requests/s': Math.round(latencies.count / this.seconds), ok: latencies.count, errors, 'p50 ms': quantile(0.5), 'p99 ms': quantile(0.99), 'p99.9 ms': quantile(0.999) };
    }
    return rows;
  }
}

/** What the service answered 2xx to: the ids it acknowledged. */
interface Acknowledged {
  payments: Set<string>;
  captures: Set<string>;
  refunds: Set<string>;
}

interface Scenario {
  routes: string[];
  price: string;
  secret: string;
}

export async function loadBench(options: Map<string, string>): Promise<void> {
  const seconds = positiveInteger(options.get('seconds') ?? process.env.BENCH_SECONDS, 60, 'seconds');
  await runLoad(options, seconds, false);
}

export async function soakBench(options: Map<string, string>): Promise<void> {
  const minutes = positiveInteger(options.get('minutes') ?? process.env.BENCH_MINUTES, 10, 'minutes');
  if (minutes < 2) throw new Error('--minutes must be at least 2: the first minute and the last are compared');
  await runLoad(options, minutes * 60, true);
}

async function runLoad(options: Map<string, string>, seconds: number, soak: boolean): Promise<void> {
  const connections = positiveInteger(options.get('connections') ?? process.env.BENCH_CONNECTIONS, 10, 'connections');
  const baselineSeconds = positiveInteger(options.get('baseline-seconds'), 10, 'baseline-seconds');
  const warmUpSeconds = positiveInteger(options.get('warm-up-seconds'), 10, 'warm-up-seconds');
  const redisUrl = options.get('redis') || undefined;
  const service = await startBenchService({ redisUrl });
  const pool = new Pool(service.url, { connections, pipelining: 1 });
  let stream: EventStreamFollower | undefined;
  try {
    const shop = await BenchShop.open(service);
    const scenario = await scenarioOf(shop);
    const acknowledged: Acknowledged = { payments: new Set(), captures: new Set(), refunds: new Set() };
    stream = EventStreamFollower.open(service.url, shop.secret);

    // Warm up both paths (the JIT, SQLite's caches), then measure the baseline and the load.
    await drive(connections, warmUpSeconds, new Recorder(), (recorder) => journey(pool, scenario, recorder, acknowledged));
    await drive(connections, Math.min(2, warmUpSeconds), new Recorder(), (recorder) => health(pool, recorder));
    const baseline = new Recorder();
    await drive(connections, baselineSeconds, baseline, (recorder) => health(pool, recorder));
    const rss: Array<{ at: number; bytes: number }> = [];
    const load = new Recorder();
    const sampling = soak ? sampleRss(service.url, load, rss, seconds) : Promise.resolve();
    await drive(connections, seconds, load, (recorder) => journey(pool, scenario, recorder, acknowledged));
    await sampling;

    const streamed = await stream.untilSeen(acknowledged.payments, STREAM_CATCH_UP_MS);
    await pool.close();
    stream.close();
    await service.kill();
    const stored = storedIn(service.dataDir);

    console.log(`${seconds} s of mixed load over ${connections} connections (after ${warmUpSeconds} s of warm-up) and ${baselineSeconds} s of GET /health over the same connections, from this process; the service in a child process${redisUrl ? `, with REDIS_URL=${redisUrl}` : ', SQLite only'}`);
    console.table({ ...load.table(), 'all mixed requests': total(load), 'baseline GET /health': total(baseline) });
    const ratio = load.requests / load.seconds / (baseline.requests / baseline.seconds);
    console.log(`mixed requests/s over GET /health requests/s (same run, same generator): ${ratio.toFixed(3)}`);
    if (load.errorSamples.length > 0) console.log(`first errors:\n  ${load.errorSamples.join('\n  ')}`);
    console.log(`event stream: ${stream.events} events followed; ${streamed} of ${acknowledged.payments.size} acknowledged payments seen settled on it`);

    const comparison = {
      payments: compare(acknowledged.payments, stored.payments),
      captures: compare(acknowledged.captures, stored.captures),
      refunds: compare(acknowledged.refunds, stored.refunds),
    };
    console.table(comparison);
    const equal = Object.values(comparison).every(({ missing, unacknowledged }) => missing === 0 && unacknowledged === 0);
    console.log(`acknowledged vs stored after SIGKILL: ${equal ? 'equal' : 'NOT equal'}`);
    let met = equal && load.errors === 0 && streamed === acknowledged.payments.size;
    if (soak) met = printSoak(load, rss, seconds) && met;
    console.log(`${soak ? 'soak' : 'load'}: ${met ? 'met' : 'NOT met'}`);
    if (!met) process.exitCode = 1;
  } finally {
    stream?.close();
    await pool.destroy().catch(() => undefined);
    await service.stop();
  }
}

/** Three routes (1, 2 and 3 attempts before the approval) and a price for the sessions. */
async function scenarioOf(shop: BenchShop): Promise<Scenario> {
  const processor = (name: string, settings: object = {}) => shop.create('/v1/processors', { name, connector: 'simulator', ...settings });
  const decliningA = await processor('Declining A', { simulator: { outcome: 'decline', decline_code: '05' } });
  const decliningB = await processor('Declining B', { simulator: { outcome: 'decline', decline_code: '51' } });
  const approving = await processor('Approving', { simulator: { outcome: 'approve', refund_outcome: 'succeed' } });
  const route = (name: string, processors: string[]) =>
    shop.create('/v1/processor-routes', { name, processors: processors.map((processor_id) => ({ processor_id })), strategy: 'priority', failover: { on: ['decline'] } });
  const routes = [await route('One attempt', [approving]), await route('Two attempts', [decliningA, approving]), await route('Three attempts', [decliningA, decliningB, approving])];
  const product = await shop.create('/v1/products', { name: 'Load plan' });
  const price = await shop.create('/v1/prices', { product_id: product, unit_amount: 5000, currency: 'USD' });
  return { routes, price, secret: shop.secret };
}

let journeys = 0;

/**
 * One customer's visit and the merchant's follow-up: the route and capture method go round, so
 * every cascade length is paid both ways. Stops at the first unexpected answer (it is counted).
 */
async function journey(pool: Pool, scenario: Scenario, recorder: Recorder, acknowledged: Acknowledged): Promise<void> {
  const n = journeys++;
  const manual = Math.floor(n / scenario.routes.length) % 2 === 1;
  const call = (operation: Operation, method: 'GET' | 'POST', path: string, expected: number, body?: object) => timed(pool, recorder, operation, method, path, expected, scenario.secret, body);
  const session = await call('create session', 'POST', '/v1/checkout/sessions', 201, {
    line_items: [{ price_id: scenario.price, quantity: 1 }],
    processor_route_id: scenario.routes[n % scenario.routes.length],
    capture_method: manual ? 'manual' : 'automatic',
    success_url: 'https://shop.example/ok',
  });
  if (session === undefined) return;
  const payment = await call('pay', 'POST', `/v1/checkout/sessions/${session.id}/pay`, 201, { payment_method: card() });
  if (payment === undefined) return;
  const expectedStatus = manual ? 'requires_capture' : 'succeeded';
  if (payment.status !== expectedStatus) {
    recorder.record('pay', 0, `payment ${payment.id} is ${payment.status}, not ${expectedStatus}`);
    return;
  }
  acknowledged.payments.add(payment.id);
  if (manual) {
    const captured = await call('capture', 'POST', `/v1/payments/${payment.id}/capture`, 200, {});
    if (captured === undefined) return;
    acknowledged.captures.add(payment.id);
    const refund = await call('refund', 'POST', `/v1/payments/${payment.id}/refunds`, 201, { amount: REFUND_AMOUNT });
    if (refund === undefined) return;
    if (refund.status === 'succeeded') acknowledged.refunds.add(refund.id);
    else recorder.record('refund', 0, `refund ${refund.id} is ${refund.status}`);
  }
  await call('read payment', 'GET', `/v1/payments/${payment.id}`, 200);
  await call('read session', 'GET', `/v1/checkout/sessions/${session.id}`, 200);
  await call('list payments', 'GET', '/v1/payments?limit=10', 200);
}

async function health(pool: Pool, recorder: Recorder): Promise<void> {
  await timed(pool, recorder, 'GET /health', 'GET', '/health', 200);
}

interface Answer {
  id: string;
  status: string;
}

/** One request, timed and recorded; its body when the status is the expected one. */
async function timed(pool: Pool, recorder: Recorder, operation: Operation, method: 'GET' | 'POST', path: string, expected: number, secret?: string, body?: object): Promise<Answer | undefined> {
  const started = performance.now();
  try {
    const res = await pool.request({
      method,
      path,
      headers: { ...(secret ? { authorization: `Bearer ${secret}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.body.text();
    const ms = performance.now() - started;
    if (res.statusCode !== expected) {
      recorder.record(operation, ms, `${method} ${path} answered ${res.statusCode}: ${text.slice(0, 300)}`);
      return undefined;
    }
    recorder.record(operation, ms);
    return JSON.parse(text) as Answer;
  } catch (error) {
    recorder.record(operation, performance.now() - started, `${method} ${path} failed: ${String(error)}`);
    return undefined;
  }
}

/** Runs `connections` loops of `step` until `seconds` have passed; steps in flight finish. */
async function drive(connections: number, seconds: number, recorder: Recorder, step: (recorder: Recorder) => Promise<void>): Promise<void> {
  const deadline = recorder.started + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) await step(recorder);
    }),
  );
}

function total(recorder: Recorder): object {
  return { 'requests/s': Math.round(recorder.requests / recorder.seconds), ok: recorder.requests - recorder.errors, errors: recorder.errors };
}

/** The service's RSS from its own /metrics every few seconds while the load runs. */
async function sampleRss(url: string, recorder: Recorder, samples: Array<{ at: number; bytes: number }>, seconds: number): Promise<void> {
  const client = new Client(url);
  try {
    while (performance.now() < recorder.started + seconds * 1000) {
      const res = await client.request({ method: 'GET', path: '/metrics' });
      const match = /^process_resident_memory_bytes (\d+)/m.exec(await res.body.text());
      if (match === null) throw new Error('/metrics has no process_resident_memory_bytes');
      samples.push({ at: (performance.now() - recorder.started) / 1000, bytes: Number(match[1]) });
      await sleep(RSS_SAMPLE_MS);
    }
  } finally {
    await client.close();
  }
}

/**
 * First minute against last: the median RSS sample and the p99 of every mixed request; and each
 * minute's, so that a cache filling up (growth that stops) shows apart from a leak (growth that
 * goes on).
 */
function printSoak(recorder: Recorder, rss: ReadonlyArray<{ at: number; bytes: number }>, seconds: number): boolean {
  // The run's last full minute: answers to requests in flight at the deadline land after it.
  const last = Math.floor(seconds / 60) - 1;
  const medianRss = (minute: number) => {
    const inMinute = rss.filter(({ at }) => at >= minute * 60 && at < (minute + 1) * 60).map(({ bytes }) => bytes).sort((a, b) => a - b);
    return inMinute[Math.floor(inMinute.length / 2)];
  };
  const ofMinute = (minute: number) => ({ rss: medianRss(minute), p99: recorder.minutes[minute]?.getValueAtQuantile(0.99) ?? NaN, requests: recorder.minutes[minute]?.count ?? 0 });
  const minutes = Array.from({ length: last + 1 }, (_, minute) => ofMinute(minute));
  console.table(Object.fromEntries(minutes.map((minute, index) => [`minute ${index + 1}`, { 'RSS MB': mb(minute.rss), 'p99 ms': minute.p99.toFixed(1), requests: minute.requests }])));
  const [first, final] = [minutes[0], minutes[last]];
  const growth = { rss: final.rss / first.rss - 1, p99: final.p99 / first.p99 - 1 };
  console.table({
    'RSS MB (median of 5 s samples)': { 'first minute': mb(first.rss), [`minute ${last + 1}`]: mb(final.rss), growth: percent(growth.rss) },
    'p99 ms (all mixed requests)': { 'first minute': first.p99.toFixed(1), [`minute ${last + 1}`]: final.p99.toFixed(1), growth: percent(growth.p99) },
    'requests answered': { 'first minute': first.requests, [`minute ${last + 1}`]: final.requests, growth: percent(final.requests / first.requests - 1) },
  });
  const met = growth.rss <= TARGET_GROWTH && growth.p99 <= TARGET_GROWTH;
  console.log(`soak target: RSS and p99 grow no more than ${TARGET_GROWTH * 100} % from the first minute to the last: ${met ? 'met' : 'NOT met'}`);
  return met;
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const percent = (fraction: number) => `${(fraction * 100).toFixed(1)} %`;

function compare(acknowledged: ReadonlySet<string>, stored: ReadonlySet<string>) {
  return {
    acknowledged: acknowledged.size,
    stored: stored.size,
    missing: [...acknowledged].filter((id) => !stored.has(id)).length,
    unacknowledged: [...stored].filter((id) => !acknowledged.has(id)).length,
  };
}

/**
 * The settled payments, captures and refunds in the events file, read after the service is
 * gone. A payment counts once it is approved (PaymentSucceeded, or PaymentAuthorized for manual
 * capture): that is what the pay answer acknowledged.
 */
function storedIn(dataDir: string): Acknowledged {
  const db: Database.Database = openEventsDatabaseReadOnly(dataDir);
  try {
    const rows = db
      .prepare("SELECT stream_id, type, data FROM events WHERE stream_id LIKE 'payment-%' AND type IN ('PaymentSucceeded', 'PaymentAuthorized', 'PaymentCaptured', 'RefundSucceeded')")
      .all() as Array<{ stream_id: string; type: string; data: string }>;
    const stored: Acknowledged = { payments: new Set(), captures: new Set(), refunds: new Set() };
    for (const { stream_id, type, data } of rows) {
      const paymentId = stream_id.slice('payment-'.length);
      if (type === 'PaymentCaptured') stored.captures.add(paymentId);
      else if (type === 'RefundSucceeded') stored.refunds.add((JSON.parse(data) as { refund_id: string }).refund_id);
      else stored.payments.add(paymentId);
    }
    return stored;
  } finally {
    db.close();
  }
}

/** A client following GET /v1/events/stream from the start, noting each payment that settles. */
class EventStreamFollower {
  events = 0;
  private readonly settled = new Set<string>();
  private readonly aborted = new AbortController();
  private failure: unknown;

  private constructor() {}

  static open(url: string, secret: string): EventStreamFollower {
    const follower = new EventStreamFollower();
    follower.follow(url, secret).catch((error: unknown) => {
      if (!follower.aborted.signal.aborted) follower.failure = error;
    });
    return follower;
  }

  /** How many of `payments` the stream has shown settled, waiting up to `timeoutMs` for all. */
  async untilSeen(payments: ReadonlySet<string>, timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    const seen = () => [...payments].filter((id) => this.settled.has(id)).length;
    while (seen() < payments.size && Date.now() < deadline && this.failure === undefined) await sleep(50);
    if (this.failure !== undefined) console.log(`the event stream failed: ${String(this.failure)}`);
    return seen();
  }

  close(): void {
    this.aborted.abort();
  }

  private async follow(url: string, secret: string): Promise<void> {
    const client = new Client(url, { bodyTimeout: 0 });
    const res = await client.request({ method: 'GET', path: '/v1/events/stream?after=0', headers: { authorization: `Bearer ${secret}`, accept: 'text/event-stream' }, signal: this.aborted.signal });
    if (res.statusCode !== 200) throw new Error(`GET /v1/events/stream answered ${res.statusCode}`);
    let pending = '';
    res.body.setEncoding('utf8');
    for await (const chunk of res.body) {
      const blocks = (pending + (chunk as string)).split('\n\n');
      pending = blocks.pop() ?? '';
      for (const block of blocks) {
        const data = block.split('\n').find((line) => line.startsWith('data:'));
        if (data === undefined) continue;
        this.events++;
        const event = JSON.parse(data.slice('data:'.length)) as { type: string; stream: string };
        if (event.type === 'PaymentSucceeded' || event.type === 'PaymentAuthorized') this.settled.add(event.stream.slice('payment-'.length));
      }
    }
  }
}
