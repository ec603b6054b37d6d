import { Clock } from '@payments/domain';
import { RateLimitVerdict, RateLimiter, WINDOW_MS, windowOf } from './rate-limiter';

/**
 * Counters of one process (no REDIS_URL): each API process then allows the limit on its own, and
 * a restart forgets them. A window holds one count per key hit in it.
 */
export class InProcessRateLimiter implements RateLimiter {
  private window = -1;
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly limit: number,
    private readonly clock: Clock,
    private readonly windowMs = WINDOW_MS,
  ) {}

  async hit(key: string): Promise<RateLimitVerdict> {
    const remainingMs = this.turnWindow();
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    return count <= this.limit ? { allowed: true } : { allowed: false, retryAfterMs: remainingMs };
  }

  async peek(key: string): Promise<RateLimitVerdict> {
    const remainingMs = this.turnWindow();
    return (this.counts.get(key) ?? 0) < this.limit ? { allowed: true } : { allowed: false, retryAfterMs: remainingMs };
  }

  /** The time left in the current window, after forgetting the counts of an earlier one. */
  private turnWindow(): number {
    const { index, remainingMs } = windowOf(this.clock.now().getTime(), this.windowMs);
    if (index !== this.window) {
      // Windows are shared by all keys, so a new window makes every count obsolete at once.
      this.window = index;
      this.counts.clear();
    }
    return remainingMs;
  }
}
