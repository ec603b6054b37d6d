import { Pool } from 'pg';
import { TestDatabase, createTestDatabase, describeWithPostgres, openTestPool } from '../../../../../test/support/test-postgres';
import { FAILED_PAYMENTS_WINDOW_MS, RateLimitedFailedPayments } from './failed-payment-counters';
import { PostgresRateLimiter } from './postgres-rate-limiter';
import { rateLimiterContract } from './rate-limiter.contract';

describeWithPostgres('PostgresRateLimiter', () => {
  let database: TestDatabase;
  let pool: Pool;
  let other: Pool;
  beforeAll(async () => {
    database = await createTestDatabase();
    pool = openTestPool(database.url);
    other = openTestPool(database.url);
  });
  afterAll(async () => {
    await Promise.all([pool.end(), other.end()]);
    await database.drop();
  });

  rateLimiterContract((limit, clock, windowMs) => PostgresRateLimiter.open(pool, limit, clock, windowMs));

  it('holds the limit across two processes hitting one key at once: each hit counted once', async () => {
    const clock = { now: () => new Date() };
    const [here, there] = await Promise.all([PostgresRateLimiter.open(pool, 25, clock, 60_000), PostgresRateLimiter.open(other, 25, clock, 60_000)]);

    const verdicts = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? here : there).hit('shared-key')));

    expect(verdicts.filter((verdict) => verdict.allowed)).toHaveLength(25);
    expect((await there.peek('shared-key')).allowed).toBe(false);
  });

  it("refuses a card in one process after its failed payments in another, until the hour's window ends", async () => {
    let now = Date.UTC(2031, 0, 1, 9, 59, 0);
    const clock = { now: () => new Date(now) };
    const counters = async (p: Pool) =>
      new RateLimitedFailedPayments(await PostgresRateLimiter.open(p, 3, clock, FAILED_PAYMENTS_WINDOW_MS), await PostgresRateLimiter.open(p, 5, clock, FAILED_PAYMENTS_WINDOW_MS));
    const [here, there] = await Promise.all([counters(pool), counters(other)]);
    const payer = { fingerprint: 'fp_card_1', address: '198.51.100.1' };

    for (let i = 0; i < 3; i++) await here.recordFailure(payer);

    expect(await there.limitReached(payer)).toMatchObject({ limit: 'fingerprint', retryAfterMs: 60_000 });
    expect(await there.limitReached({ fingerprint: 'fp_card_2', address: '198.51.100.1' })).toBeUndefined();
    now += 60_000;
    expect(await there.limitReached(payer)).toBeUndefined();
  });

  it('deletes counters of windows that ended as later hits come', async () => {
    let now = Date.UTC(2032, 0, 1, 12, 0, 0);
    const limiter = await PostgresRateLimiter.open(pool, 10, { now: () => new Date(now) }, 1000);
    await limiter.hit('old-key');
    now += 5_000;
    await limiter.hit('new-key');

    const { rows } = await pool.query<{ key: string }>("SELECT key FROM rate_limit_counters WHERE key IN ('old-key', 'new-key')");
    expect(rows.map((row) => row.key)).toEqual(['new-key']);
  });
});
