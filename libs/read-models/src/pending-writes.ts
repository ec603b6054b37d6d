import { DELETED, DocumentOverlay, documentKey } from './document-overlay';
import { assertWritable } from './prepared-writes';
import { ReadModelWrite } from './read-model-store';

/**
 * The writes of a batch not yet committed, readable on top of the store: an event's projection
 * must see what the events before it in the same batch wrote, or batching would change the
 * result, wherever the batch boundaries fall.
 *
 * Only the last write of each document is kept for the commit: a put replaces the document and
 * all its index memberships and a delete removes both, so the writes before it change nothing
 * the commit leaves behind. A projection that updates one document per event (a payment's, an
 * hourly counter) then stores it once per batch, not once per event, and its JSON is made once,
 * at the commit. In between the document is held as the projection wrote it (a projection does
 * not change a document once it has returned it), and each read gets a copy (jsonCopy).
 */
export class PendingWrites extends DocumentOverlay {
  private readonly lastWrites = new Map<string, ReadModelWrite>();

  /** Checks each write as its commit will, so a write the store would refuse fails here, whatever follows it. */
  add(writes: readonly ReadModelWrite[]): void {
    for (const write of writes) {
      assertWritable(write);
      if (write.op === 'put' && !isJsonValue(write.doc)) throw new Error(`document ${write.collection}/${write.id} is not JSON`);
      const key = documentKey(write.collection, write.id);
      // Deleted first, so that the Map keeps the order of the last writes.
      this.lastWrites.delete(key);
      this.lastWrites.set(key, write);
      this.set(key, write.op === 'put' ? write.doc : DELETED);
    }
  }

  /** What the commit applies: the last write of each document, in the order of those writes. */
  get writes(): ReadModelWrite[] {
    return [...this.lastWrites.values()];
  }

  /** The document each write left (DELETED for a delete), for CommittedDocuments once the commit is in. */
  get latest(): ReadonlyMap<string, unknown> {
    return this.documents;
  }
}

/** What JSON.stringify turns into text rather than undefined. */
function isJsonValue(document: unknown): boolean {
  return document !== undefined && typeof document !== 'function' && typeof document !== 'symbol';
}
