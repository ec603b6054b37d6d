import { DELETED, DocumentOverlay, documentKey } from './document-overlay';
import { jsonCopy } from './json-copy';
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
 * at the commit: in between the document is held as a copy (jsonCopy), which is cheaper.
 */
export class PendingWrites extends DocumentOverlay {
  private readonly lastWrites = new Map<string, ReadModelWrite>();

  /** Checks each write as its commit will, so a write the store would refuse fails here, whatever follows it. */
  add(writes: readonly ReadModelWrite[]): void {
    for (const write of writes) {
      assertWritable(write);
      const key = documentKey(write.collection, write.id);
      // Held as the store would give it back, and out of reach of the projection, which may change the object it wrote.
      const held = write.op === 'put' ? { ...write, doc: jsonCopy(write.doc) } : write;
      if (held.op === 'put' && held.doc === undefined) throw new Error(`document ${write.collection}/${write.id} is not JSON`);
      // Deleted first, so that the Map keeps the order of the last writes.
      this.lastWrites.delete(key);
      this.lastWrites.set(key, held);
      this.set(key, held.op === 'put' ? held.doc : DELETED);
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
