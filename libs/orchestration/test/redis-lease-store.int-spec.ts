import Redis from 'ioredis';
import { RedisLeaseStore } from '@payments/orchestration';
import { TestRedis, openTestRedis } from '../../read-models/test/test-redis';
import { leaseStoreContract } from './lease-store.contract';

describe('RedisLeaseStore', () => {
  leaseStoreContract(async () => {
    const redis = await openTestRedis();
    const clients: Redis[] = [];
    return {
      // Each process its own connection, under the deployment's one key prefix.
      async store() {
        const client = redis.redis.duplicate();
        clients.push(client);
        return new RedisLeaseStore(client);
      },
      async dispose() {
        await Promise.all(clients.map((client) => client.quit()));
        await redis.dispose();
      },
    };
  });

  describe('keys', () => {
    let redis: TestRedis;

    beforeEach(async () => {
      redis = await openTestRedis();
    });

    afterEach(async () => {
      await redis.dispose();
    });

    it('keeps a lease in one key under the client key prefix, and removes it on release', async () => {
      const leases = new RedisLeaseStore(redis.redis);
      await leases.acquire('saga:p1', 'process-a', 60_000);

      expect(await redis.keys()).toEqual([`${redis.prefix}lease:saga:p1`]);
      await leases.release('saga:p1', 'process-a');
      expect(await redis.keys()).toEqual([]);
    });
  });
});
