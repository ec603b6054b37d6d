/**
 * Payments per second through the whole cascade over HTTP, against a trivial route of the same
 * service measured the same way. Each payment declines softly on a first processor, skips an
 * unavailable second one and is approved by the third: two processor calls, eight events in the
 * payment's stream and the session's and route's events besides, all in SQLite (synchronous=FULL).
 * Target: >= 1000 payments/s, or >= 0.10 of the trivial route's requests/s.
 *
 * The service runs in a child process of its own (bench/service.ts), and autocannon loads it
 * over loopback from this process, so the service's event loop serves only the service. A
 * session is paid once, so the sessions are opened before the clock starts.
 *
 * Options (or env BENCH_PAYMENTS / BENCH_CONNECTIONS / BENCH_TRIVIAL / BENCH_ROUNDS):
 * --payments=1500 --connections=10 --trivial=15000 --rounds=3
 * --store=postgres [--processes=1,2]: the same on PostgreSQL (POSTGRES_URL, a fresh database per
 * deployment on TEST_POSTGRES_URL's server), once per process count, the payments spread over the
 * processes; the trivial route is measured on the first process of each deployment.
 */
import autocannon from 'autocannon';
import { card } from '../test/support/payment-shop';
import { bearer } from '../test/support/test-app';
import { positiveInteger } from './options';
import { randomBytes } from 'node:crypto';
import { createBenchDatabase } from './bench-postgres';
import { BenchService, BenchShop, startBenchService } from './service';

const TARGET_PAYMENTS_PER_SECOND = 1000;
const TARGET_RATIO = 0.1;
const WARM_UP_PAYMENTS = 200;
const WARM_UP_TRIVIAL = 2_000;
const SESSIONS_IN_FLIGHT = 20;
const SAMPLED_PAYMENTS = 5;
const EXPECTED_EVENTS = [
  'PaymentStarted',
  'TierStarted',
  'ProcessorAttempted',
  'ProcessorDeclined',
  'ProcessorSkipped',
  'ProcessorAttempted',
  'ProcessorApproved',
  'PaymentSucceeded',
];

interface Load {
  perSecond: number;
  /** From the first request to the last answer. */
  seconds: number;
  p50: number;
  p99: number;
}

export async function cascadeBench(options: Map<string, string>): Promise<void> {
  const settings: Settings = {
    payments: positiveInteger(options.get('payments') ?? process.env.BENCH_PAYMENTS, 1500, 'payments'),
    connections: positiveInteger(options.get('connections') ?? process.env.BENCH_CONNECTIONS, 10, 'connections'),
    trivialRequests: positiveInteger(options.get('trivial') ?? process.env.BENCH_TRIVIAL, 15_000, 'trivial'),
    rounds: positiveInteger(options.get('rounds') ?? process.env.BENCH_ROUNDS, 3, 'rounds'),
  };
  const store = options.get('store') ?? 'sqlite';
  if (store === 'sqlite') {
    const service = await startBenchService();
    try {
      if (!(await measure([service], 'one process on SQLite', settings))) process.exitCode = 1;
    } finally {
      await service.stop();
    }
    return;
  }
  if (store !== 'postgres') throw new Error(`--store must be sqlite or postgres, got "${store}"`);
  // One deployment per process count, each on a fresh database: 1 and 2 processes by default.
  const counts = (options.get('processes') ?? '1,2').split(',').map((count) => positiveInteger(count, 1, 'processes'));
  const results: string[] = [];
  for (const count of counts) {
    const database = await createBenchDatabase();
    const shared = { POSTGRES_URL: database.url, CARD_FINGERPRINT_SECRET: randomBytes(16).toString('hex'), SECRETS_KEY: randomBytes(32).toString('base64'), PUBLIC_URL: 'https://pay.bench.example' };
    const services: BenchService[] = [];
    try {
      for (let i = 0; i < count; i++) services.push(await startBenchService({ env: shared }));
      const label = `${count} process${count === 1 ? '' : 'es'} on PostgreSQL`;
      const met = await measure(services, label, settings);
      results.push(`${label}: target ${met ? 'met' : 'NOT met'}`);
    } finally {
      await Promise.all(services.map((service) => service.stop()));
      await database.drop();
    }
  }
  console.log(results.join('\n'));
}

