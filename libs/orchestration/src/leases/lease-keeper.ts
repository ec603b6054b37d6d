import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { errorMessage } from '../error-message';
import { randomBase62 } from '../random-ids';
import { Settings } from '../settings';
import { SETTINGS } from '../tokens';
import { LEASE_STORE, LeaseStore } from './lease-store';

/** What the keeper counts, fulfilled by the HTTP app's metrics where there are any. */
export interface LeaseMetrics {
  /** A call to the lease store failed (it is tried again: at the next renewal, the next try of the role, or never for a release, whose lease then lapses). */
  recordLeaseFailure(operation: 'acquire' | 'renew' | 'release'): void;
  /** Work stopped because its lease was taken by another holder or could not be renewed in time. */
  recordLeaseLost(): void;
}

export const LEASE_METRICS = Symbol('LeaseMetrics');

export type Held<T> = { held: true; value: T } | { held: false };

/**
 * The leases of one process (one application: tests start several in one process, each a
 * holder of its own): takes them for work, renews them every third of LEASE_TTL while the work
 * runs, and tells the work through its AbortSignal when a lease is lost: when the store says
 * another holder has it, or a twelfth of the TTL before the last renewal that succeeded would
 * lapse (see Tenure), so that the work stops before another process can take the lease. The TTL
 * is counted here from before each renewal was sent, and expiry in the store from when it got
 * there, so this process gives up before the store lets the lease lapse.
 */
@Injectable()
export class LeaseKeeper {
  private readonly logger = new Logger(LeaseKeeper.name);
  /** Unique per application; the host and pid tell an operator which process holds a lease. */
  readonly holder = `${hostname()}:${process.pid}:${randomBase62(10)}`;
  readonly ttlMs: number;

  constructor(
    @Inject(LEASE_STORE) private readonly store: LeaseStore,
    @Inject(SETTINGS) settings: Settings,
    @Optional() @Inject(LEASE_METRICS) private readonly metrics?: LeaseMetrics,
  ) {
    this.ttlMs = settings.leaseTtlMs;
  }

  /** How often a held lease is renewed, and a free one looked for. */
  get renewEveryMs(): number {
    return Math.max(1, Math.floor(this.ttlMs / 3));
  }

  /** Takes or renews the lease once, for this holder; false while another holder has it. Throws when the store fails. */
  acquire(name: string): Promise<boolean> {
    return this.store.acquire(name, this.holder, this.ttlMs);
  }

  /**
   * Runs `work` while holding the lease `name`, renewing it, and releases it when the work ends.
   * Answers held: false, without running the work, while another holder has the lease; throws
   * when the store cannot be asked. `work`'s signal aborts when the lease is lost or `stop`
   * aborts; the lease is released only after the work has returned.
   */
  async hold<T>(name: string, work: (signal: AbortSignal) => Promise<T>, stop?: AbortSignal): Promise<Held<T>> {
    const sentAt = performance.now();
    let acquired: boolean;
    try {
      acquired = await this.acquire(name);
    } catch (error) {
      // Counted here, logged by the caller, which knows what waits for the lease.
      this.failed('acquire', name, error, { log: false });
      throw error;
    }
    if (!acquired) return { held: false };
    const tenure = new Tenure(this, name, sentAt, stop);
    try {
      return { held: true, value: await work(tenure.signal) };
    } finally {
      // A renewal still under way would take the lease again after the release.
      await tenure.end();
      await this.release(name);
    }
  }

  /** A role: the lease `name` held for as long as this process can, taken over when it lapses elsewhere. */
  role(name: string, work?: (signal: AbortSignal) => Promise<void>): LeaseRole {
    return new LeaseRole(this, name, work);
  }

  /** Gives the lease up; a failure is logged and counted, and the lease then lapses by itself. */
  async release(name: string): Promise<void> {
    try {
      await this.store.release(name, this.holder);
    } catch (error) {
      this.failed('release', name, error);
    }
  }

  /** @internal A renewal: `failed` when the store could not answer (logged, counted). */
  async renew(name: string): Promise<'renewed' | 'taken' | 'failed'> {
    try {
      return (await this.acquire(name)) ? 'renewed' : 'taken';
    } catch (error) {
      this.failed('renew', name, error);
      return 'failed';
    }
  }

  /** @internal */
  lost(name: string, why: string): void {
    this.metrics?.recordLeaseLost();
    this.logger.warn(`lease ${name} lost (${why}): its work stops, and whichever process takes the lease continues it`);
  }

