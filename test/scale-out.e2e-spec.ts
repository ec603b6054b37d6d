import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'pg';
import { PostgresSimulatorLedger } from '@payments/processors';
import { card } from './support/payment-shop';
import { ServiceProcess, startServiceProcess } from './support/service-process';
import { ADMIN_TOKEN, bearer } from './support/test-app';
import { TestDatabase, createTestDatabase, describeWithPostgres, openTestPool } from './support/test-postgres';

const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PROCESSES = 3;
const SESSIONS = 200;
/** Pays in flight at once across the processes, as a load balancer would spread them. */
const CONCURRENT_PAYS = 24;
/** The process that dies does so once this share of the pays has been sent. */
const KILL_AFTER_SHARE = 0.4;
const LEASE_TTL_MS = 2_000;
const FINISH_WAIT_MS = 90_000;

interface Answer {
  sessionId: string;
  service: ServiceProcess;
  status: number | 'cut off';
  paymentId?: string;
}

interface PaymentEvent {
  id: string;
  type: string;
  stream: string;
  data: { checkout_session_id?: string; payment_id?: string; idempotency_key?: string; processor_id?: string };
}

/**
 * Several service processes on one PostgreSQL, each with a DATA_DIR of its own so nothing is
 * shared through files: the deployment of DESIGN.md "Scale-out". Pays arrive at random processes,
 * two at once for every session, and one process is SIGKILLed while payments are being driven.
 */
const deployments: [string, () => Record<string, string>][] = [
  ['PostgreSQL alone', () => ({})],
  // Read models, idempotency records and counters in Redis; events, leases and the ledger in PostgreSQL.
  ['PostgreSQL and Redis', () => ({ REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: `test:scale-out:${randomBytes(6).toString('hex')}:` })],
];