interface Settings {
  payments: number;
  connections: number;
  trivialRequests: number;
  rounds: number;
}

/**
 * Pays through the cascade, the sessions spread evenly over the deployment's processes (as a load
 * balancer would) with the connections split between them, in rounds alternating with GET /health
 * on the first process: the same-run trivial route the ratio is taken against.
 */
async function measure(services: readonly BenchService[], label: string, { payments, connections, trivialRequests, rounds }: Settings): Promise<boolean> {
  const [first] = services;
  const shop = await BenchShop.open(first);
  const session = await sessionThroughCascade(shop);

  const setUpStarted = performance.now();
  const warmUpSessions = await openSessions(shop, session, WARM_UP_PAYMENTS);
  const measuredSessions = await openSessions(shop, session, payments);
  const setUpSeconds = (performance.now() - setUpStarted) / 1000;
  console.log(`${label}: ${WARM_UP_PAYMENTS + payments} checkout sessions opened in ${setUpSeconds.toFixed(1)} s (not measured)`);

  // Warm both paths up, so neither pays for the JIT in the measured run.
  await payAcross(services, shop, warmUpSessions, connections);
  await load(`${first.url}/health`, { connections, amount: WARM_UP_TRIVIAL });
  // Rounds alternate the two loads, so a machine that slows down or speeds up meanwhile
  // (a shared VM does) weighs on both; the medians are compared.
  const table: Record<string, ReturnType<typeof row>> = {};
  const cascades: Load[] = [];
  const trivials: Load[] = [];
  for (let round = 1; round <= rounds; round++) {
    const cascade = await payAcross(services, shop, share(measuredSessions, round, rounds), connections);
    const trivial = await load(`${first.url}/health`, { connections, amount: Math.ceil(trivialRequests / rounds) });
    cascades.push(cascade);
    trivials.push(trivial);
    table[`round ${round}: POST /v1/checkout/sessions/{id}/pay`] = row(cascade);
    table[`round ${round}: GET /health`] = row(trivial);
  }
  await verifyPayments(shop, WARM_UP_PAYMENTS + payments);

  const cascade = median(cascades);
  const trivial = median(trivials);
  const ratio = cascade.perSecond / trivial.perSecond;
  console.log(
    `${label}: ${payments} payments and ${trivialRequests} GET /health (first process) in ${rounds} alternating rounds, over ${connections} connections on 127.0.0.1; services in child processes, load from this one`,
  );
  console.table({ ...table, 'median: POST /v1/checkout/sessions/{id}/pay': row(cascade), 'median: GET /health': row(trivial) });
  console.log(`${label}: payments/trivial (medians): ${ratio.toFixed(3)}`);
  const met = cascade.perSecond >= TARGET_PAYMENTS_PER_SECOND || ratio >= TARGET_RATIO;
  console.log(`${label}: target >= ${TARGET_PAYMENTS_PER_SECOND} payments/s or >= ${TARGET_RATIO} of the trivial route: ${met ? 'met' : 'NOT met'}`);
  return met;
}

/**
 * Each process pays its share of the sessions at once; the rate is all payments over the slowest
 * share's time to its last answer (not to the end of the Promise.all: autocannon only finishes
 * at its next one-second sample).
 */
async function payAcross(services: readonly BenchService[], shop: BenchShop, sessions: readonly string[], connections: number): Promise<Load> {
  if (services.length === 1) return payAll(services[0].url, shop, sessions, connections);
  const perProcess = await Promise.all(
    services.map((service, index) =>
      payAll(
        service.url,
        shop,
        sessions.filter((_, i) => i % services.length === index),
        Math.max(1, Math.round(connections / services.length)),
      ),
    ),
  );
  const seconds = Math.max(...perProcess.map((run) => run.seconds));
  return { perSecond: sessions.length / seconds, seconds, p50: Math.max(...perProcess.map((run) => run.p50)), p99: Math.max(...perProcess.map((run) => run.p99)) };
}

/** The round's slice of the sessions, each paid in exactly one round. */
function share<T>(items: readonly T[], round: number, rounds: number): T[] {
  const size = Math.ceil(items.length / rounds);
  return items.slice((round - 1) * size, round * size);
}

/** The load with the median rate (its own latencies alongside). */
function median(loads: readonly Load[]): Load {
  return [...loads].sort((a, b) => a.perSecond - b.perSecond)[Math.floor(loads.length / 2)];
}

