import { setTimeout as sleep } from 'node:timers/promises';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { EventStore, SqliteEventStore } from '@payments/event-store';
import { EventFeed, Projection, ProjectionRunner, ProjectionThread, ReadModelStore, allProjections, describeError } from '@payments/read-models';
import { AppliedPosition } from '@payments/read-models/applied-position';
import { errorMessage } from '../error-message';
import { LeaseKeeper, LeaseRole, aborted } from '../leases/lease-keeper';
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
 * How often a wait for a projection run by another process reads its checkpoint from the store
 * (one read per projection waited for, shared by every wait); and at most how long after a
 * runner of this process applied events that gave no writes their position is stored, so that
 * such waits in the other processes end.
 */
export const STORED_CHECKPOINT_POLL_MS = 20;
export const STORE_CHECKPOINT_WITHIN_MS = 50;
/** How often the status of projections run by another process is read from the store (for the dashboard's live position). */
export const STORED_STATUS_REFRESH_MS = 1000;

/**
 * Runs every projection from its stored checkpoint for the life of the application, all fed by
 * one subscription, so an appended event is read once rather than once per projection. With the
 * SQLite event store they run in the projection thread (ProjectionThread), off the thread that
 * answers requests; with another store, or projections a test chose, in this thread. Runners
 * stop before shutdown proper, so no commit is in flight when the stores close.
 *
 * In this thread, each projection runs in one process of the deployment: the holder of its lease
 * `projection:<name>`, which another process takes over once it lapses; a wait for a projection
 * this process does not run reads its checkpoint from the shared store. The projection thread
 * (SQLite: one machine) runs in every process as before; its runners compete safely, a commit
 * against a checkpoint another one moved being refused.
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
    leases: LeaseKeeper,
  ) {
    this.names = new Set(projections.map((projection) => projection.name));
    const onError = (projection: string, error: string) => this.logger.error(`projection ${projection} failed, retrying from its checkpoint: ${error}`);
    this.run =
      events instanceof SqliteEventStore && projections === allProjections
        ? inTheProjectionThread(events, settings, onError)
        : inThisThread(events, store, projections, leases, onError);
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
  leases: LeaseKeeper,
  onError: (projection: string, error: string) => void,
): ProjectionsRun {
  const feed = new EventFeed(events);
  const run = new Map(
    projections.map((projection) => {
      const runner = new ProjectionRunner(projection, events, store, {
        feed,
        storeCheckpointWithinMs: STORE_CHECKPOINT_WITHIN_MS,
        onError: (error) => onError(projection.name, describeError(error)),
      });
      // Followed while the lease is held; stopped (no commit in flight) before it is given up.
      const role = leases.role(`projection:${projection.name}`, async (held) => {
        runner.start();
        await aborted(held);
        await runner.stop();
      });
      const stored = new StoredCheckpoint(store, projection.name, (error) => onError(projection.name, `its checkpoint could not be read: ${error}`));
      return [projection.name, { runner, role, stored }] as const;
    }),
  );
  const refreshing = new AbortController();
  let refresher: Promise<void> | undefined;
  // The checkpoints of the projections another process runs, read now and then, so that status() is never far behind them.
  const refreshStored = async () => {
    while (!refreshing.signal.aborted) {
      await Promise.all([...run.values()].filter(({ role }) => !role.held).map(({ stored }) => stored.refresh()));
      await sleep(STORED_STATUS_REFRESH_MS, undefined, { signal: refreshing.signal }).catch(() => undefined);
    }
  };
  return {
    start: () => {
      run.forEach(({ role }) => role.start());
      refresher ??= refreshStored();
    },
    stop: async () => {
      refreshing.abort();
      await refresher;
      await Promise.all([...run.values()].map(({ role }) => role.stop()));
    },
    waitFor: (projection, position, timeoutMs) => {
      const { runner, role, stored } = run.get(projection)!;
      return role.held ? runner.waitFor(position, timeoutMs) : stored.waitFor(position, timeoutMs);
    },
    // A projection run elsewhere: its stored checkpoint as last read (at most a refresh behind), and no lag of this process's.
    status: () =>
      [...run.values()].map(({ runner, role, stored }) =>
        role.held ? { projection: runner.projection.name, position: runner.position, lag: runner.lag } : { projection: runner.projection.name, position: stored.position, lag: 0n },
      ),
  };
}

/**
 * A projection's checkpoint as the store holds it, for waits in a process that does not run the
 * projection: read every STORED_CHECKPOINT_POLL_MS while someone waits, once for all of them, and
 * every STORED_STATUS_REFRESH_MS for status(). A read that fails is reported once per run of
 * failures, and the reads go on.
 */
class StoredCheckpoint {
  private readonly applied = new AppliedPosition();
  private waiting = 0;
  private polling: Promise<void> | undefined;
  private failing = false;

  constructor(
    private readonly store: ReadModelStore,
    private readonly projection: string,
    private readonly onError: (error: string) => void,
  ) {}

  /** The checkpoint as last read; undefined before the first read. */
  get position(): bigint | undefined {
    return this.applied.position;
  }

  /** Reads the checkpoint once; a failure is reported (once per run of failures) and leaves the last one read. */
  async refresh(): Promise<void> {
    try {
      this.applied.set(await this.store.checkpoint(this.projection));
      this.failing = false;
    } catch (error) {
      if (!this.failing) this.onError(errorMessage(error));
      this.failing = true;
    }
  }

  async waitFor(position: bigint, timeoutMs: number): Promise<boolean> {
    this.waiting++;
    this.polling ??= this.poll();
    try {
      return await this.applied.waitFor(position, timeoutMs);
    } finally {
      this.waiting--;
    }
  }

  private async poll(): Promise<void> {
    for (;;) {
      await this.refresh();
      // Cleared in the same turn as the last look at `waiting`, so a wait that comes after starts the reads again.
      if (this.waiting === 0) {
        this.polling = undefined;
        return;
      }
      await sleep(STORED_CHECKPOINT_POLL_MS);
    }
  }
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
