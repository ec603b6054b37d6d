import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { EventStore } from '@payments/event-store';
import { Projection, ProjectionRunner, ReadModelStore } from '@payments/read-models';
import { EVENT_STORE } from '../tokens';
import { PROJECTIONS, READ_MODEL_STORE } from './read-models.tokens';

export interface ProjectionStatus {
  projection: string;
  /** Global position of the last event in its read model; undefined before any. */
  position: bigint | undefined;
  lag: bigint;
}

/**
 * Runs every projection from its stored checkpoint for the life of the application. Runners
 * stop before shutdown proper, so no commit is in flight when the stores close.
 */
@Injectable()
export class ProjectionsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ProjectionsService.name);
  private readonly runners: ProjectionRunner[];

  constructor(
    @Inject(EVENT_STORE) events: EventStore,
    @Inject(READ_MODEL_STORE) store: ReadModelStore,
    @Inject(PROJECTIONS) projections: readonly Projection[],
  ) {
    this.runners = projections.map(
      (projection) =>
        new ProjectionRunner(projection, events, store, {
          onError: (error) => this.logger.error(`projection ${projection.name} failed, retrying from its checkpoint: ${describe(error)}`),
        }),
    );
  }

  onApplicationBootstrap(): void {
    for (const runner of this.runners) runner.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.runners.map((runner) => runner.stop()));
  }

  /**
   * Read-your-writes: after appending at `position`, a command handler waits here so that a
   * list read next already shows its change. False when some projection is not there within
   * `timeoutMs`; the caller answers anyway, and the read may lag.
   */
  async waitFor(position: bigint, timeoutMs = 5000): Promise<boolean> {
    const reached = await Promise.all(this.runners.map((runner) => runner.waitFor(position, timeoutMs)));
    return reached.every(Boolean);
  }

  /** For /metrics (projection lag) and the dashboard. */
  status(): ProjectionStatus[] {
    return this.runners.map((runner) => ({ projection: runner.projection.name, position: runner.position, lag: runner.lag }));
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
