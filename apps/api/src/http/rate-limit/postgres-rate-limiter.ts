import { Pool } from 'pg';
import { Clock } from '@payments/domain';
import { Migration, migrate } from '@payments/event-store';
import { RateLimitVerdict, RateLimiter, WINDOW_MS, windowOf } from './rate-limiter';

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'counters per key and window',
    sql: `
      CREATE TABLE rate_limit_counters (
        key text NOT NULL,
        window_ms bigint NOT NULL,
        window_index bigint NOT NULL,
        hits integer NOT NULL,
        ends_at timestamptz NOT NULL,
        PRIMARY KEY (key, window_ms, window_index));
      CREATE INDEX rate_limit_counters_by_end ON rate_limit_counters (ends_at);`,
  },
];

/** Ended windows a hit deletes: more than the one counter a hit may add, so the table holds about the current windows. */
const ENDED_ROWS_PER_HIT = 100;

/**
 * Counts one hit in one statement: a concurrent first hit of the same window waits on the other's
 * row and then increments it, so hits from any number of processes are each counted once. The
 * sweep beside it deletes counters whose window ended more than a window ago (the margin Redis's
 * expiry of twice the window gives, for clocks that differ between processes), never this key's,
 * and skips rows another hit is deleting.
 */
const HIT = `
  WITH swept AS (
    DELETE FROM rate_limit_counters WHERE ctid IN (
      SELECT ctid FROM rate_limit_counters
      WHERE ends_at < $5 AND key <> $1
      ORDER BY ends_at LIMIT ${ENDED_ROWS_PER_HIT}
      FOR UPDATE SKIP LOCKED))
  INSERT INTO rate_limit_counters (key, window_ms, window_index, hits, ends_at) VALUES ($1, $2, $3, 1, $4)
  ON CONFLICT (key, window_ms, window_index) DO UPDATE SET hits = rate_limit_counters.hits + 1
  RETURNING hits`;

const PEEK = 'SELECT hits FROM rate_limit_counters WHERE key = $1 AND window_ms = $2 AND window_index = $3';

/**
 * Counters shared by every process of a deployment on its PostgreSQL (POSTGRES_URL without
 * REDIS_URL): the limit holds per key across the processes and their restarts. Each hit and peek
 * is a round trip to the database, which is why only the failed-payment limits against card
 * testing count here, not the per-second limit of every request (http-conventions.module.ts).
 * Windows are on the service's clock, as with Redis. The pool is the process's one pool, handed
 * in and closed by its owner.
 */
export class PostgresRateLimiter implements RateLimiter {
  private constructor(
    private readonly pool: Pool,
    private readonly limit: number,
    private readonly clock: Clock,
    private readonly windowMs: number,
  ) {}

  /** Brings the counters' table to this build's schema first, as every process does at start. */
  static async open(pool: Pool, limit: number, clock: Clock, windowMs = WINDOW_MS): Promise<PostgresRateLimiter> {
    await migrate(pool, 'rate-limits', MIGRATIONS);
    return new PostgresRateLimiter(pool, limit, clock, windowMs);
  }

  async hit(key: string): Promise<RateLimitVerdict> {
    const nowMs = this.clock.now().getTime();
    const { index, remainingMs } = windowOf(nowMs, this.windowMs);
    const endsAt = new Date(nowMs + remainingMs);
    const { rows } = await this.pool.query<{ hits: number }>(HIT, [key, this.windowMs, index, endsAt, new Date(nowMs - this.windowMs)]);
    const hits = rows[0]?.hits;
    if (hits === undefined) throw new Error('rate limit upsert returned no row');
    return hits <= this.limit ? { allowed: true } : { allowed: false, retryAfterMs: remainingMs };
  }

  async peek(key: string): Promise<RateLimitVerdict> {
    const { index, remainingMs } = windowOf(this.clock.now().getTime(), this.windowMs);
    const { rows } = await this.pool.query<{ hits: number }>(PEEK, [key, this.windowMs, index]);
    return (rows[0]?.hits ?? 0) < this.limit ? { allowed: true } : { allowed: false, retryAfterMs: remainingMs };
  }
}
