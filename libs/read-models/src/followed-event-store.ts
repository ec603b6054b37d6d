import { EventStore } from '@payments/event-store';
import { Projection } from './projection';
import { ReadModelStore } from './read-model-store';

/** What to do with read models that follow another event store (READ_MODELS_ON_MISMATCH). */
export type OnFollowedStoreMismatch = 'refuse' | 'rebuild';

export type FollowedStoreCheck =
  /** The read models follow this event store. */
  | { outcome: 'same'; identity: string }
  /** The read-model store had recorded no event store and now follows this one. */
  | { outcome: 'adopted'; identity: string }
  /** They followed another (`followed`; undefined for read models from before identities): deleted, to be rebuilt from this one. */
  | { outcome: 'rebuilt'; identity: string; followed: string | undefined };

/**
 * The read models follow another event store than this one: their checkpoints are positions in
 * that store's log, so projecting this one's from there would skip its events in silence.
 */
export class ReadModelsFollowAnotherStore extends Error {
  override name = 'ReadModelsFollowAnotherStore';

  constructor(
    readonly identity: string,
    readonly followed: string | undefined,
  ) {
    super(
      followed === undefined
        ? `the read models hold checkpoints but this event store (${identity}) is empty: they belong to another event store`
        : `the read models follow event store ${followed}, not this one (${identity})`,
    );
  }
}

/**
 * Run at start, before any projection: makes sure the read models follow `events`. A store that
 * has recorded none is taken over, unless it holds checkpoints while the event store is empty
 * (read models from before identities were recorded, beside a fresh event store: the very case
 * that skips events). On a mismatch, 'refuse' throws ReadModelsFollowAnotherStore; 'rebuild'
 * deletes every projection's read model and checkpoint, then records this event store, in that
 * order, so a crash between the two finds the mismatch again rather than stale checkpoints
 * that seem to match. The projections then rebuild from position 0 as they start.
 */
export async function checkFollowedEventStore(
  events: EventStore,
  readModels: ReadModelStore,
  projections: readonly Projection[],
  onMismatch: OnFollowedStoreMismatch,
): Promise<FollowedStoreCheck> {
  const [identity, followed] = await Promise.all([events.identity(), readModels.followedEventStore()]);
  if (followed === identity) return { outcome: 'same', identity };
  if (followed === undefined && !(await heldCheckpointsOfAnother(events, readModels, projections))) {
    await readModels.followEventStore(identity);
    return { outcome: 'adopted', identity };
  }
  if (onMismatch === 'refuse') throw new ReadModelsFollowAnotherStore(identity, followed);
  for (const projection of projections) await readModels.reset(projection.name, projection.collections);
  await readModels.followEventStore(identity);
  return { outcome: 'rebuilt', identity, followed };
}

async function heldCheckpointsOfAnother(events: EventStore, readModels: ReadModelStore, projections: readonly Projection[]): Promise<boolean> {
  const checkpoints = await Promise.all(projections.map((projection) => readModels.checkpoint(projection.name)));
  if (checkpoints.every((checkpoint) => checkpoint === undefined)) return false;
  for await (const _ of events.readAll({ maxCount: 1 })) return false;
  return true;
}
