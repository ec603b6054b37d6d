import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { Clock } from '@payments/domain';

/** Releases a lock if it is still the caller's (it may have expired and been taken since). */
export type ReleaseLock = () => Promise<void>;

/**
 * Held by a pay while it begins the session's payment, so concurrent pays of one session get
 * their 409 without all racing on the session stream. Never the only guard: the session
 * stream's expected revision is the fence, and a lock that expired under a slow pay only
 * costs that race.
 */
export interface SessionPayLock {
  /** Undefined while another pay holds the session's lock. */
  acquire(sessionId: string): Promise<ReleaseLock | undefined>;
}

export const SESSION_PAY_LOCK = Symbol('SessionPayLock');

/** Outlives any begin (a few reads and two appends), and frees the session soon after a crash. */
export const PAY_LOCK_TTL_MS = 10_000;

/** One process's locks, for a service without REDIS_URL. */
export class InProcessSessionPayLock implements SessionPayLock {
  private readonly held = new Map<string, { expiresAt: number }>();

  constructor(private readonly clock: Clock) {}

  async acquire(sessionId: string): Promise<ReleaseLock | undefined> {
    const now = this.clock.now().getTime();
    const current = this.held.get(sessionId);
    if (current !== undefined && current.expiresAt > now) return undefined;
    const mine = { expiresAt: now + PAY_LOCK_TTL_MS };
    this.held.set(sessionId, mine);
    return async () => {
      if (this.held.get(sessionId) === mine) this.held.delete(sessionId);
    };
  }
}

const DELETE_OWN_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** Locks shared by every API process: `SET NX PX`, released by compare-and-delete on the holder's token. */
export class RedisSessionPayLock implements SessionPayLock {
  constructor(private readonly redis: Redis) {}

  async acquire(sessionId: string): Promise<ReleaseLock | undefined> {
    const key = `pay-lock:${sessionId}`;
    const token = randomUUID();
    if ((await this.redis.set(key, token, 'PX', PAY_LOCK_TTL_MS, 'NX')) !== 'OK') return undefined;
    return async () => {
      await this.redis.eval(DELETE_OWN_LOCK, 1, key, token);
    };
  }
}
