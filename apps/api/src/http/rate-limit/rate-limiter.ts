export type RateLimitVerdict = { allowed: true } | { allowed: false; retryAfterMs: number };

/**
 * Counts requests per key in fixed one-second windows aligned on the clock's seconds: at most
 * `limitPerSecond` hits per window are allowed, the rest are told when the window ends.
 */
export interface RateLimiter {
  hit(key: string): Promise<RateLimitVerdict>;
}

export const RATE_LIMITER = Symbol('RateLimiter');

export const WINDOW_MS = 1000;

export function windowOf(nowMs: number): { index: number; remainingMs: number } {
  return { index: Math.floor(nowMs / WINDOW_MS), remainingMs: WINDOW_MS - (nowMs % WINDOW_MS) };
}