/**
 * The body of a checkout session whose route meets the cascade's three kinds of step: a soft
 * decline, an unavailable processor, an approval.
 */
async function sessionThroughCascade(shop: BenchShop): Promise<object> {
  const processor = (name: string, settings: object = {}) => shop.create('/v1/processors', { name, connector: 'simulator', ...settings });
  const declining = await processor('Declining', { simulator: { outcome: 'decline', decline_code: '05' } });
  const down = await processor('Down', { status: 'unavailable' });
  const approving = await processor('Approving');
  const route = await shop.create('/v1/processor-routes', {
    name: 'Route',
    processors: [declining, down, approving].map((processor_id) => ({ processor_id })),
    strategy: 'priority',
    failover: { on: ['decline'] },
  });
  const product = await shop.create('/v1/products', { name: 'Bench plan' });
  const price = await shop.create('/v1/prices', { product_id: product, unit_amount: 5000, currency: 'USD' });
  return { line_items: [{ price_id: price, quantity: 1 }], processor_route_id: route, success_url: 'https://shop.example/ok' };
}

async function openSessions(shop: BenchShop, body: object, count: number): Promise<string[]> {
  const sessions: string[] = [];
  while (sessions.length < count) {
    const batch = Math.min(SESSIONS_IN_FLIGHT, count - sessions.length);
    sessions.push(...(await Promise.all(Array.from({ length: batch }, () => shop.create('/v1/checkout/sessions', body)))));
  }
  return sessions;
}

/** Pays each session once, each request taking the next session. */
async function payAll(url: string, shop: BenchShop, sessions: readonly string[], connections: number): Promise<Load> {
  let next = 0;
  return load(url, {
    connections,
    amount: sessions.length,
    method: 'POST',
    headers: { ...bearer(shop.secret), 'content-type': 'application/json' },
    body: JSON.stringify({ payment_method: card() }),
    requests: [
      {
        setupRequest: (request) => {
          if (next >= sessions.length) throw new Error('autocannon asked for more payments than sessions were opened');
          return { ...request, path: `/v1/checkout/sessions/${sessions[next++]}/pay` };
        },
      },
    ],
  });
}

/**
 * Fails unless every request answered 2xx: a fast error is no measurement. The rate is taken
 * from the first request to the last answer: autocannon's own duration only ends at its next
 * one-second sample, which would count a run of 2.1 s as 3 s.
 */
async function load(url: string, options: Omit<autocannon.Options, 'url'> & { amount: number }): Promise<Load> {
  const started = performance.now();
  let lastAnswer = started;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({ url, ...options }, (error, finished) => (error ? reject(error) : resolve(finished)));
    instance.on('response', () => {
      lastAnswer = performance.now();
    });
  });
  const failed = result.non2xx + result.errors + result.timeouts;
  if (failed > 0 || result['2xx'] !== options.amount) {
    throw new Error(`${url}: ${result['2xx']} of ${options.amount} answered 2xx (non-2xx ${result.non2xx}, errors ${result.errors}, timeouts ${result.timeouts})`);
  }
  const seconds = (lastAnswer - started) / 1000;
  return { perSecond: result['2xx'] / seconds, seconds, p50: result.latency.p50, p99: result.latency.p99 };
}

/** Every payment succeeded, and a few show the full cascade in their events. */
async function verifyPayments(shop: BenchShop, expected: number): Promise<void> {
  const succeeded = (await shop.get(`/v1/payments?status=succeeded&limit=${SAMPLED_PAYMENTS}`).expect(200)).body;
  if (succeeded.total !== expected) throw new Error(`${succeeded.total} of ${expected} payments succeeded`);
  for (const { id } of succeeded.items as Array<{ id: string }>) {
    const types = await shop.eventTypes(id);
    if (types.join() !== EXPECTED_EVENTS.join()) throw new Error(`payment ${id} has the events ${types.join(', ')}`);
  }
  console.log(`verified: all ${expected} payments succeeded; ${SAMPLED_PAYMENTS} sampled show ${EXPECTED_EVENTS.join(', ')}`);
}

function row({ perSecond, p50, p99 }: Load) {
  return { 'requests/s': Math.round(perSecond), 'p50 ms': p50, 'p99 ms': p99 };
}
