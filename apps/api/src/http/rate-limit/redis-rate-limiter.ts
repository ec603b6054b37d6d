import Redis from 'ioredis';
import { Clock } from '@payments/domain';
import { RateLimitVerdict, RateLimiter, WINDOW_MS, windowOf } from './rate-limiter';

/** Counters shared by every API process through Redis: the limit holds per key across the fleet and its restarts. */
export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly limit: number,
    private readonly clock: Clock,
    private readonly windowMs = WINDOW_MS,
  ) {}

  async hit(key: string): Promise<RateLimitVerdict> {
    const { counter, remainingMs } = this.counterOf(key);
    // One MULTI: the counter never exists without its expiry. Twice the window tolerates clock skew between processes.
    const results = await this.redis.multi().incr(counter).pexpire(counter, 2 * this.windowMs).exec();
    // exec() answers null only for a transaction aborted by WATCH, which is not used here.
    const [error, count] = results![0];
    if (error) throw error;
    return Number(count) <= this.limit ? { allowed: true } : { allowed: false, retryAfterMs: remainingMs };
  }

  async peek(key: string): Promise<RateLimitVerdict> {
    const { counter, remainingMs } = this.counterOf(key);
    return Number((await this.redis.get(counter)) ?? 0) < this.limit ? { allowed: true } : { allowed: false, retryAfterMs: remainingMs };
  }

  private counterOf(key: string): { counter: string; remainingMs: number } {
    const { index, remainingMs } = windowOf(this.clock.now().getTime(), this.windowMs);
    return { counter: `ratelimit:${key}:${index}`, remainingMs };
  }
}
