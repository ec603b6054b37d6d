import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { terminateSqliteWriterThread } from '@payments/event-store';
import { SETTINGS, Settings } from '@payments/orchestration';
import { terminateProjectionThread } from '@payments/read-models';

/**
 * The test-only setting (read here rather than in Settings, as no operator should set it): with
 * `FAULT_KILL_THREAD_ON_SIGWINCH=writer` or `=projection`, each SIGWINCH to the process kills that
 * worker thread as a crash would, so that test/faults-writer-thread.e2e-spec.ts and
 * test/faults-projection-thread.e2e-spec.ts can kill a thread of the real service from outside,
 * under load. Unset by default; refused with PAYMENTS_ENV=prod.
 * SIGWINCH because its default is to be ignored, so a stray one does nothing when unset; with
 * SIGUSR2 the process died of the signal itself once the thread was terminated.
 */
const SETTING = 'FAULT_KILL_THREAD_ON_SIGWINCH';

const TERMINATE = { writer: terminateSqliteWriterThread, projection: terminateProjectionThread } as const;

@Injectable()
export class ThreadFaultSignal implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(ThreadFaultSignal.name);
  private listener: (() => void) | undefined;

  constructor(@Inject(SETTINGS) private readonly settings: Settings) {}

  onModuleInit(): void {
    const thread = process.env[SETTING];
    if (thread === undefined || thread === '') return;
    if (!(thread in TERMINATE)) throw new Error(`${SETTING} must be writer or projection, not ${JSON.stringify(thread)}`);
    if (this.settings.env === 'prod') throw new Error(`${SETTING} is for fault tests and is refused with PAYMENTS_ENV=prod`);
    const terminate = TERMINATE[thread as keyof typeof TERMINATE];
    this.listener = () => {
      void terminate().then((killed) => this.logger.warn(killed ? `SIGWINCH: killed the ${thread} thread (${SETTING})` : `SIGWINCH: no ${thread} thread was running`));
    };
    process.on('SIGWINCH', this.listener);
    this.logger.warn(`${SETTING}=${thread}: SIGWINCH kills the ${thread} thread; a setting for fault tests only`);
  }

  onApplicationShutdown(): void {
    if (this.listener) process.off('SIGWINCH', this.listener);
  }
}
