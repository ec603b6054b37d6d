/**
 * Leases let the processes of one deployment share work without doing it twice at once: a
 * payment is driven, a projection run, the webhook dispatcher or a sweeper worked by the one
 * process holding its lease. A lease lapses `ttlMs` after it was last taken or renewed, so work
 * whose holder died is taken over by another process once that time has passed.
 *
 * Expiry is measured on the store's clock (PostgreSQL's now(), Redis's PX), never the callers',
 * so processes whose clocks disagree still agree on who holds a lease. A lease is a fence for
 * wasted work, not for correctness: what a holder writes is still checked by the event store's
 * expected revisions and the read models' checkpoints, so a holder that paused past its lease
 * and carries on can lose a race but never write twice.
 */
export interface LeaseStore {
  /**
   * Takes the lease `name` for `holder`, or renews it when `holder` already has it, until
   * `ttlMs` from now. Answers false, changing nothing, while another holder's lease has not lapsed.
   */
  acquire(name: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up if `holder` still has it; does nothing otherwise. */
  release(name: string, holder: string): Promise<void>;
  /** Releases what the store opened itself; a pool or client handed in stays open. */
  close(): Promise<void>;
}

export const LEASE_STORE = Symbol('LeaseStore');
