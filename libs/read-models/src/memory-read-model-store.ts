import { PreparedWrite, prepareWrites } from './prepared-writes';
import {
  IndexEntry,
  Page,
  PageRequest,
  ProjectionStore,
  ReadModelRebuild,
  ReadModelStore,
  ReadModelWrite,
  NotRebuiltCollection,
  RebuildSuperseded,
  ServedCheckpoint,
  assertCollectionName,
  assertPageRequest,
} from './read-model-store';

interface StoredDoc {
  /** JSON text, as the other adapters keep it, so a test reads back what production would. */
  json: string;
  indexes: IndexEntry[];
}

type Collections = Map<string, Map<string, StoredDoc>>;

interface Building {
  generation: number;
  /** Only the collections the rebuild was begun with. */
  collections: Collections;
  position: bigint | undefined;
}

/** The in-memory adapter, for unit tests: nothing survives the process. */
export class MemoryReadModelStore implements ReadModelStore {
  private readonly collections: Collections = new Map();
  private readonly checkpoints = new Map<string, bigint>();
  private readonly generations = new Map<string, number>();
  private readonly building = new Map<string, Building>();
  private followed: string | undefined;

  async followedEventStore(): Promise<string | undefined> {
    return this.followed;
  }

  async followEventStore(identity: string): Promise<void> {
    this.followed = identity;
  }

  async get<T>(collection: string, id: string): Promise<T | undefined> {
    return getDoc<T>(this.collections, collection, id);
  }

  async getMany<T>(collection: string, ids: readonly string[]): Promise<(T | undefined)[]> {
    return ids.map((id) => getDoc<T>(this.collections, collection, id));
  }

  async list<T>(collection: string, index: string, page: PageRequest): Promise<Page<T>> {
    return listDocs<T>(this.collections, collection, index, page);
  }

  async checkpoint(projection: string): Promise<bigint | undefined> {
    return this.checkpoints.get(projection);
  }

  async readCheckpoint(projection: string): Promise<ServedCheckpoint> {
    return { position: this.checkpoints.get(projection), generation: this.generations.get(projection) ?? 0 };
  }

  async commit(projection: string, expected: bigint | undefined, next: bigint, writes: readonly ReadModelWrite[], generation?: number): Promise<boolean> {
    const prepared = prepareWrites(writes);
    if (this.checkpoints.get(projection) !== expected) return false;
    if (generation !== undefined && generation !== (this.generations.get(projection) ?? 0)) return false;
    applyWrites(this.collections, prepared, (collection) => collection);
    this.checkpoints.set(projection, next);
    return true;
  }

  async reset(projection: string, collections: readonly string[]): Promise<void> {
    collections.forEach(assertCollectionName);
    for (const collection of collections) this.collections.delete(collection);
    this.checkpoints.delete(projection);
  }

  async beginRebuild(projection: string, collections: readonly string[]): Promise<ReadModelRebuild> {
    collections.forEach(assertCollectionName);
    const generation = Math.max(this.generations.get(projection) ?? 0, this.building.get(projection)?.generation ?? 0) + 1;
    const building: Building = { generation, collections: new Map(collections.map((collection) => [collection, new Map()])), position: undefined };
    this.building.set(projection, building);
    const current = () => {
      if (this.building.get(projection) !== building) throw new RebuildSuperseded(projection);
      return building;
    };
    const store: ProjectionStore = {
      get: async <T>(collection: string, id: string) => getDoc<T>(current().collections, collection, id),
      getMany: async <T>(collection: string, ids: readonly string[]) => ids.map((id) => getDoc<T>(current().collections, collection, id)),
      list: async <T>(collection: string, index: string, page: PageRequest) => listDocs<T>(current().collections, collection, index, page),
      checkpoint: async () => current().position,
      readCheckpoint: async () => ({ position: current().position, generation }),
      commit: async (_projection, expected, next, writes) => {
        const prepared = prepareWrites(writes);
        if (current().position !== expected) return false;
        applyWrites(building.collections, prepared, (collection) => {
          if (!building.collections.has(collection)) throw new NotRebuiltCollection(projection, collection);
          return collection;
        });
        building.position = next;
        return true;
      },
    };
    return {
      store,
      publish: async () => {
        const { position } = current();
        const served = this.checkpoints.get(projection);
        if (served !== undefined && (position === undefined || served > position)) return false;
        for (const [collection, docs] of building.collections) this.collections.set(collection, docs);
        if (position === undefined) this.checkpoints.delete(projection);
        else this.checkpoints.set(projection, position);
        this.generations.set(projection, generation);
        this.building.delete(projection);
        return true;
      },
      discard: async () => {
        if (this.building.get(projection) === building) this.building.delete(projection);
      },
    };
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {}
}

function getDoc<T>(collections: Collections, collection: string, id: string): T | undefined {
  const stored = collections.get(collection)?.get(id);
  return stored && (JSON.parse(stored.json) as T);
}

function listDocs<T>(collections: Collections, collection: string, index: string, page: PageRequest): Page<T> {
  assertCollectionName(collection);
  assertPageRequest(page);
  const members: { id: string; score: number; json: string }[] = [];
  for (const [id, stored] of collections.get(collection) ?? []) {
    const entry = stored.indexes.find((candidate) => candidate.index === index);
    if (entry) members.push({ id, score: entry.score, json: stored.json });
  }
  const direction = page.order === 'asc' ? 1 : -1;
  members.sort((a, b) => direction * (a.score - b.score || compareIds(a.id, b.id)));
  const items = members.slice(page.offset, page.offset + page.limit).map((member) => JSON.parse(member.json) as T);
  return { items, total: members.length };
}

/** `target` names the map a collection's writes go to, or throws before anything is written. */
function applyWrites(collections: Collections, writes: readonly PreparedWrite[], target: (collection: string) => string): void {
  const targets = writes.map((write) => target(write.collection));
  writes.forEach((write, index) => {
    const name = targets[index];
    const docs = collections.get(name) ?? new Map<string, StoredDoc>();
    collections.set(name, docs);
    if (write.op === 'put') docs.set(write.id, { json: write.json, indexes: lastEntryPerIndex(write.indexes) });
    else docs.delete(write.id);
  });
}

/** Byte order of the UTF-8 text, as SQLite's BINARY collation and Redis sorted sets compare. */
function compareIds(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** A document listed twice in one index keeps the last score, as a sorted set would. */
function lastEntryPerIndex(indexes: readonly IndexEntry[]): IndexEntry[] {
  return [...new Map(indexes.map((entry) => [entry.index, entry])).values()];
}
