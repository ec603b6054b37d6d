import { ProjectionReader } from './projection';
import { ReadModelWrite } from './read-model-store';

/**
 * The writes of a batch not yet committed, readable on top of the store: an event's projection
 * must see what the events before it in the same batch wrote, or batching would change the
 * result. Documents are kept as JSON text so a read here gives exactly what a read of the
 * store would after the commit, wherever the batch boundaries fall.
 */
export class PendingWrites implements ProjectionReader {
  readonly writes: ReadModelWrite[] = [];
  /** Latest JSON per `collection/id`; null once deleted. */
  private readonly latest = new Map<string, string | null>();

  constructor(private readonly store: ProjectionReader) {}

  add(writes: readonly ReadModelWrite[]): void {
    for (const write of writes) {
      this.writes.push(write);
      this.latest.set(key(write.collection, write.id), write.op === 'put' ? (JSON.stringify(write.doc) ?? null) : null);
    }
  }

  async get<T>(collection: string, id: string): Promise<T | undefined> {
    const pending = this.latest.get(key(collection, id));
    return pending === undefined ? this.store.get<T>(collection, id) : parse<T>(pending);
  }

  async getMany<T>(collection: string, ids: readonly string[]): Promise<(T | undefined)[]> {
    const unwritten = ids.filter((id) => !this.latest.has(key(collection, id)));
    const stored = await this.store.getMany<T>(collection, unwritten);
    const fromStore = new Map(unwritten.map((id, index) => [id, stored[index]]));
    return ids.map((id) => {
      const pending = this.latest.get(key(collection, id));
      return pending === undefined ? fromStore.get(id) : parse<T>(pending);
    });
  }
}

function parse<T>(pending: string | null): T | undefined {
  return pending === null ? undefined : (JSON.parse(pending) as T);
}

function key(collection: string, id: string): string {
  return `${collection}/${id}`;
}
