import { DocumentOverlay, documentKey } from './document-overlay';
import { ReadModelWrite } from './read-model-store';

/**
 * The writes of a batch not yet committed, readable on top of the store: an event's projection
 * must see what the events before it in the same batch wrote, or batching would change the
 * result, wherever the batch boundaries fall.
 */
export class PendingWrites extends DocumentOverlay {
  readonly writes: ReadModelWrite[] = [];

  add(writes: readonly ReadModelWrite[]): void {
    for (const write of writes) {
      this.writes.push(write);
      this.set(documentKey(write.collection, write.id), write.op === 'put' ? (JSON.stringify(write.doc) ?? null) : null);
    }
  }

  /** The JSON each written document ends with, null for a deleted one. */
  get latest(): ReadonlyMap<string, string | null> {
    return this.documents;
  }
}
