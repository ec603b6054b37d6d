import { Clock } from '@payments/domain';
import { RateLimitVerdict, RateLimiter, windowOf } from './rate-limiter';

/** Counters of one process (no REDIS_URL): each API process then allows the limit on its own. */
export class InProcessRateLimiter implements RateLimiter {
  private window = -1;
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly limitPerSecond: number,
    private readonly clock: Clock,
  ) {}

  async hit(key: string): Promise<RateLimitVerdict> {
    const { index, remainingMs } = windowOf(this.clock.now().getTime());
    if (index !== this.window) {
      // Windows are shared by all keys, so a new window makes every count obsolete at once.
      this.window = index;
      this.counts.clear();
    }
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    return count <= this.limitPerSecond ? { allowed: true } : { allowed: false, retryAfterMs: remainingMs };
  }
}
