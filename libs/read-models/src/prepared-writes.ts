import { IndexEntry, ReadModelWrite, assertCollectionName } from './read-model-store';

export type PreparedWrite =
  | { op: 'put'; collection: string; id: string; json: string; indexes: readonly IndexEntry[] }
  | { op: 'delete'; collection: string; id: string };

/**
 * Checks and serialises a commit's writes before any of them is stored. The Redis script
 * cannot roll back what it wrote before a failing command, so nothing it would refuse (a NaN
 * score, a document JSON cannot hold) may reach it; the other adapters share the checks so a
 * commit fails the same way everywhere.
 */
export function prepareWrites(writes: readonly ReadModelWrite[]): PreparedWrite[] {
  return writes.map((write) => {
    assertWritable(write);
    if (write.op === 'delete') return write;
    const json = JSON.stringify(write.doc) as string | undefined;
    if (json === undefined) throw new Error(`document ${write.collection}/${write.id} is not JSON`);
    return { op: 'put', collection: write.collection, id: write.id, json, indexes: write.indexes };
  });
}

/** What every store refuses of a write before serialising it: a collection name it cannot hold, a score that is not a finite number. */
export function assertWritable(write: ReadModelWrite): void {
  assertCollectionName(write.collection);
  if (write.op === 'delete') return;
  for (const entry of write.indexes) {
    if (!Number.isFinite(entry.score)) throw new Error(`score of ${write.collection}/${write.id} in ${entry.index} is not a finite number`);
  }
}
