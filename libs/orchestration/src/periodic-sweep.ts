import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { errorMessage } from './error-message';
import { LeaseKeeper, LeaseRole } from './leases/lease-keeper';

/**
 * Runs a sweep every `intervalMs`, one at a time, from start until stop, in the one process of
 * the deployment that holds the sweeper's lease (the others sweep once they take it over). A
 * sweep that fails is logged and the next one tries again: sweeps only send commands that are
 * safe to repeat, so a sweep a process finishes after losing its lease costs only reads.
 */
export class PeriodicSweep {
  private role: LeaseRole | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs: number,
    private readonly sweep: () => Promise<void>,
  ) {}

  /**
   * Sweeps while this process holds the lease `lease`; `first`, when given, runs each time the
   * lease is taken, at once, and the sweeps follow it.
   */
  start(leases: LeaseKeeper, lease: string, first?: { what: string; run: () => Promise<void> }): void {
    this.role ??= leases.role(lease, (held) => this.sweepWhile(held, first));
    this.role.start();
  }

  /** Waits for a sweep in progress, so that none writes while the stores close, and gives the lease up. */
  async stop(): Promise<void> {
    await this.role?.stop();
  }

  failed(what: string, error: unknown): void {
    this.logger.error(`could not ${what}, retrying on the next sweep: ${errorMessage(error)}`);
  }

  private async sweepWhile(held: AbortSignal, first?: { what: string; run: () => Promise<void> }): Promise<void> {
    if (first) await first.run().catch((error: unknown) => this.failed(first.what, error));
    while (!held.aborted) {
      await sleep(this.intervalMs, undefined, { signal: held }).catch(() => undefined);
      if (held.aborted) return;
      await this.sweep().catch((error: unknown) => this.failed('sweep', error));
    }
  }
}
