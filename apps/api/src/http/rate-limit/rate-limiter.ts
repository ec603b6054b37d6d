export type RateLimitVerdict = { allowed: true } | { allowed: false; retryAfterMs: number };

/**
 * Counts hits per key in fixed windows aligned on the clock (`windowMs`, one second for the
 * per-token limit, one hour for failed payments): at most `limit` hits per window are allowed,
 * the rest are told when the window ends. Fixed windows cost one counter per key and window; a
 * burst across a boundary can get twice the limit, which no limit here needs to exclude.
 */
export interface RateLimiter {
  /** Counts one hit, and says whether it is within the limit. */
  hit(key: string): Promise<RateLimitVerdict>;
  /** Says whether one more hit would be within the limit, without counting one. */
  peek(key: string): Promise<RateLimitVerdict>;
}

export const RATE_LIMITER = Symbol('RateLimiter');

export const WINDOW_MS = 1000;

export function windowOf(nowMs: number, windowMs = WINDOW_MS): { index: number; remainingMs: number } {
  return { index: Math.floor(nowMs / windowMs), remainingMs: windowMs - (nowMs % windowMs) };
}
