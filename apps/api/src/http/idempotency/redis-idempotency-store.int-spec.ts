import { TestRedis, openTestRedis } from '../../../../../libs/read-models/test/test-redis';
import { idempotencyStoreContract } from './idempotency-store.contract';
import { RedisIdempotencyStore } from './redis-idempotency-store';

describe('RedisIdempotencyStore', () => {
  let redis: TestRedis;
  let store: RedisIdempotencyStore;
  beforeAll(async () => {
    redis = await openTestRedis();
    store = new RedisIdempotencyStore(redis.redis);
  });
  afterAll(() => redis.dispose());

  idempotencyStoreContract(() => store);

  it('gives a running claim an expiry, so a dead process cannot hold a key forever', async () => {
    await store.claim('account:acc_stg_lease', 'k', 'f', 60_000);
    const ttl = await redis.redis.pttl('idempotency:account:acc_stg_lease:k');
    expect(ttl).toBeGreaterThan(59_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });
});
