import { ReadModelStore } from '@payments/read-models';

export interface CountingStore extends ReadModelStore {
  /** Commits attempted so far. */
  readonly commits: number;
}

/**
 * Delegates to `store`, counting commits; the calls `failing` picks (1-based) throw either
 * before committing (a crash with the batch unwritten) or after (the acknowledgement was lost).
 */
export function withFailingCommits(store: ReadModelStore, failing: (call: number) => 'before' | 'after' | undefined = () => undefined): CountingStore {
  let commits = 0;
  return {
    get commits() {
      return commits;
    },
    get: (collection, id) => store.get(collection, id),
    getMany: (collection, ids) => store.getMany(collection, ids),
    list: (collection, index, page) => store.list(collection, index, page),
    checkpoint: (projection) => store.checkpoint(projection),
    readCheckpoint: (projection) => store.readCheckpoint(projection),
    async commit(projection, expected, next, writes, generation) {
      const when = failing(++commits);
      if (when === 'before') throw new Error(`commit ${commits} failed`);
      const committed = await store.commit(projection, expected, next, writes, generation);
      if (when === 'after') throw new Error(`acknowledgement of commit ${commits} lost`);
      return committed;
    },
    reset: (projection, collections) => store.reset(projection, collections),
    beginRebuild: (projection, collections) => store.beginRebuild(projection, collections),
    followedEventStore: () => store.followedEventStore(),
    followEventStore: (identity) => store.followEventStore(identity),
    ping: () => store.ping(),
    close: () => store.close(),
  };
}
