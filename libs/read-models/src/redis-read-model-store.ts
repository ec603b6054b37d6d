import Redis from 'ioredis';
import { PreparedWrite, prepareWrites } from './prepared-writes';
import { WrittenDocuments } from './written-documents';
import {
  BEGIN_REBUILD_SCRIPT,
  COMMIT_SCRIPT,
  DISCARD_REBUILD_SCRIPT,
  LIST_SCRIPT,
  PUBLISH_SCRIPT,
  REBUILD_COMMIT_SCRIPT,
  RESET_SCRIPT,
  TWO_FIELDS_SCRIPT,
} from './redis-read-model-scripts';
import {
  NotRebuiltCollection,
  Page,
  PageRequest,
  ProjectionStore,
  ReadModelRebuild,
  ReadModelStore,
  ReadModelWrite,
  RebuildSuperseded,
  ServedCheckpoint,
  assertCollectionName,
  assertPageRequest,
} from './read-model-store';

/** The scripts as client commands: ioredis sends EVALSHA and loads a script Redis does not know yet. */
interface ReadModelCommands {
  // Arrays, which ioredis spreads into the command: a large commit has too many arguments for a JavaScript call.
  readModelsCommit(args: string[]): Promise<number>;
  readModelsRebuildCommit(args: string[]): Promise<number>;
  readModelsBeginRebuild(...args: string[]): Promise<number>;
  readModelsPublish(...args: string[]): Promise<number>;
  readModelsDiscardRebuild(...args: string[]): Promise<number>;
  readModelsTwoFields(first: string, second: string, field: string): Promise<[string | null, string | null]>;
  readModelsList(zset: string, docs: string, offset: number, limit: number, order: string): Promise<[number, (string | null)[]]>;
  readModelsReset(...args: string[]): Promise<number>;
}

const SUPERSEDED = -1;

/** Writes per script of a rebuild's commit (see REBUILD_COMMIT_SCRIPT): a few milliseconds of Redis each. */
const REBUILD_COMMIT_PART_WRITES = 500;

/**
 * The Redis adapter (REDIS_URL): documents as JSON strings in one hash per collection, indexes
 * as sorted sets, writes and checkpoint moved together by one Lua script (see the scripts for
 * the key layout). The client is shared with the rest of the service and is not closed here.
 */
export class RedisReadModelStore implements ReadModelStore {
  private readonly redis: Redis & ReadModelCommands;
  /** Keys the scripts build themselves do not get the client's keyPrefix, so they get it here. */
  private readonly namespace: string;

  constructor(redis: Redis) {
    redis.defineCommand('readModelsCommit', { numberOfKeys: 0, lua: COMMIT_SCRIPT });
    redis.defineCommand('readModelsRebuildCommit', { numberOfKeys: 0, lua: REBUILD_COMMIT_SCRIPT });
    redis.defineCommand('readModelsBeginRebuild', { numberOfKeys: 0, lua: BEGIN_REBUILD_SCRIPT });
    redis.defineCommand('readModelsPublish', { numberOfKeys: 0, lua: PUBLISH_SCRIPT });
    redis.defineCommand('readModelsDiscardRebuild', { numberOfKeys: 0, lua: DISCARD_REBUILD_SCRIPT });
    redis.defineCommand('readModelsTwoFields', { numberOfKeys: 2, lua: TWO_FIELDS_SCRIPT });
    redis.defineCommand('readModelsList', { numberOfKeys: 2, lua: LIST_SCRIPT });
    redis.defineCommand('readModelsReset', { numberOfKeys: 0, lua: RESET_SCRIPT });
    this.redis = redis as Redis & ReadModelCommands;
    this.namespace = `${redis.options.keyPrefix ?? ''}rm:`;
  }

  get<T>(collection: string, id: string): Promise<T | undefined> {
    return this.getStored(collection, id);
  }

  getMany<T>(collection: string, ids: readonly string[]): Promise<(T | undefined)[]> {
    return this.getManyStored(collection, ids);
  }

  async list<T>(collection: string, index: string, page: PageRequest): Promise<Page<T>> {
    assertCollectionName(collection);
    return this.listStored(collection, index, page);
  }

  async checkpoint(projection: string): Promise<bigint | undefined> {
    const position = await this.redis.hget('rm:checkpoints', projection);
    return position === null ? undefined : BigInt(position);
  }

  async readCheckpoint(projection: string): Promise<ServedCheckpoint> {
    const [position, generation] = await this.redis.readModelsTwoFields('rm:checkpoints', 'rm:generation', projection);
    return { position: position === null ? undefined : BigInt(position), generation: Number(generation ?? 0) };
  }

