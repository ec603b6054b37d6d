import { Logger } from '@nestjs/common';
import { errorMessage } from './error-message';

/**
 * Runs a sweep every `intervalMs`, one at a time, from start until stop. A sweep that fails is
 * logged and the next one tries again: sweeps only send commands that are safe to repeat.
 */
export class PeriodicSweep {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs: number,
    private readonly sweep: () => Promise<void>,
  ) {}

  /** Schedules the sweeps; `first`, when given, runs at once in the background and the sweeps follow it. */
  start(first?: { what: string; run: () => Promise<void> }): void {
    if (first === undefined) return this.schedule();
    this.track(first.run().catch((error: unknown) => this.failed(first.what, error)));
  }

  /** Waits for a sweep in progress, so that none writes while the stores close. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.sweeping;
  }

  failed(what: string, error: unknown): void {
    this.logger.error(`could not ${what}, retrying on the next sweep: ${errorMessage(error)}`);
  }

  private schedule(): void {
    this.timer = setTimeout(() => this.track(this.sweep().catch((error: unknown) => this.failed('sweep', error))), this.intervalMs);
  }

  private track(run: Promise<void>): void {
    this.sweeping = run.finally(() => {
      this.sweeping = undefined;
      if (!this.stopped) this.schedule();
    });
  }
}
