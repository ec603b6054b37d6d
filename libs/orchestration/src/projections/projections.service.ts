import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { EventStore, SqliteEventStore } from '@payments/event-store';
import { EventFeed, Projection, ProjectionRunner, ProjectionThread, ReadModelStore, allProjections, describeError } from '@payments/read-models';
import { Settings } from '../settings';
import { EVENT_STORE, SETTINGS } from '../tokens';
import { PROJECTIONS, READ_MODEL_STORE } from './read-models.tokens';

export interface ProjectionStatus {
  projection: string;
  /** Global position of the last event in its read model; undefined before any. */
  position: bigint | undefined;
  lag: bigint;
}

/** Where the projections run: in this thread, or in the projection thread. */
interface ProjectionsRun {
  start(): void;
  stop(): Promise<void>;
  waitFor(projection: string, position: bigint, timeoutMs: number): Promise<boolean>;
  status(): ProjectionStatus[];
}

/**
 * Runs every projection from its stored checkpoint for the life of the application, all fed by
 * one subscription, so an appended event is read once rather than once per projection. With the
 * SQLite event store they run in the projection thread (ProjectionThread), off the thread that
 * answers requests; with another store, or projections a test chose, in this thread. Runners
 * stop before shutdown proper, so no commit is in flight when the stores close.
 */
@Injectable()
export class ProjectionsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ProjectionsService.name);
  private readonly names: ReadonlySet<string>;
  private readonly run: ProjectionsRun;

  constructor(
    @Inject(EVENT_STORE) events: EventStore,
    @Inject(READ_MODEL_STORE) store: ReadModelStore,
    @Inject(PROJECTIONS) projections: readonly Projection[],
    @Inject(SETTINGS) settings: Settings,
  ) {
    this.names = new Set(projections.map((projection) => projection.name));
    const onError = (projection: string, error: string) => this.logger.error(`projection ${projection} failed, retrying from its checkpoint: ${error}`);
    this.run =
      events instanceof SqliteEventStore && projections === allProjections
        ? inTheProjectionThread(events, settings, onError)
        : inThisThread(events, store, projections, onError);
  }

  onApplicationBootstrap(): void {
    this.run.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.run.stop();
  }

  /**
   * Read-your-writes: after appending at `position`, a command handler waits here so that a
   * list read next already shows its change. `projections` names the read models its answer
   * depends on (all by default), so a slower unrelated one does not delay it. False when some
   * projection is not there within `timeoutMs`; the caller answers anyway, and the read may lag.
   */
  async waitFor(position: bigint, timeoutMs = 5000, projections?: readonly Projection[]): Promise<boolean> {
    const names = projections?.map((projection) => projection.name) ?? [...this.names];
    for (const name of names) if (!this.names.has(name)) throw new Error(`projection ${name} is not run by this service`);
    const reached = await Promise.all(names.map((name) => this.run.waitFor(name, position, timeoutMs)));
    return reached.every(Boolean);
  }

  /** For /metrics (projection lag) and the dashboard. */
  status(): ProjectionStatus[] {
    return this.run.status();
  }
}

function inThisThread(
  events: EventStore,
  store: ReadModelStore,
  projections: readonly Projection[],
  onError: (projection: string, error: string) => void,
): ProjectionsRun {
  const feed = new EventFeed(events);
  const runners = new Map(
    projections.map((projection) => [
      projection.name,
      new ProjectionRunner(projection, events, store, { feed, onError: (error) => onError(projection.name, describeError(error)) }),
    ]),
  );
  return {
    start: () => runners.forEach((runner) => runner.start()),
    stop: async () => {
      await Promise.all([...runners.values()].map((runner) => runner.stop()));
    },
    waitFor: (projection, position, timeoutMs) => runners.get(projection)!.waitFor(position, timeoutMs),
    status: () => [...runners.values()].map((runner) => ({ projection: runner.projection.name, position: runner.position, lag: runner.lag })),
  };
}

function inTheProjectionThread(events: SqliteEventStore, settings: Settings, onError: (projection: string, error: string) => void): ProjectionsRun {
  let thread: ProjectionThread | undefined;
  const redis = settings.redisUrl ? { url: settings.redisUrl, keyPrefix: settings.redisKeyPrefix } : null;
  const postgres = settings.postgresUrl ? { url: settings.postgresUrl } : null;
  return {
    start: () => {
      thread ??= ProjectionThread.start({ dataDir: settings.dataDir, redis, postgres, appends: events.appends, onError });
    },
    stop: async () => {
      await thread?.stop();
      thread = undefined;
    },
    // Before start and after stop nothing follows the log: a wait answers that it was not reached.
    waitFor: (projection, position, timeoutMs) => (thread ? thread.waitFor(projection, position, timeoutMs) : Promise.resolve(false)),
    status: () => thread?.status() ?? [],
  };
}