  async commit(projection: string, expected: bigint | undefined, next: bigint, writes: readonly ReadModelWrite[], generation?: number): Promise<boolean> {
    const args = [this.namespace, projection, optional(expected), next.toString(), optional(generation)];
    for (const write of prepareWrites(writes)) args.push(...flatten(write));
    return (await this.redis.readModelsCommit(args)) === 1;
  }

  async reset(projection: string, collections: readonly string[]): Promise<void> {
    collections.forEach(assertCollectionName);
    await this.redis.readModelsReset(this.namespace, projection, ...collections);
  }

  async beginRebuild(projection: string, collections: readonly string[]): Promise<ReadModelRebuild> {
    collections.forEach(assertCollectionName);
    const generation = String(await this.redis.readModelsBeginRebuild(this.namespace, projection, ...collections));
    const stored = (collection: string) => `${collection}#${generation}`;
    const building = async () => {
      const [current, position] = await this.redis.readModelsTwoFields('rm:building', 'rm:building_at', projection);
      if (current !== generation) throw new RebuildSuperseded(projection);
      return position === null ? undefined : BigInt(position);
    };
    const answer = (result: number) => {
      if (result === SUPERSEDED) throw new RebuildSuperseded(projection);
      return result === 1;
    };
    const written = new WrittenDocuments();
    const store: ProjectionStore = {
      get: async (collection, id) => (written.has(collection, id) ? this.getStored(stored(collection), id) : undefined),
      getMany: (collection, ids) => written.getMany(collection, ids, (some) => this.getManyStored(stored(collection), some)),
      list: async (collection, index, page) => {
        assertCollectionName(collection);
        return this.listStored(stored(collection), index, page);
      },
      checkpoint: building,
      readCheckpoint: async () => ({ position: await building(), generation: Number(generation) }),
      commit: async (_projection, expected, next, writes) => {
        const prepared = prepareWrites(writes);
        for (const write of prepared) if (!collections.includes(write.collection)) throw new NotRebuiltCollection(projection, write.collection);
        const parts = Math.max(1, Math.ceil(prepared.length / REBUILD_COMMIT_PART_WRITES));
        for (let part = 0; part < parts; part++) {
          const writes = prepared.slice(part * REBUILD_COMMIT_PART_WRITES, (part + 1) * REBUILD_COMMIT_PART_WRITES);
          const args = [this.namespace, projection, generation, optional(expected), part === parts - 1 ? next.toString() : ''];
          for (const write of writes) args.push(...flatten(write));
          if (!answer(await this.redis.readModelsRebuildCommit(args))) return false;
          written.record(writes);
        }
        return true;
      },
    };
    return {
      store,
      publish: async () => answer(await this.redis.readModelsPublish(this.namespace, projection, generation, ...collections)),
      discard: async () => {
        await this.redis.readModelsDiscardRebuild(this.namespace, projection, generation, ...collections);
      },
    };
  }

  async followedEventStore(): Promise<string | undefined> {
    return (await this.redis.get('rm:event_store')) ?? undefined;
  }

  async followEventStore(identity: string): Promise<void> {
    await this.redis.set('rm:event_store', identity);
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {}

  private async getStored<T>(collection: string, id: string): Promise<T | undefined> {
    const doc = await this.redis.hget(docsKey(collection), id);
    return doc === null ? undefined : (JSON.parse(doc) as T);
  }

  private async getManyStored<T>(collection: string, ids: readonly string[]): Promise<(T | undefined)[]> {
    if (ids.length === 0) return [];
    const docs = await this.redis.hmget(docsKey(collection), ...ids);
    return docs.map((doc) => (doc === null ? undefined : (JSON.parse(doc) as T)));
  }

  private async listStored<T>(collection: string, index: string, page: PageRequest): Promise<Page<T>> {
    assertPageRequest(page);
    const [total, docs] = await this.redis.readModelsList(`rm:idx:${collection}:${index}`, docsKey(collection), page.offset, page.limit, page.order);
    return { items: docs.map((doc) => JSON.parse(doc as string) as T), total };
  }
}

function docsKey(collection: string): string {
  return `rm:doc:${collection}`;
}

function optional(value: bigint | number | undefined): string {
  return value === undefined ? '' : value.toString();
}

function flatten(write: PreparedWrite): string[] {
  if (write.op === 'delete') return ['delete', write.collection, write.id];
  const entries = write.indexes.flatMap((entry) => [entry.index, String(entry.score)]);
  return ['put', write.collection, write.id, write.json, String(write.indexes.length), ...entries];
}
