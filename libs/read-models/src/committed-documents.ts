import { DocumentOverlay } from './document-overlay';

const DEFAULT_MAX_DOCUMENTS = 1000;

/**
 * The documents a runner committed last, read in front of the store: a projection that updates
 * a document per event (a payment's) would otherwise read back on every event what it has just
 * written. Sound because a runner's collections change only through commits that move its
 * checkpoint: if another runner commits in between, this runner's next commit is refused and it
 * forgets everything here before projecting again, so a projection that read a stale document
 * here never gets its writes stored.
 */
export class CommittedDocuments extends DocumentOverlay {
  /** Records what a commit that was just accepted wrote (PendingWrites.latest), dropping the least recently committed beyond the bound. */
  remember(committed: ReadonlyMap<string, unknown>, maxDocuments = DEFAULT_MAX_DOCUMENTS): void {
    for (const [key, document] of committed) this.set(key, document);
    for (const key of this.documents.keys()) {
      if (this.documents.size <= maxDocuments) break;
      this.documents.delete(key);
    }
  }

  /** The store may hold other documents now (a refused commit, a failure, a reset). */
  forget(): void {
    this.documents.clear();
  }
}
