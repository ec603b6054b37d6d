import { RedisReadModelStore } from '@payments/read-models';
import { readModelStoreContract } from './contract';
import { TestRedis, openTestRedis } from './test-redis';

describe('RedisReadModelStore', () => {
  readModelStoreContract(async () => {
    const redis = await openTestRedis();
    return { store: new RedisReadModelStore(redis.redis), dispose: () => redis.dispose() };
  });

  describe('keys', () => {
    let redis: TestRedis;

    beforeEach(async () => {
      redis = await openTestRedis();
    });

    afterEach(async () => {
      await redis.dispose();
    });

    it('keeps every key, including those the scripts build, under the client key prefix', async () => {
      const store = new RedisReadModelStore(redis.redis);
      await store.commit('test', undefined, 1n, [{ op: 'put', collection: 'things', id: 'a', doc: { id: 'a' }, indexes: [{ index: 'all', score: 1 }] }]);

      expect((await redis.keys()).sort()).toEqual(
        ['rm:checkpoints', 'rm:doc:things', 'rm:idx:things:all', 'rm:indexes:things', 'rm:mem:things'].map((key) => redis.prefix + key),
      );
    });

    it('leaves no key of a reset collection behind', async () => {
      const store = new RedisReadModelStore(redis.redis);
      await store.commit('test', undefined, 1n, [{ op: 'put', collection: 'things', id: 'a', doc: { id: 'a' }, indexes: [{ index: 'all', score: 1 }] }]);
      await store.reset('test', ['things']);

      expect(await redis.keys()).toEqual([]);
    });

    it('keeps the served keys and leaves no key of a rebuild behind once it is published or discarded', async () => {
      const store = new RedisReadModelStore(redis.redis);
      const put = (id: string, index: string) => ({ op: 'put' as const, collection: 'things', id, doc: { id }, indexes: [{ index, score: 1 }] });
      await store.commit('test', undefined, 1n, [put('a', 'all')]);
      const published = await store.beginRebuild('test', ['things']);
      await published.store.commit('test', undefined, 2n, [put('b', 'other'), put('c', 'gone'), { op: 'delete', collection: 'things', id: 'c' }]);
      await published.publish();
      const discarded = await store.beginRebuild('test', ['things']);
      await discarded.store.commit('test', undefined, 2n, [put('d', 'all')]);
      await discarded.discard();

      expect((await redis.keys()).sort()).toEqual(
        ['rm:checkpoints', 'rm:doc:things', 'rm:generation', 'rm:idx:things:other', 'rm:indexes:things', 'rm:mem:things'].map((key) => redis.prefix + key),
      );
    });

    it('does not close the client it was given', async () => {
      const store = new RedisReadModelStore(redis.redis);
      await store.close();

      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
});
