/**
 * A document's membership in one sorted index of its collection, e.g. index
 * `sessions:acc_x:status:open` scored by the creation time in ms. Lists read an index in score
 * order; equal scores are ordered by document id, so paging is stable.
 */
export interface IndexEntry {
  index: string;
  score: number;
}

export type ReadModelWrite =
  /** Replaces the document and all its index memberships with `indexes`. */
  | { op: 'put'; collection: string; id: string; doc: unknown; indexes: IndexEntry[] }
  /** Removes the document and its memberships; deleting a missing document does nothing. */
  | { op: 'delete'; collection: string; id: string };

export interface PageRequest {
  limit: number;
  offset: number;
  order: 'asc' | 'desc';
}

export interface Page<T> {
  items: T[];
  /** Members of the whole index, not of this page. */
  total: number;
}

/** A projection's checkpoint together with the generation of the read model it describes. */
export interface ServedCheckpoint {
  /** The global position of the last event the projection applied; undefined before the first. */
  position: bigint | undefined;
  /** 0 until a rebuild of the projection is published; each published rebuild adds one. */
  generation: number;
}

/**
 * Where projections keep what clients read. Documents are JSON: they come back as
 * JSON.parse(JSON.stringify(doc)). A collection belongs to exactly one projection, which
 * writes it through `commit` only, so a checkpoint always describes its collections exactly.
 */
export interface ReadModelStore {
  get<T>(collection: string, id: string): Promise<T | undefined>;
  /** In the order of `ids`; undefined where a document is missing. */
  getMany<T>(collection: string, ids: readonly string[]): Promise<(T | undefined)[]>;
  list<T>(collection: string, index: string, page: PageRequest): Promise<Page<T>>;
  /** The global position of the last event the projection applied; undefined before the first. */
  checkpoint(projection: string): Promise<bigint | undefined>;
  /** The checkpoint and its generation, read together: what a runner commits against. */
  readCheckpoint(projection: string): Promise<ServedCheckpoint>;
  /**
   * Atomically applies `writes` in order and moves the projection's checkpoint from `expected`
   * to `next`. Answers false and writes nothing when the stored checkpoint is not `expected`:
   * another runner got there first, so these writes are already in or are stale. With
   * `generation`, also when a rebuild was published since that generation was read: the
   * writes were projected from documents of the read model it replaced, even if the new one
   * happens to stand at the same position.
   */
  commit(projection: string, expected: bigint | undefined, next: bigint, writes: readonly ReadModelWrite[], generation?: number): Promise<boolean>;
  /** Deletes the collections (documents and indexes) and the checkpoint, in place. */
  reset(projection: string, collections: readonly string[]): Promise<void>;
  /**
   * Starts building the projection's read model again from nothing, beside the one served,
   * which readers keep seeing until `publish`. Whatever an earlier rebuild of the projection
   * left (one killed halfway) is deleted first; a rebuild of it still running is superseded:
   * its next commit or publish fails.
   */
  beginRebuild(projection: string, collections: readonly string[]): Promise<ReadModelRebuild>;
  /**
   * The identity of the event store these read models follow (EventStore.identity), as last
   * recorded; undefined in a store that has recorded none. Checkpoints are positions in that
   * store's log and mean nothing in another's.
   */
  followedEventStore(): Promise<string | undefined>;
  /** Records the identity of the event store the read models follow from now on. */
  followEventStore(identity: string): Promise<void>;
  /** Throws when the store cannot be reached (readiness probe). */
  ping(): Promise<void>;
  /** Releases what the store opened itself; a Redis client handed in stays open. */
  close(): Promise<void>;
}

/** What a projection runner needs of a store: the served read model, or one being rebuilt. */
export type ProjectionStore = Pick<ReadModelStore, 'get' | 'getMany' | 'list' | 'checkpoint' | 'readCheckpoint' | 'commit'>;

/** A read model being built beside the served one (see `beginRebuild`). */
export interface ReadModelRebuild {
  /**
   * Reads and commits of the new read model alone; its checkpoint starts undefined. A commit to
   * a collection the rebuild was not begun with throws, and so does any call once another
   * rebuild of the projection has begun.
   */
  readonly store: ProjectionStore;
  /**
   * In one atomic step, makes the new read model the one served (documents, indexes and
   * checkpoint) and moves the projection to the next generation; the old one is deleted. Answers
   * false and changes nothing when the served checkpoint is ahead of the new one: catch the
   * rebuild up and publish again, so that no reader sees the read model go back in time.
   */
  publish(): Promise<boolean>;
  /** Deletes what the rebuild wrote; the served read model stays as it is. */
  discard(): Promise<void>;
}

/** Thrown by a rebuild that another rebuild of the same projection has superseded. */
export class RebuildSuperseded extends Error {
  override name = 'RebuildSuperseded';

  constructor(readonly projection: string) {
    super(`another rebuild of projection ${projection} has begun since this one; this one was abandoned`);
  }
}

/** Thrown by a rebuild's commit that writes a collection the rebuild was not begun with. */
export class NotRebuiltCollection extends Error {
  override name = 'NotRebuiltCollection';

  constructor(projection: string, collection: string) {
    super(`collection ${collection} is not one of those projection ${projection} is being rebuilt with`);
  }
}

const COLLECTION_NAME = /^[a-z][a-z0-9_]*$/;

/**
 * Collection names are part of Redis key names (`…:idx:<collection>:<index>`); without a `:`
 * in them, no collection/index pair can spell another pair's key.
 */
export function assertCollectionName(collection: string): void {
  if (!COLLECTION_NAME.test(collection)) {
    throw new Error(`collection name "${collection}" must be lower-case letters, digits and _, starting with a letter`);
  }
}

/** Refused alike by every adapter: SQLite would read a negative LIMIT as "no limit", Redis a negative offset from the end. */
export function assertPageRequest(page: PageRequest): void {
  for (const [name, value] of [['limit', page.limit], ['offset', page.offset]] as const) {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`page ${name} must be a whole number >= 0, got ${value}`);
  }
}
