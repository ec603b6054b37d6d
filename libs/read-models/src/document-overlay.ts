import { jsonCopy } from './json-copy';
import { ProjectionReader } from './projection';

/** What an overlay holds for a document deleted in front of the store. */
export const DELETED: unique symbol = Symbol('deleted');

/**
 * Documents kept in memory in front of another reader: a read finds the document here first
 * (DELETED: missing), else reads it below. Each is held as it would come back from the store
 * (jsonCopy of what was written) and each read gets a copy of its own, so that a read here gives
 * exactly what a read of the store would once the document is stored, and a projection that
 * changes the document it read changes nothing here.
 */
export class DocumentOverlay implements ProjectionReader {
  /** Per `collection/id`; Map order is the order of the last set. */
  protected readonly documents = new Map<string, unknown>();

  constructor(private readonly below: ProjectionReader) {}

  async get<T>(collection: string, id: string): Promise<T | undefined> {
    const key = documentKey(collection, id);
    return this.documents.has(key) ? copyOf<T>(this.documents.get(key)) : this.below.get<T>(collection, id);
  }

  async getMany<T>(collection: string, ids: readonly string[]): Promise<(T | undefined)[]> {
    const elsewhere = ids.filter((id) => !this.documents.has(documentKey(collection, id)));
    const below = elsewhere.length > 0 ? await this.below.getMany<T>(collection, elsewhere) : [];
    const fromBelow = new Map(elsewhere.map((id, index) => [id, below[index]]));
    return ids.map((id) => {
      const key = documentKey(collection, id);
      return this.documents.has(key) ? copyOf<T>(this.documents.get(key)) : fromBelow.get(id);
    });
  }

  /** Whether the document is held here (written, or deleted), rather than left to the reader below. */
  holds(collection: string, id: string): boolean {
    return this.documents.has(documentKey(collection, id));
  }

  protected set(key: string, document: unknown): void {
    this.documents.delete(key);
    this.documents.set(key, document);
  }
}

export function documentKey(collection: string, id: string): string {
  return `${collection}/${id}`;
}

function copyOf<T>(document: unknown): T | undefined {
  return document === DELETED ? undefined : (jsonCopy(document) as T);
}
