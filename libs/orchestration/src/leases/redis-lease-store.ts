import Redis from 'ioredis';
import { LeaseStore } from './lease-store';

/**
 * Takes a free lease (`SET ... PX`) or renews the holder's own (`PEXPIRE`), as one script: done
 * as `SET NX` then a renew script, a lease lapsing between the two would be refused though free.
 * PX and PEXPIRE count on the Redis server's clock.
 */
const ACQUIRE_LEASE = `
local current = redis.call('GET', KEYS[1])
if current == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
if current == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`;

const RELEASE_OWN_LEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * Leases shared by every process on one Redis (REDIS_URL), one key `lease:<name>` holding the
 * holder, under the client's key prefix. The client is InfrastructureModule's and stays open.
 */
export class RedisLeaseStore implements LeaseStore {
  constructor(private readonly redis: Redis) {}

  async acquire(name: string, holder: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.eval(ACQUIRE_LEASE, 1, leaseKey(name), holder, ttlMs)) === 1;
  }

  async release(name: string, holder: string): Promise<void> {
    await this.redis.eval(RELEASE_OWN_LEASE, 1, leaseKey(name), holder);
  }

  /** Opened nothing of its own. */
  async close(): Promise<void> {}
}

function leaseKey(name: string): string {
  return `lease:${name}`;
}
