import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { HOUR_MS, hourOf, hourStart } from '@payments/domain';
import { ProjectionsService } from '@payments/orchestration';
import { createReadModelStore } from '@payments/read-models';
import { analytics } from '@payments/read-models/projections/analytics';
import { DECLINED_05, PaymentShop, VISA, card } from './support/payment-shop';
import { OpenApiContract } from './support/openapi-contract';
import { TestClock } from './support/test-clock';
import { TestApp, bearer, startTestApp } from './support/test-app';

const MASTERCARD = '5555555555554444';

/** A processor's numbers as the endpoint answers them, latency aside (checked against the payments' own durations). */
interface Numbers {
  attempts: number;
  approved: number;
  declined: number;
  timeouts: number;
  errors: number;
  skipped: number;
  approval_rate: number | null;
  decline_codes: Record<string, number>;
}

const none: Numbers = { attempts: 0, approved: 0, declined: 0, timeouts: 0, errors: 0, skipped: 0, approval_rate: null, decline_codes: {} };
const numbers = (over: Partial<Numbers>): Numbers => ({ ...none, ...over });

/**
 * The fixture: twelve payments over HTTP through eight simulated processors and five routes,
 * in three hours of the test clock. Every expected number below was counted by hand from the
 * table in `payments` (each payment's calls as the simulator's settings make them), not taken
 * from a run: per processor, a payment counts once, by the answer to its last call there.
 */
