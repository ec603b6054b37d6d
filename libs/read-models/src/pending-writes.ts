import { DocumentOverlay, documentKey } from './document-overlay';
import { prepareWrite } from './prepared-writes';
import { ReadModelWrite } from './read-model-store';

/**
 * The writes of a batch not yet committed, readable on top of the store: an event's projection
 * must see what the events before it in the same batch wrote, or batching would change the
 * result, wherever the batch boundaries fall.
 *
 * Only the last write of each document is kept for the commit: a put replaces the document and
 * all its index memberships and a delete removes both, so the writes before it change nothing
 * the commit leaves behind. A projection that updates one document per event (a payment's, an
 * hourly counter) then stores it once per batch, not once per event.
 */
export class PendingWrites extends DocumentOverlay {
  private readonly lastWrites = new Map<string, ReadModelWrite>();

  /**
   * Checks and serialises each write as its commit will (prepareWrite, whose JSON the commit
   * then reuses), so a write the store would refuse fails here, whatever follows it.
   */
  add(writes: readonly ReadModelWrite[]): void {
    for (const write of writes) {
      const prepared = prepareWrite(write);
      const key = documentKey(write.collection, write.id);
      // Deleted first, so that the Map keeps the order of the last writes.
      this.lastWrites.delete(key);
      this.lastWrites.set(key, write);
      this.set(key, prepared.op === 'put' ? prepared.json : null);
    }
  }

  /** What the commit applies: the last write of each document, in the order of those writes. */
  get writes(): ReadModelWrite[] {
    return [...this.lastWrites.values()];
  }

  /** The JSON each written document ends with, null for a deleted one. */
  get latest(): ReadonlyMap<string, string | null> {
    return this.documents;
  }
}
