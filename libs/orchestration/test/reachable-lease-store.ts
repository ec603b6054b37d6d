import { LeaseStore } from '../src/leases/lease-store';

/** One process's connection to the deployment's lease store, which a test can cut (a partition, a store that is down, a process that froze). */
export class Reachable implements LeaseStore {
  cut = false;

  constructor(private readonly store: LeaseStore) {}

  acquire(name: string, holder: string, ttlMs: number): Promise<boolean> {
    return this.cut ? Promise.reject(new Error('connection lost')) : this.store.acquire(name, holder, ttlMs);
  }

  release(name: string, holder: string): Promise<void> {
    return this.cut ? Promise.reject(new Error('connection lost')) : this.store.release(name, holder);
  }

  async close(): Promise<void> {}
}