describe.each([
  ['SQLite', false],
  ['Redis', true],
])('analytics over HTTP, on %s', (_name, redis) => {
  const clock = new TestClock();
  const dataDir = mkdtempSync(join(tmpdir(), 'payments-analytics-'));
  const env = { REDIS_KEY_PREFIX: `test:${randomBytes(6).toString('hex')}:` };
  let t: TestApp;
  let shop: PaymentShop;
  /** Processor ids by letter. */
  const p: Record<string, string> = {};
  let lastPaymentId: string;
  /** The first hour of the fixture. */
  let h0: number;

  const startApp = () => startTestApp(env, { redis, dataDir, clock });
  /** A GET with the shop's secret token, to the app running now (the rebuild test restarts it). */
  const get = (path: string) => t.http().get(path).set(bearer(shop.account.secret));

  /** The simulators: each always answers the same, so each payment's calls are known in advance. */
  const PROCESSORS: Record<string, object> = {
    A: { name: 'Decliner', simulator: { outcome: 'decline', decline_code: '51' } },
    B: { name: 'Approver', simulator: { outcome: 'approve', latency_ms: 20 } },
    C: { name: 'Optimizer', simulator: { approve_optimized_retry: true } },
    D: { name: 'Slow', timeout_ms: 50, simulator: { outcome: 'timeout' } },
    E: { name: 'Broken', simulator: { outcome: 'error' } },
    F: { name: 'Down', status: 'unavailable' },
    G: { name: 'Euro only', supported_currencies: ['EUR'] },
    V: { name: 'Visa only', supported_networks: ['visa'] },
  };

  beforeAll(async () => {
    // Five minutes into the next hour, so that every payment of an hour starts inside it whenever the test runs.
    const now = clock.now().getTime();
    clock.advance((Math.floor(now / HOUR_MS) + 1) * HOUR_MS + 5 * 60_000 - now);
    h0 = hourOf(clock.now());
    t = await startApp();
    shop = await PaymentShop.open(t);
    for (const [letter, settings] of Object.entries(PROCESSORS)) p[letter] = await shop.processor(letter, settings);
    const route = (letters: string, settings: object = {}) => shop.route([...letters].map((letter) => p[letter]), settings);
    const R1 = await route('AB');
    const R2 = await route('CA', { optimized_retry: true });
    const R3 = await route('FDEB');
    const R4 = await route('GVB');
    const R5 = await route('A');
    routes = { R1, R2, R3, R4, R5 };

    // [tiers as route(currency), card, the calls the payment makes (letter:outcome, tier | separating tiers)]
    const payments: [string, { route: string; currency?: string }[], string, string][] = [
      ['P1', [{ route: R1 }], VISA, 'A:declined B:approved'],
      ['P2', [{ route: R1 }], MASTERCARD, 'A:declined B:approved'],
      ['P3', [{ route: R2 }], VISA, 'C:declined C:approved'], // C's optimized retry
      ['P4', [{ route: R2 }], DECLINED_05, 'C:declined C:declined A:declined A:declined'], // declined 05 everywhere, optimized retries too
      ['P5', [{ route: R3 }], VISA, 'F:skipped D:timeout E:error B:approved'],
      ['P6', [{ route: R4 }], MASTERCARD, 'G:skipped V:skipped B:approved'], // G: not USD; V: not mastercard
      ['P7', [{ route: R4, currency: 'EUR' }], VISA, 'G:approved'],
      ['P8', [{ route: R5 }, { route: R1 }], VISA, 'A:declined | A:declined B:approved'],
      ['P9', [{ route: R5 }, { route: R2 }], VISA, 'A:declined | C:declined C:approved'],
    ];
    for (const payment of payments) await pay(...payment);
    clock.advance(HOUR_MS); // hour h0 + 1
    await pay('P10', [{ route: R1 }], VISA, 'A:declined B:approved');
    await pay('P11', [{ route: R3, currency: 'EUR' }], MASTERCARD, 'F:skipped D:timeout E:error B:approved');
    clock.advance(2 * HOUR_MS); // hour h0 + 3
    await pay('P12', [{ route: R1 }], VISA, 'A:declined B:approved');
    await caughtUp();
  });

  afterAll(async () => {
    await t.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  let routes: Record<string, string>;
  const paymentIds: string[] = [];

  /** Pays a new session and checks that the payment made exactly the calls the fixture's table says. */
  async function pay(name: string, tiers: { route: string; currency?: string }[], number: string, calls: string): Promise<void> {
    const sessionId = await shop.session(
      tiers.map(({ route, currency }, index) => ({ amount: 5000 - index * 1000, currency, route })),
      null,
    );
    const res = await shop.pay(sessionId, { payment_method: card(number) }).expect(201);
    const letterOf = new Map(Object.entries(p).map(([letter, id]) => [id, letter]));
    const made = res.body.attempts
      .map((attempt: { tier: number; processor_id: string; kind: string; outcome: string }, i: number, all: { tier: number }[]) =>
        `${i > 0 && all[i - 1].tier !== attempt.tier ? '| ' : ''}${letterOf.get(attempt.processor_id)}:${attempt.kind === 'skipped' ? 'skipped' : attempt.outcome}`,
      )
      .join(' ');
    expect(`${name} ${made}`).toBe(`${name} ${calls}`);
    paymentIds.push(res.body.id);
    lastPaymentId = res.body.id;
  }

  /** Until the analytics read model has applied every event of the last payment. */
  async function caughtUp(): Promise<void> {
    const events = await get(`/v1/payments/${lastPaymentId}/events`).expect(200);
    const last = events.body.items[events.body.items.length - 1].position;
    expect(await t.app.get(ProjectionsService).waitFor(BigInt(last), 10_000, [analytics])).toBe(true);
  }

  const hour = (offset: number) => hourStart(h0 + offset);

  async function processorNumbers(query: Record<string, string>): Promise<Record<string, Numbers>> {
    const res = await get(`/v1/analytics/processors?${new URLSearchParams(query)}`).expect(200);
    const letterOf = new Map(Object.entries(p).map(([letter, id]) => [id, letter]));
    return Object.fromEntries(
      res.body.items.map(({ processor_id, p50_ms: _p50, p95_ms: _p95, ...rest }: Numbers & { processor_id: string; p50_ms: unknown; p95_ms: unknown }) => [letterOf.get(processor_id), rest]),
    );
  }

  async function routeNumbers(query: Record<string, string>): Promise<string[]> {
    const res = await get(`/v1/analytics/routes?${new URLSearchParams(query)}`).expect(200);
    const nameOf = new Map(Object.entries(routes).map(([name, id]) => [id, name]));
    return res.body.items.map(
      (row: { route_id: string; tier: number; payments: number; succeeded: number; first_processor_success_share: number; mean_attempts: number }) =>
        `${nameOf.get(row.route_id)} tier ${row.tier}: ${row.payments} payments, ${row.succeeded} succeeded, first ${row.first_processor_success_share}, mean ${row.mean_attempts}`,
    );
  }

  /**
   * Hours h0 and h0+1 (P1..P11), counted by hand from the table, payment by payment:
   * A: declined in P1 P2 P4(05) P8 P9 P10 (P8 calls it in both tiers, P4 twice in one: once each).
   * B: approved in P1 P2 P5 P6 P8 P10 P11. C: approved in P3 and P9 after its optimized retry,
   * declined 05 in P4. D: timed out in P5 P11. E: failed in P5 P11. F: skipped in P5 P11.
   * G: skipped in P6 (USD), approved P7. V: skipped in P6 (mastercard); P7 never reached it.
   */
  const FIRST_TWO_HOURS: Record<string, Numbers> = {
    A: numbers({ attempts: 6, declined: 6, approval_rate: 0, decline_codes: { '05': 1, '51': 5 } }),
    B: numbers({ attempts: 7, approved: 7, approval_rate: 1 }),
    C: numbers({ attempts: 3, approved: 2, declined: 1, approval_rate: 0.6667, decline_codes: { '05': 1 } }),
    D: numbers({ attempts: 2, timeouts: 2, approval_rate: 0 }),
    E: numbers({ attempts: 2, errors: 2, approval_rate: 0 }),
    F: numbers({ skipped: 2 }),
    G: numbers({ attempts: 1, approved: 1, skipped: 1, approval_rate: 1 }),
    V: numbers({ skipped: 1 }),
  };

  it('counts each processor’s payments, outcomes, skips and decline codes as the hand count says', async () => {
    expect(await processorNumbers({ from: hour(0), to: hour(2) })).toEqual(FIRST_TWO_HOURS);
  });

  it('counts per route and tier the payments, successes, first-processor share and processors called', async () => {
    // R1 tier 0: P1 P2 P10, each A then B (2 called), approved by B, the second. R1 tier 1: P8's second tier, the same.
    // R2 tier 0: P3 (C, approved after its retry: the first processor; 1 called) and P4 (C and A, failed): 1/2 first, 3/2 called.
    // R2 tier 1: P9's second tier, like P3. R3: P5 P11 call D, E, B (F skipped): 3 each, approved by the third.
    // R4: P6 (B, the first called, after two skips) and P7 (G first): both first. R5 tier 0: P8 P9, A declined, 1 called.
    expect(await routeNumbers({ from: hour(0), to: hour(2) })).toEqual([
      ...[
        'R1 tier 0: 3 payments, 3 succeeded, first 0, mean 2',
        'R1 tier 1: 1 payments, 1 succeeded, first 0, mean 2',
        'R2 tier 0: 2 payments, 1 succeeded, first 0.5, mean 1.5',
        'R2 tier 1: 1 payments, 1 succeeded, first 1, mean 1',
        'R3 tier 0: 2 payments, 2 succeeded, first 0, mean 3',
        'R4 tier 0: 2 payments, 2 succeeded, first 1, mean 1',
        'R5 tier 0: 2 payments, 0 succeeded, first 0, mean 1',
      ].sort(byRouteId(routes)),
    ]);
  });

  it('keeps to the payments of the currency and of the card network asked for', async () => {
    const window = { from: hour(0), to: hour(2) };
    // EUR: P7 (G approved) and P11 (F skipped, D timeout, E error, B approved).
    expect(await processorNumbers({ ...window, currency: 'EUR' })).toEqual({
      B: numbers({ attempts: 1, approved: 1, approval_rate: 1 }),
      D: numbers({ attempts: 1, timeouts: 1, approval_rate: 0 }),
      E: numbers({ attempts: 1, errors: 1, approval_rate: 0 }),
      F: numbers({ skipped: 1 }),
      G: numbers({ attempts: 1, approved: 1, approval_rate: 1 }),
    });
    // Mastercard: P2 (A declined, B approved), P6 (G and V skipped, B approved), P11.
    expect(await processorNumbers({ ...window, card_network: 'mastercard' })).toEqual({
      A: numbers({ attempts: 1, declined: 1, approval_rate: 0, decline_codes: { '51': 1 } }),
      B: numbers({ attempts: 3, approved: 3, approval_rate: 1 }),
      D: numbers({ attempts: 1, timeouts: 1, approval_rate: 0 }),
      E: numbers({ attempts: 1, errors: 1, approval_rate: 0 }),
      F: numbers({ skipped: 1 }),
      G: numbers({ skipped: 1 }),
      V: numbers({ skipped: 1 }),
    });
    // Both: P11 alone.
    expect(Object.keys(await processorNumbers({ ...window, currency: 'EUR', card_network: 'mastercard' })).sort()).toEqual(['B', 'D', 'E', 'F']);
    expect(await processorNumbers({ ...window, currency: 'GBP' })).toEqual({});
  });

  it('counts only the payments that started in the window’s hours, a from or to inside an hour taking the whole hour', async () => {
    // h0+1: P10 (A declined, B approved) and P11.
    expect(await processorNumbers({ from: hour(1), to: hour(2) })).toEqual({
      A: numbers({ attempts: 1, declined: 1, approval_rate: 0, decline_codes: { '51': 1 } }),
      B: numbers({ attempts: 2, approved: 2, approval_rate: 1 }),
      D: numbers({ attempts: 1, timeouts: 1, approval_rate: 0 }),
      E: numbers({ attempts: 1, errors: 1, approval_rate: 0 }),
      F: numbers({ skipped: 1 }),
    });
    const inside = (offset: number, minutes: number) => new Date(Date.parse(hour(offset)) + minutes * 60_000).toISOString();
    expect(await processorNumbers({ from: inside(0, 30), to: inside(1, 10) })).toEqual(FIRST_TWO_HOURS);
    // h0+2 had no payment; h0+3 only P12.
    expect(await processorNumbers({ from: hour(2), to: hour(3) })).toEqual({});
    expect(await processorNumbers({ from: hour(3), to: hour(4) })).toEqual({
      A: numbers({ attempts: 1, declined: 1, approval_rate: 0, decline_codes: { '51': 1 } }),
      B: numbers({ attempts: 1, approved: 1, approval_rate: 1 }),
    });
  });

  it('covers the last 24 hours by default, and says which hours it counted', async () => {
    const res = await get('/v1/analytics/processors').expect(200);

    // The clock stands 5 minutes into h0+3: the window is h0-20 .. h0+4, so all twelve payments.
    expect(res.body).toMatchObject({ from: hour(-20), to: hour(4) });
    const a = res.body.items.find((row: { processor_id: string }) => row.processor_id === p.A);
    expect(a).toMatchObject({ attempts: 7, declined: 7, decline_codes: { '05': 1, '51': 6 } });
    expect((await get('/v1/analytics/routes').expect(200)).body).toMatchObject({ from: hour(-20), to: hour(4) });
  });

  it('tells p50 and p95 within 1 % of the exact percentiles of the calls’ recorded durations', async () => {
    const durations = new Map<string, number[]>();
    for (const id of paymentIds.slice(0, 11)) {
      const payment = await get(`/v1/payments/${id}`).expect(200);
      for (const attempt of payment.body.attempts) {
        if (attempt.kind === 'attempted') durations.set(attempt.processor_id, [...(durations.get(attempt.processor_id) ?? []), attempt.duration_ms]);
      }
    }
    const res = await get(`/v1/analytics/processors?${new URLSearchParams({ from: hour(0), to: hour(2) })}`).expect(200);

    for (const row of res.body.items as { processor_id: string; p50_ms: number | null; p95_ms: number | null }[]) {
      const sorted = [...(durations.get(row.processor_id) ?? [])].sort((a, b) => a - b);
      if (sorted.length === 0) {
        expect(row).toMatchObject({ p50_ms: null, p95_ms: null });
        continue;
      }
      // The exact percentile: the duration of rank q·(n−1), rounded down.
      const exact = (q: number) => sorted[Math.floor(q * (sorted.length - 1))];
      expect(Math.abs(row.p50_ms! - exact(0.5))).toBeLessThanOrEqual(0.01 * exact(0.5));
      expect(Math.abs(row.p95_ms! - exact(0.95))).toBeLessThanOrEqual(0.01 * exact(0.95));
    }
    // B answers after its 20 ms latency, D after its 50 ms timeout.
    const rowOf = (letter: string) => res.body.items.find((row: { processor_id: string }) => row.processor_id === p[letter]);
    expect(rowOf('B').p50_ms).toBeGreaterThanOrEqual(19.8);
    expect(rowOf('D').p50_ms).toBeGreaterThanOrEqual(49.5);
  });

  it('shows an account nothing of another account’s payments', async () => {
    const other = await PaymentShop.open(t);

    expect((await other.get(`/v1/analytics/processors?from=${hour(0)}&to=${hour(4)}`).expect(200)).body.items).toEqual([]);
    expect((await other.get(`/v1/analytics/routes?from=${hour(0)}&to=${hour(4)}`).expect(200)).body.items).toEqual([]);
  });

  it.each([
    ['from', 'yesterday'],
    ['from', '2026-11-21T10:00:00'],
    ['to', '2026-13-01T00:00:00Z'],
    ['currency', 'usd'],
    ['card_network', 'visa-ish'],
  ])('answers 400 naming %s for %j, quoting none', async (field, value) => {
    const res = await get(`/v1/analytics/processors?${new URLSearchParams({ [field]: value })}`).expect(400);

    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.errors).toEqual([expect.objectContaining({ field })]);
    expect(JSON.stringify(res.body)).not.toContain(value);
  });

  it('answers 400 for a window that ends before it starts or is longer than 31 days', async () => {
    await get(`/v1/analytics/routes?from=${hour(2)}&to=${hour(1)}`).expect(400);
    await get(`/v1/analytics/routes?from=${hour(0)}&to=${hour(0)}`).expect(400);
    await get(`/v1/analytics/processors?from=${hour(0)}&to=${hourStart(h0 + 31 * 24 + 1)}`).expect(400);
    await get(`/v1/analytics/processors?from=${hour(0)}&to=${hourStart(h0 + 31 * 24)}`).expect(200);
  });

  it('answers exactly as the OpenAPI document describes, numbers and problems alike', async () => {
    const contract = new OpenApiContract((await t.http().get('/docs-json').expect(200)).body);
    const window = new URLSearchParams({ from: hour(0), to: hour(4) });

    expect(contract.responseErrors('GET', '/v1/analytics/processors', await get(`/v1/analytics/processors?${window}`))).toEqual([]);
    expect(contract.responseErrors('GET', '/v1/analytics/routes', await get(`/v1/analytics/routes?${window}`))).toEqual([]);
    expect(contract.responseErrors('GET', '/v1/analytics/routes', await get('/v1/analytics/routes?from=later'))).toEqual([]);
  });

  it('takes the secret token only', async () => {
    await t.http().get('/v1/analytics/processors').set(bearer(shop.account.publishable)).expect(403);
    await t.http().get('/v1/analytics/routes').expect(401);
  });

  it('answers the same numbers after its read model is rebuilt from position 0', async () => {
    const queries: Record<string, string>[] = [{ from: hour(0), to: hour(4) }, { from: hour(1), to: hour(2) }, { from: hour(0), to: hour(2), card_network: 'mastercard' }];
    const before = await Promise.all(queries.map((query) => get(`/v1/analytics/processors?${new URLSearchParams(query)}`).expect(200)));
    const routesBefore = await get(`/v1/analytics/routes?from=${hour(0)}&to=${hour(4)}`).expect(200);
    await t.close();

    const client = redis ? new Redis('redis://127.0.0.1:6379', { keyPrefix: env.REDIS_KEY_PREFIX }) : null;
    const store = createReadModelStore({ redis: client, dataDir });
    await store.reset(analytics.name, analytics.collections);
    expect(await store.checkpoint(analytics.name)).toBeUndefined();
    await store.close();
    client?.disconnect();

    t = await startApp();
    await caughtUp();
    const after = await Promise.all(queries.map((query) => get(`/v1/analytics/processors?${new URLSearchParams(query)}`).expect(200)));
    expect(after.map((res) => res.body)).toEqual(before.map((res) => res.body));
    expect((await get(`/v1/analytics/routes?from=${hour(0)}&to=${hour(4)}`).expect(200)).body).toEqual(routesBefore.body);
  });
});

/** The endpoint orders rows by route id, then tier: the order of the fixture's names follows the ids. */
function byRouteId(routes: Record<string, string>) {
  return (a: string, b: string) => {
    const [nameA, , tierA] = a.split(' ');
    const [nameB, , tierB] = b.split(' ');
    return routes[nameA] === routes[nameB] ? Number(tierA.slice(0, -1)) - Number(tierB.slice(0, -1)) : routes[nameA] < routes[nameB] ? -1 : 1;
  };
}
