import Redis from 'ioredis';
import { PreparedWrite, prepareWrites } from './prepared-writes';
import { COMMIT_SCRIPT, LIST_SCRIPT, RESET_SCRIPT } from './redis-read-model-scripts';
import { Page, PageRequest, ReadModelStore, ReadModelWrite, assertCollectionName, assertPageRequest } from './read-model-store';

/** The scripts as client commands: ioredis sends EVALSHA and loads a script Redis does not know yet. */
interface ReadModelCommands {
  readModelsCommit(...args: string[]): Promise<number>;
  readModelsList(zset: string, docs: string, offset: number, limit: number, order: string): Promise<[number, (string | null)[]]>;
  readModelsReset(...args: string[]): Promise<number>;
}

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
    redis.defineCommand('readModelsList', { numberOfKeys: 2, lua: LIST_SCRIPT });
    redis.defineCommand('readModelsReset', { numberOfKeys: 0, lua: RESET_SCRIPT });
    this.redis = redis as Redis & ReadModelCommands;
    this.namespace = `${redis.options.keyPrefix ?? ''}rm:`;
  }

  async get<T>(collection: string, id: string): Promise<T | undefined> {
    const doc = await this.redis.hget(docsKey(collection), id);
    return doc === null ? undefined : (JSON.parse(doc) as T);
  }

  async getMany<T>(collection: string, ids: readonly string[]): Promise<(T | undefined)[]> {
    if (ids.length === 0) return [];
    const docs = await this.redis.hmget(docsKey(collection), ...ids);
    return docs.map((doc) => (doc === null ? undefined : (JSON.parse(doc) as T)));
  }

  async list<T>(collection: string, index: string, page: PageRequest): Promise<Page<T>> {
    assertCollectionName(collection);
    assertPageRequest(page);
    const [total, docs] = await this.redis.readModelsList(`rm:idx:${collection}:${index}`, docsKey(collection), page.offset, page.limit, page.order);
    return { items: docs.map((doc) => JSON.parse(doc as string) as T), total };
  }

  async checkpoint(projection: string): Promise<bigint | undefined> {
    const position = await this.redis.hget('rm:checkpoints', projection);
    return position === null ? undefined : BigInt(position);
  }

  async commit(projection: string, expected: bigint | undefined, next: bigint, writes: readonly ReadModelWrite[]): Promise<boolean> {
    const args = [this.namespace, projection, expected === undefined ? '' : expected.toString(), next.toString()];
    for (const write of prepareWrites(writes)) args.push(...flatten(write));
    return (await this.redis.readModelsCommit(...args)) === 1;
  }

  async reset(projection: string, collections: readonly string[]): Promise<void> {
    collections.forEach(assertCollectionName);
    await this.redis.readModelsReset(this.namespace, projection, ...collections);
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }

  async close(): Promise<void> {}
}

function docsKey(collection: string): string {
  return `rm:doc:${collection}`;
}

function flatten(write: PreparedWrite): string[] {
  if (write.op === 'delete') return ['delete', write.collection, write.id];
  const entries = write.indexes.flatMap((entry) => [entry.index, String(entry.score)]);
  return ['put', write.collection, write.id, write.json, String(write.indexes.length), ...entries];
}
