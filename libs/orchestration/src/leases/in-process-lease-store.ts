import { Clock } from '@payments/domain';
import { LeaseStore } from './lease-store';

/**
 * Leases of one process, for a deployment that is one process (SQLite, no Redis): every holder
 * lives here, so the injected clock is the store's clock. Lapsed leases are dropped when they
 * are next asked for, so the map holds at most one entry per name ever taken and not released.
 */
export class InProcessLeaseStore implements LeaseStore {
  private readonly leases = new Map<string, { holder: string; expiresAt: number }>();

  constructor(private readonly clock: Clock) {}

  async acquire(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const now = this.clock.now().getTime();
    const current = this.leases.get(name);
    if (current !== undefined && current.holder !== holder && current.expiresAt > now) return false;
    this.leases.set(name, { holder, expiresAt: now + ttlMs });
    return true;
  }

  async release(name: string, holder: string): Promise<void> {
    if (this.leases.get(name)?.holder === holder) this.leases.delete(name);
  }

  /** Opened nothing; leases stay, so a store shared by two apps in a test outlives either. */
  async close(): Promise<void> {}
}
