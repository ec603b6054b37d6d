import { IndexEntry, ReadModelWrite, assertCollectionName } from './read-model-store';

export type PreparedWrite =
  | { op: 'put'; collection: string; id: string; json: string; indexes: readonly IndexEntry[] }
  | { op: 'delete'; collection: string; id: string };

/**
 * JSON already made of a document (by the writes pending in a runner's batch), so that its
 * commit does not make it again. Keyed by the document object, which a projection hands over
 * and does not change afterwards.
 */
const serialized = new WeakMap<object, string>();

/**
 * Checks and serialises a commit's writes before any of them is stored. The Redis script
 * cannot roll back what it wrote before a failing command, so nothing it would refuse (a NaN
 * score, a document JSON cannot hold) may reach it; the other adapters share the checks so a
 * commit fails the same way everywhere.
 */
export function prepareWrites(writes: readonly ReadModelWrite[]): PreparedWrite[] {
  return writes.map(prepareWrite);
}

export function prepareWrite(write: ReadModelWrite): PreparedWrite {
  assertCollectionName(write.collection);
  if (write.op === 'delete') return write;
  const known = typeof write.doc === 'object' && write.doc !== null ? serialized.get(write.doc) : undefined;
  const json = known ?? (JSON.stringify(write.doc) as string | undefined);
  if (json === undefined) throw new Error(`document ${write.collection}/${write.id} is not JSON`);
  for (const entry of write.indexes) {
    if (!Number.isFinite(entry.score)) throw new Error(`score of ${write.collection}/${write.id} in ${entry.index} is not a finite number`);
  }
  if (known === undefined && typeof write.doc === 'object' && write.doc !== null) serialized.set(write.doc, json);
  return { op: 'put', collection: write.collection, id: write.id, json, indexes: write.indexes };
}
