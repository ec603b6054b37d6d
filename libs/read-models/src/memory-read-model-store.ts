import { prepareWrites } from './prepared-writes';
import { IndexEntry, Page, PageRequest, ReadModelStore, ReadModelWrite, assertCollectionName, assertPageRequest } from './read-model-store';

interface StoredDoc {
  /** JSON text, as the other adapters keep it, so a test reads back what production would. */
  json: string;
  indexes: IndexEntry[];
}

/** The in-memory adapter, for unit tests: nothing survives the process. */
export class MemoryReadModelStore implements ReadModelStore {
  private readonly collections = new Map<string, Map<string, StoredDoc>>();
  private readonly checkpoints = new Map<string, bigint>();

  async get<T>(collection: string, id: string): Promise<T | undefined> {
    const stored = this.collections.get(collection)?.get(id);
    return stored && (JSON.parse(stored.json) as T);
  }

  async getMany<T>(collection: string, ids: readonly string[]): Promise<(T | undefined)[]> {
    return Promise.all(ids.map((id) => this.get<T>(collection, id)));
  }

  async list<T>(collection: string, index: string, page: PageRequest): Promise<Page<T>> {
    assertCollectionName(collection);
    assertPageRequest(page);
    const members: { id: string; score: number; json: string }[] = [];
    for (const [id, stored] of this.collections.get(collection) ?? []) {
      const entry = stored.indexes.find((candidate) => candidate.index === index);
      if (entry) members.push({ id, score: entry.score, json: stored.json });
    }
    const direction = page.order === 'asc' ? 1 : -1;
    members.sort((a, b) => direction * (a.score - b.score || compareIds(a.id, b.id)));
    const items = members.slice(page.offset, page.offset + page.limit).map((member) => JSON.parse(member.json) as T);
    return { items, total: members.length };
  }

  async checkpoint(projection: string): Promise<bigint | undefined> {
    return this.checkpoints.get(projection);
  }

  async commit(projection: string, expected: bigint | undefined, next: bigint, writes: readonly ReadModelWrite[]): Promise<boolean> {
    if (this.checkpoints.get(projection) !== expected) return false;
    for (const write of prepareWrites(writes)) {
      const docs = this.collections.get(write.collection) ?? new Map<string, StoredDoc>();
      this.collections.set(write.collection, docs);
      if (write.op === 'put') docs.set(write.id, { json: write.json, indexes: lastEntryPerIndex(write.indexes) });
      else docs.delete(write.id);
    }
    this.checkpoints.set(projection, next);
    return true;
  }

  async reset(projection: string, collections: readonly string[]): Promise<void> {
    collections.forEach(assertCollectionName);
    for (const collection of collections) this.collections.delete(collection);
    this.checkpoints.delete(projection);
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}
}

/** Byte order of the UTF-8 text, as SQLite's BINARY collation and Redis sorted sets compare. */
function compareIds(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** A document listed twice in one index keeps the last score, as a sorted set would. */
function lastEntryPerIndex(indexes: readonly IndexEntry[]): IndexEntry[] {
  return [...new Map(indexes.map((entry) => [entry.index, entry])).values()];
}
