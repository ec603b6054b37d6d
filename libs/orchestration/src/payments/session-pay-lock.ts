import { randomUUID } from 'node:crypto';
import { LeaseStore } from '../leases/lease-store';

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

/** Outlives any begin (a few reads and two appends), and frees the session soon after a crash. Never renewed. */
export const PAY_LOCK_TTL_MS = 10_000;

/** The lease a pay of the session holds while it begins the payment. */
export function sessionPayLease(sessionId: string): string {
  return `session-pay:${sessionId}`;
}

/**
 * The lock as a lease `session-pay:<id>` of the deployment's LeaseStore (PostgreSQL, Redis, or
 * the one process's), so every process of a deployment shares it. Each pay is a holder of its
 * own: two pays of one process must not renew each other's lease.
 */
export class LeaseSessionPayLock implements SessionPayLock {
  constructor(private readonly leases: LeaseStore) {}

  async acquire(sessionId: string): Promise<ReleaseLock | undefined> {
    const name = sessionPayLease(sessionId);
    const holder = `pay:${randomUUID()}`;
    if (!(await this.leases.acquire(name, holder, PAY_LOCK_TTL_MS))) return undefined;
    return () => this.leases.release(name, holder);
  }
}
