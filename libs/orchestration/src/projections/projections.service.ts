import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { EventStore } from '@payments/event-store';
import { EventFeed, Projection, ProjectionRunner, ReadModelStore } from '@payments/read-models';
import { EVENT_STORE } from '../tokens';
import { PROJECTIONS, READ_MODEL_STORE } from './read-models.tokens';

export interface ProjectionStatus {
  projection: string;
  /** Global position of the last event in its read model; undefined before any. */
  position: bigint | undefined;
  lag: bigint;
}

/**
 * Runs every projection from its stored checkpoint for the life of the application, all fed by
 * one subscription, so an appended event is read once rather than once per projection. Runners
 * stop before shutdown proper, so no commit is in flight when the stores close.
 */
@Injectable()
export class ProjectionsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ProjectionsService.name);
  private readonly runners: ReadonlyMap<string, ProjectionRunner>;

  constructor(
    @Inject(EVENT_STORE) events: EventStore,
    @Inject(READ_MODEL_STORE) store: ReadModelStore,
    @Inject(PROJECTIONS) projections: readonly Projection[],
  ) {
    const feed = new EventFeed(events);
    this.runners = new Map(
      projections.map((projection) => [
        projection.name,
        new ProjectionRunner(projection, events, store, {
          feed,
          onError: (error) => this.logger.error(`projection ${projection.name} failed, retrying from its checkpoint: ${describe(error)}`),
        }),
      ]),
    );
  }

  onApplicationBootstrap(): void {
    for (const runner of this.runners.values()) runner.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([...this.runners.values()].map((runner) => runner.stop()));
  }

  /**
   * Read-your-writes: after appending at `position`, a command handler waits here so that a
   * list read next already shows its change. `projections` names the read models its answer
   * depends on (all by default), so a slower unrelated one does not delay it. False when some
   * projection is not there within `timeoutMs`; the caller answers anyway, and the read may lag.
   */
  async waitFor(position: bigint, timeoutMs = 5000, projections?: readonly Projection[]): Promise<boolean> {
    const runners = projections?.map((projection) => this.runnerOf(projection)) ?? [...this.runners.values()];
    const reached = await Promise.all(runners.map((runner) => runner.waitFor(position, timeoutMs)));
    return reached.every(Boolean);
  }

  /** For /metrics (projection lag) and the dashboard. */
  status(): ProjectionStatus[] {
    return [...this.runners.values()].map((runner) => ({ projection: runner.projection.name, position: runner.position, lag: runner.lag }));
  }

  private runnerOf(projection: Projection): ProjectionRunner {
    const runner = this.runners.get(projection.name);
    if (!runner) throw new Error(`projection ${projection.name} is not run by this service`);
    return runner;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