describeWithPostgres.each(deployments)('three service processes on %s, one of them killed mid-run', (_, redisSettings) => {
  let database: TestDatabase;
  const redis = redisSettings();
  let pool: Pool;
  const dataDirs: string[] = [];
  const services: ServiceProcess[] = [];
  const fingerprintSecret = randomBytes(16).toString('hex');
  const secretsKey = randomBytes(32).toString('base64');

  const start = async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'scale-out-'));
    dataDirs.push(dataDir);
    const service = await startServiceProcess({
      DATA_DIR: dataDir,
      POSTGRES_URL: database.url,
      // One address for the deployment, as behind a load balancer: every process hands out the same links.
      PUBLIC_URL: 'https://pay.shop.example',
      CARD_FINGERPRINT_SECRET: fingerprintSecret,
      SECRETS_KEY: secretsKey,
      PAYMENTS_SANDBOX: 'false',
      ADMIN_TOKEN,
      LEASE_TTL: `${LEASE_TTL_MS}ms`,
      ...redis,
      LOG_LEVEL: 'warn',
    });
    services.push(service);
    return service;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = openTestPool(database.url);
  });
  afterAll(async () => {
    await Promise.all(services.map((service) => service.kill()));
    if (redis.REDIS_KEY_PREFIX) await deleteRedisKeys(redis.REDIS_KEY_PREFIX);
    await pool?.end();
    await database?.drop();
    for (const dataDir of dataDirs) rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs one payment per session, finishes every acknowledged one, charges each key at most once and projects each event once', async () => {
    // One after the other: the first creates the schema, the others find it (they may also race; migrations take turns).
    for (let i = 0; i < PROCESSES; i++) await start();
    const shop = await openShop(services[0]);
    const sessionIds = await inBatches(range(SESSIONS), 20, () => shop.session());

    const victim = services[PROCESSES - 1];
    const pays = sessionIds.flatMap((sessionId) => [sessionId, sessionId]);
    let sent = 0;
    let victimPaying = 0;
    let killed: Promise<unknown> | undefined;
    const answers = await inBatches(pays, CONCURRENT_PAYS, async (sessionId): Promise<Answer> => {
      sent++;
      // Killed while it is driving payments of its own, so a survivor must take them over.
      if (killed === undefined && sent >= pays.length * KILL_AFTER_SHARE && victimPaying >= 3) killed = victim.kill();
      const service = services[Math.floor(Math.random() * PROCESSES)];
      if (service === victim) victimPaying++;
      const answer = await service
        .http()
        .post(`/v1/checkout/sessions/${sessionId}/pay`)
        .set(bearer(shop.secret))
        .send({ payment_method: card() })
        .then(
          (res) => ({ sessionId, service, status: res.status, paymentId: res.body?.id as string | undefined }),
          () => ({ sessionId, service, status: 'cut off' as const }),
        );
      if (service === victim) victimPaying--;
      return answer;
    });
    await killed;
    const survivors = services.filter((service) => service !== victim);

    const acknowledged = answers.filter((answer) => answer.status === 201 || answer.status === 202);
    const statuses = new Set(answers.map((answer) => answer.status));
    expect([...statuses].every((status) => [201, 202, 409, 'cut off'].includes(status))).toBe(true);
    expect(acknowledged.length).toBeGreaterThan(SESSIONS / 2);
    expect(answers.filter((answer) => answer.status === 'cut off').length).toBeGreaterThan(0);

    // Every payment that started is finished by a live process, the killed one's after their
    // leases lapse and a survivor's recovery finds them (which takes a few lease TTLs).
    const { events, finished } = await until(survivors[0], 'every payment that started is finished', async () => {
      const log = await allEvents(survivors[1], shop.secret);
      const ends = new Set(log.filter((event) => ['PaymentSucceeded', 'PaymentFailed'].includes(event.type)).map(paymentIdOf));
      const starts = log.filter((event) => event.type === 'PaymentStarted');
      if (starts.some((event) => !ends.has(paymentIdOf(event)))) return undefined;
      const payments = await allPayments(survivors[0], shop.secret);
      const listedAsFinished = payments.filter((payment) => ['succeeded', 'failed'].includes(payment.status));
      return listedAsFinished.length === starts.length ? { events: log, finished: listedAsFinished } : undefined;
    });
    const started = events.filter((event) => event.type === 'PaymentStarted');
    // Every acknowledged payment is among them.
    const finishedIds = new Set(finished.map((payment) => payment.id));
    expect(acknowledged.filter((answer) => !finishedIds.has(answer.paymentId!))).toEqual([]);
    const startedPerSession = count(started.map((event) => event.data.checkout_session_id!));
    // One payment ran per session at most, and exactly one where a pay was acknowledged.
    expect(Math.max(...startedPerSession.values())).toBe(1);
    for (const answer of acknowledged) expect(startedPerSession.get(answer.sessionId)).toBe(1);
    // Among them, payments the killed process had begun and nobody was told of: finished by a survivor.
    const answered = new Set(acknowledged.map((answer) => answer.sessionId));
    const orphans = started.filter((event) => !answered.has(event.data.checkout_session_id!));
    expect(orphans.length).toBeGreaterThan(0);

    // Each idempotency key the payments sent was charged at most once in the shared ledger.
    const keys = [...new Set(events.filter((event) => event.type === 'ProcessorAttempted').map((event) => event.data.idempotency_key!))];
    const ledger = await PostgresSimulatorLedger.open(pool);
    const charges = await Promise.all(keys.map((key) => ledger.chargesFor(key)));
    expect(charges.filter((forKey) => forKey.length > 1)).toEqual([]);

    // Each projection applied each event once: what they serve equals a rebuild from the log.
    const served = await readModelViews(survivors[0], shop.secret);
    await rebuildAll(database.url, { CARD_FINGERPRINT_SECRET: fingerprintSecret, SECRETS_KEY: secretsKey, ...redis });
    expect(await readModelViews(survivors[1], shop.secret)).toEqual(served);
    console.log(
      `scale-out (${_}): ${pays.length} pays over ${PROCESSES} processes: ${acknowledged.length} acknowledged, ` +
        `${answers.filter((answer) => answer.status === 409).length} refused 409, ${answers.filter((answer) => answer.status === 'cut off').length} cut off by the kill; ` +
        `${started.length} payments ran, ${orphans.length} of them taken over from the killed process; ${keys.length} idempotency keys, none charged twice`,
    );
  }, 300_000);
});

interface Shop {
  secret: string;
  session(): Promise<string>;
}

