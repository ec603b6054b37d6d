import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestRedis {
  /** A client whose keys all live under a prefix of this test alone. */
  redis: Redis;
  prefix: string;
  /** Every key under the prefix, read without it (the prefixed client cannot list its own keys). */
  keys(): Promise<string[]>;
  /** Deletes the prefix's keys and disconnects. */
  dispose(): Promise<void>;
}

export async function openTestRedis(): Promise<TestRedis> {
  const prefix = `test:${randomBytes(8).toString('hex')}:`;
  const redis = new Redis(REDIS_URL, { keyPrefix: prefix });
  const raw = new Redis(REDIS_URL);
  const keys = async () => {
    const found: string[] = [];
    for await (const batch of raw.scanStream({ match: `${prefix}*`, count: 500 })) found.push(...(batch as string[]));
    return found;
  };
  return {
    redis,
    prefix,
    keys,
    async dispose() {
      const found = await keys();
      if (found.length > 0) await raw.unlink(...found);
      await Promise.all([redis.quit(), raw.quit()]);
    },
  };
}
