import { documentKey } from './document-overlay';
import { PreparedWrite } from './prepared-writes';

/**
 * The documents a rebuild has committed. A rebuild writes an area that began empty and that
 * only it writes, so a document it never wrote is not there: most of what a rebuild looks up
 * is a document's first event, which is answered here instead of by a read of the store.
 */
export class WrittenDocuments {
  private readonly keys = new Set<string>();

  has(collection: string, id: string): boolean {
    return this.keys.has(documentKey(collection, id));
  }

  /** Reads only the ids written; the others are missing. */
  async getMany<T>(collection: string, ids: readonly string[], read: (ids: readonly string[]) => Promise<(T | undefined)[]>): Promise<(T | undefined)[]> {
    const known = ids.filter((id) => this.has(collection, id));
    if (known.length === 0) return ids.map(() => undefined);
    const found = await read(known);
    const byId = new Map(known.map((id, index) => [id, found[index]]));
    return ids.map((id) => byId.get(id));
  }

  record(writes: readonly PreparedWrite[]): void {
    for (const write of writes) {
      const key = documentKey(write.collection, write.id);
      if (write.op === 'put') this.keys.add(key);
      else this.keys.delete(key);
    }
  }
}
