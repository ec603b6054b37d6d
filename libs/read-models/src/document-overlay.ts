import { ProjectionReader } from './projection';

/**
 * Documents kept as JSON text in front of another reader: a read finds the document here
 * first (null: deleted), else reads it below. JSON so that a read here gives exactly what a
 * read of the store would once the document is stored.
 */
export class DocumentOverlay implements ProjectionReader {
  /** JSON per `collection/id`, null once deleted; Map order is the order of the last set. */
  protected readonly documents = new Map<string, string | null>();

  constructor(private readonly below: ProjectionReader) {}

  async get<T>(collection: string, id: string): Promise<T | undefined> {
    const json = this.documents.get(documentKey(collection, id));
    return json === undefined ? this.below.get<T>(collection, id) : parse<T>(json);
  }

  async getMany<T>(collection: string, ids: readonly string[]): Promise<(T | undefined)[]> {
    const elsewhere = ids.filter((id) => !this.documents.has(documentKey(collection, id)));
    const below = elsewhere.length > 0 ? await this.below.getMany<T>(collection, elsewhere) : [];
    const fromBelow = new Map(elsewhere.map((id, index) => [id, below[index]]));
    return ids.map((id) => {
      const json = this.documents.get(documentKey(collection, id));
      return json === undefined ? fromBelow.get(id) : parse<T>(json);
    });
  }

  protected set(key: string, json: string | null): void {
    this.documents.delete(key);
    this.documents.set(key, json);
  }
}

export function documentKey(collection: string, id: string): string {
  return `${collection}/${id}`;
}

function parse<T>(json: string | null): T | undefined {
  return json === null ? undefined : (JSON.parse(json) as T);
}