/** An account whose route declines softly on its first processor and approves, a little slowly, on its second. */
async function openShop(service: ServiceProcess): Promise<Shop> {
  const account = await service.http().post('/v1/accounts').set(bearer(ADMIN_TOKEN)).send({ name: 'Scale-out Shop' }).expect(201);
  const secret: string = account.body.secret_token;
  const create = async (path: string, body: object): Promise<string> => (await service.http().post(path).set(bearer(secret)).send(body).expect(201)).body.id;
  const declining = await create('/v1/processors', { name: 'Declining', connector: 'simulator', simulator: { outcome: 'decline', decline_code: '05' } });
  const approving = await create('/v1/processors', { name: 'Approving', connector: 'simulator', simulator: { outcome: 'approve', latency_ms: 150 } });
  const route = await create('/v1/processor-routes', { name: 'Decline then approve', processors: [{ processor_id: declining }, { processor_id: approving }] });
  const product = await create('/v1/products', { name: 'Plan' });
  const price = await create('/v1/prices', { product_id: product, unit_amount: 5000, currency: 'USD' });
  return {
    secret,
    session: () => create('/v1/checkout/sessions', { line_items: [{ price_id: price, quantity: 1 }], processor_route_id: route, success_url: 'https://shop.example/ok' }),
  };
}

function paymentIdOf(event: PaymentEvent): string {
  return event.stream.replace(/^payment-/, '');
}

async function allPayments(service: ServiceProcess, secret: string): Promise<{ id: string; status: string }[]> {
  const payments: { id: string; status: string }[] = [];
  for (let offset = 0; ; offset += 100) {
    const res = await service.http().get(`/v1/payments?limit=100&offset=${offset}`).set(bearer(secret)).expect(200);
    payments.push(...res.body.items);
    if (res.body.items.length < 100) return payments;
  }
}

async function allEvents(service: ServiceProcess, secret: string): Promise<PaymentEvent[]> {
  const events: PaymentEvent[] = [];
  let after: string | undefined;
  for (;;) {
    const res = await service
      .http()
      .get(`/v1/events?limit=100${after === undefined ? '' : `&after=${after}`}`)
      .set(bearer(secret))
      .expect(200);
    events.push(...res.body.items);
    if (res.body.items.length === 0) return events;
    after = res.body.next_after;
  }
}

/** What the read models answer an account: its payments, sessions and analytics. */
async function readModelViews(service: ServiceProcess, secret: string): Promise<unknown> {
  const get = async (path: string) => (await service.http().get(path).set(bearer(secret)).expect(200)).body;
  return {
    payments: (await allPayments(service, secret)).sort((a, b) => a.id.localeCompare(b.id)),
    sessions: await get('/v1/checkout/sessions?limit=100'),
    processors: await get('/v1/analytics/processors'),
    routes: await get('/v1/analytics/routes'),
  };
}

/** The operator's `cli rebuild all` on the deployment's database. */
async function rebuildAll(postgresUrl: string, deployment: Record<string, string>): Promise<void> {
  const { execFileSync } = await import('node:child_process');
  execFileSync('npm', ['run', '--silent', 'cli', '--', 'rebuild', 'all'], {
    cwd: join(__dirname, '..'),
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...deployment, POSTGRES_URL: postgresUrl, DATA_DIR: mkdtempSync(join(tmpdir(), 'scale-out-cli-')) },
    stdio: 'pipe',
    timeout: 120_000,
  });
}

async function deleteRedisKeys(prefix: string): Promise<void> {
  const { default: Redis } = await import('ioredis');
  const raw = new Redis(TEST_REDIS_URL);
  try {
    for await (const keys of raw.scanStream({ match: `${prefix}*`, count: 500 })) if ((keys as string[]).length > 0) await raw.unlink(...(keys as string[]));
  } finally {
    await raw.quit();
  }
}

async function inBatches<T, R>(items: readonly T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    range(width).map(async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index]);
      }
    }),
  );
  return results;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function count(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

async function until<T>(service: ServiceProcess, what: string, read: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + FINISH_WAIT_MS;
  while (Date.now() < deadline) {
    const value = await read();
    if (value !== undefined) return value;
    await sleep(250);
  }
  throw new Error(`waited ${FINISH_WAIT_MS} ms in vain until ${what}; a surviving service logged:\n${service.log()}`);
}