  /** @internal */
  failed(operation: 'acquire' | 'renew' | 'release', name: string, error: unknown, options: { log?: boolean; count?: boolean } = {}): void {
    if (options.count ?? true) this.metrics?.recordLeaseFailure(operation);
    if (options.log ?? true) this.logger.error(`could not ${operation} lease ${name}: ${errorMessage(error)}`);
  }
}

/**
 * One holding of a lease: renewed every third of the TTL until ended, its signal aborted once
 * lost. Lost when the store says another holder has it, or at the deadline: a twelfth of the
 * TTL before the last renewal that succeeded would lapse (counted from when it was sent), so
 * two renewals in a row may fail, or a store hang, and the work still stops before another
 * process can take the lease.
 */
class Tenure {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private deadline: NodeJS.Timeout | undefined;
  private renewing: Promise<void> | undefined;
  private ended = false;
  private readonly onStop = () => this.controller.abort();

  constructor(
    private readonly keeper: LeaseKeeper,
    private readonly name: string,
    sentAt: number,
    private readonly stop?: AbortSignal,
  ) {
    if (stop?.aborted) this.controller.abort();
    // One stop signal (a saga's shutdown) is shared by as many tenures as it has payments under way.
    if (stop) setMaxListeners(0, stop);
    stop?.addEventListener('abort', this.onStop, { once: true });
    this.timer = setInterval(() => this.renew(), keeper.renewEveryMs);
    this.renewed(sentAt);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Stops renewing; resolves once no renewal is under way. */
  async end(): Promise<void> {
    this.ended = true;
    this.stopTimers();
    await this.renewing;
  }

  private stopTimers(): void {
    clearInterval(this.timer);
    clearTimeout(this.deadline);
    this.stop?.removeEventListener('abort', this.onStop);
  }

  /** A renewal (or the acquire) sent at `sentAt` (performance.now()) succeeded: the deadline moves on. */
  private renewed(sentAt: number): void {
    clearTimeout(this.deadline);
    const lapsesInMs = sentAt + this.keeper.ttlMs - this.keeper.ttlMs / 12 - performance.now();
    this.deadline = setTimeout(() => this.lose(`not renewed within ${this.keeper.ttlMs} ms`), Math.max(0, lapsesInMs));
  }

  private renew(): void {
    if (this.renewing || this.controller.signal.aborted) return;
    const sentAt = performance.now();
    this.renewing = this.keeper.renew(this.name).then((renewal) => {
      this.renewing = undefined;
      if (renewal === 'taken' && !this.ended) this.lose('another holder has it');
      // A store that failed leaves the deadline where it was.
      else if (renewal === 'renewed' && !this.controller.signal.aborted && !this.ended) this.renewed(sentAt);
    });
  }

  private lose(why: string): void {
    if (this.controller.signal.aborted) return;
    this.keeper.lost(this.name, why);
    this.controller.abort();
    this.stopTimers();
  }
}

/**
 * A lease held by this process for as long as it can (a projection, the resolver, the webhooks,
 * a sweeper): tried every third of the TTL until taken, then renewed; `held` says whether this
 * process is the one. `work`, when given, runs for each time the lease is held, until its signal
 * aborts (lost, or stop); then the role tries again. A store that fails is logged and counted,
 * and tried again at the next turn.
 */
export class LeaseRole {
  private readonly stopping = new AbortController();
  private running: Promise<void> | undefined;
  private holding = false;

  constructor(
    private readonly keeper: LeaseKeeper,
    readonly name: string,
    private readonly work?: (signal: AbortSignal) => Promise<void>,
  ) {}

  /** True while this process holds the lease and has not lost it. */
  get held(): boolean {
    return this.holding;
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** Stops the work, waits for it, and releases the lease so another process takes it at once. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }

  /** Tries every turn; a store that keeps failing is logged at the first failure of a run of them. */
  private async loop(): Promise<void> {
    const stop = this.stopping.signal;
    let failing = false;
    while (!stop.aborted) {
      try {
        await this.keeper.hold(this.name, (signal) => this.hold(signal), stop);
        failing = false;
      } catch (error) {
        // Counted by hold.
        if (!failing) this.keeper.failed('acquire', this.name, error, { count: false });
        failing = true;
      }
      await sleep(this.keeper.renewEveryMs, undefined, { signal: stop }).catch(() => undefined);
    }
  }

  private async hold(signal: AbortSignal): Promise<void> {
    this.holding = true;
    try {
      await (this.work ? this.work(signal) : aborted(signal));
    } finally {
      this.holding = false;
    }
  }
}

/** Resolves once the signal aborts. */
export function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
}
