import Redis from 'ioredis';
import { Clock } from '@payments/domain';
import { RateLimitVerdict, RateLimiter, WINDOW_MS, windowOf } from './rate-limiter';

/** Counters shared by every API process through Redis: the limit holds per token across the fleet. */
export class RedisRateLimiter implements RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly limitPerSecond: number,
    private readonly clock: Clock,
  ) {}

  async hit(key: string): Promise<RateLimitVerdict> {
    const { index, remainingMs } = windowOf(this.clock.now().getTime());
    const counter = `ratelimit:${key}:${index}`;
    // One MULTI: the counter never exists without its expiry. Twice the window tolerates clock skew between processes.
    const results = await this.redis.multi().incr(counter).pexpire(counter, 2 * WINDOW_MS).exec();
    // exec() answers null only for a transaction aborted by WATCH, which is not used here.
    const [error, count] = results![0];
    if (error) throw error;
    return Number(count) <= this.limitPerSecond ? { allowed: true } : { allowed: false, retryAfterMs: remainingMs };
  }
}
