import { TestRedis, openTestRedis } from '../../../../../libs/read-models/test/test-redis';
import { rateLimiterContract } from './rate-limiter.contract';
import { RedisRateLimiter } from './redis-rate-limiter';

describe('RedisRateLimiter', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await openTestRedis();
  });
  afterAll(() => redis.dispose());

  rateLimiterContract((limit, clock, windowMs) => new RedisRateLimiter(redis.redis, limit, clock, windowMs));

  it('gives every counter an expiry, so idle tokens leave nothing behind', async () => {
    const limiter = new RedisRateLimiter(redis.redis, 10, { now: () => new Date() });
    await limiter.hit('token-hash');
    const [counter] = (await redis.keys()).filter((k) => k.includes('token-hash'));
    expect(await redis.redis.pttl(counter.slice(redis.prefix.length))).toBeGreaterThan(0);
  });
});
