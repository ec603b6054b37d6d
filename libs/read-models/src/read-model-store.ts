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
  /**
   * Atomically applies `writes` in order and moves the projection's checkpoint from `expected`
   * to `next`. Answers false and writes nothing when the stored checkpoint is not `expected`:
   * another runner got there first, so these writes are already in or are stale.
   */
  commit(projection: string, expected: bigint | undefined, next: bigint, writes: readonly ReadModelWrite[]): Promise<boolean>;
  /** Deletes the collections (documents and indexes) and the checkpoint, for a rebuild from 0. */
  reset(projection: string, collections: readonly string[]): Promise<void>;
  /** Throws when the store cannot be reached (readiness probe). */
  ping(): Promise<void>;
  /** Releases what the store opened itself; a Redis client handed in stays open. */
  close(): Promise<void>;
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
