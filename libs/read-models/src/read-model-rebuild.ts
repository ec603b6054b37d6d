import { EventStore } from '@payments/event-store';
import { Projection } from './projection';
import { ProjectionRunner } from './projection-runner';
import { ReadModelStore } from './read-model-store';

export interface RebuildProgress {
  /** Global position of the last event read. */
  position: bigint;
  /** Events read so far (each once, whatever the number of projections). */
  events: number;
}

export interface RebuildOptions {
  /** Most events per page read and per commit. Default REBUILD_BATCH_EVENTS. */
  batchSize?: number;
  onProgress?(progress: RebuildProgress): void;
  /** Hears each projection once its new read model is served. */
  onPublished?(projection: string, checkpoint: bigint | undefined): void;
}

/**
 * Far more than a following runner's batch: nothing waits on a rebuild's commits, and a large
 * batch commits each document it updates once for many events (PendingWrites). Its documents
 * are held in memory until the commit, a few tens of megabytes at most.
 */
export const REBUILD_BATCH_EVENTS = 20_000;

/**
 * Publishing waits for nothing, so it only loses to a service that applied events the rebuild
 * had not read yet; after this many catch-ups in a row something else is wrong.
 */
const MAX_PUBLISH_ATTEMPTS = 20;

/**
 * Rebuilds the projections from position 0 beside the read models served meanwhile (see
 * ReadModelStore.beginRebuild), reading the log once for all of them, then publishes each new
 * read model, catching it up again first if the service has applied newer events since. A
 * rebuild that fails, or is killed, leaves the served read models as they were: what it wrote
 * is discarded here, or by the next rebuild of the projection.
 *
 * A running service keeps reading and projecting into the served read models, and its runners
 * take up the new one at their next commit, which the publish refuses (a new generation).
 */
export async function rebuildProjections(projections: readonly Projection[], events: EventStore, store: ReadModelStore, options: RebuildOptions = {}): Promise<void> {
  const rebuilds: { projection: Projection; runner: ProjectionRunner; rebuild: Awaited<ReturnType<ReadModelStore['beginRebuild']>> }[] = [];
  try {
    for (const projection of projections) {
      const rebuild = await store.beginRebuild(projection.name, projection.collections);
      rebuilds.push({ projection, rebuild, runner: new ProjectionRunner(projection, events, rebuild.store, { batchSize: options.batchSize ?? REBUILD_BATCH_EVENTS }) });
    }
    await ProjectionRunner.catchUpTogether(
      rebuilds.map(({ runner }) => runner),
      options.onProgress,
    );
    for (const { projection, runner, rebuild } of rebuilds) {
      for (let attempt = 1; !(await rebuild.publish()); attempt++) {
        if (attempt >= MAX_PUBLISH_ATTEMPTS) throw new Error(`projection ${projection.name}: the served read model stayed ahead of the rebuilt one ${attempt} times in a row`);
        await runner.catchUp();
      }
      options.onPublished?.(projection.name, runner.position);
    }
  } catch (error) {
    // A published rebuild has nothing left to discard.
    await Promise.allSettled(rebuilds.map(({ rebuild }) => rebuild.discard()));
    throw error;
  }
}
