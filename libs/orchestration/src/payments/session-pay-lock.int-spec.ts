import { Pool } from 'pg';
import { openTestRedis } from '../../../read-models/test/test-redis';
import { createTestDatabase, describeWithPostgres, openTestPool } from '../../../../test/support/test-postgres';
import { InProcessLeaseStore } from '../leases/in-process-lease-store';
import { LeaseStore } from '../leases/lease-store';
import { PostgresLeaseStore } from '../leases/postgres-lease-store';
import { RedisLeaseStore } from '../leases/redis-lease-store';
import { LeaseSessionPayLock, PAY_LOCK_TTL_MS, SessionPayLock, sessionPayLease } from './session-pay-lock';

let now = 0;
const clock = { now: () => new Date(now) };

interface OpenedLeases {
  /** Each call: the lease store as another process of the deployment opens it. */
  open(): Promise<LeaseStore>;
  /** Lets the lease `name` lapse now, as its time to live passing would. */
  expire(name: string): Promise<void>;
  dispose(): Promise<void>;
}

const inProcess = async (): Promise<OpenedLeases> => {
  const leases = new InProcessLeaseStore(clock);
  return {
    open: async () => leases,
    expire: async () => {
      now += PAY_LOCK_TTL_MS;
    },
    dispose: async () => undefined,
  };
};

const redis = async (): Promise<OpenedLeases> => {
  const test = await openTestRedis();
  const clients = [test.redis];
  return {
    open: async () => {
      const client = test.redis.duplicate();
      clients.push(client);
      return new RedisLeaseStore(client);
    },
    expire: async (name) => {
      await test.redis.pexpire(`lease:${name}`, 1);
      await new Promise((resolve) => setTimeout(resolve, 20));
    },
    dispose: async () => {
      await Promise.all(clients.slice(1).map((client) => client.quit()));
      await test.dispose();
    },
  };
};

const postgres = async (): Promise<OpenedLeases> => {
  const database = await createTestDatabase();
  const pools: Pool[] = [];
  return {
    open: async () => {
      const pool = openTestPool(database.url, { max: 2 });
      pools.push(pool);
      return PostgresLeaseStore.open(pool);
    },
    expire: async () => {
      await pools[0].query(`UPDATE leases SET expires_at = now() - interval '1 second'`);
    },
    dispose: async () => {
      await Promise.all(pools.map((pool) => pool.end()));
      await database.drop();
    },
  };
};

/** The same behaviour on every lease store: in one process, and across two processes of a deployment. */
function payLockBehaviour(name: string, leasesOf: () => Promise<OpenedLeases>): void {
  describe(`the session pay lock on ${name} leases`, () => {
    let leases: OpenedLeases;
    let here: SessionPayLock;
    let elsewhere: SessionPayLock;

    beforeEach(async () => {
      now = Date.parse('2026-11-21T10:00:00.000Z');
      leases = await leasesOf();
      here = new LeaseSessionPayLock(await leases.open());
      elsewhere = new LeaseSessionPayLock(await leases.open());
    });

    afterEach(() => leases.dispose());

    it('refuses a second pay of the session in the same process while the first holds the lock', async () => {
      expect(await here.acquire('cs_stg_1')).toBeDefined();

      expect(await here.acquire('cs_stg_1')).toBeUndefined();
    });

    it('refuses a pay of the session in another process while the first holds the lock', async () => {
      expect(await here.acquire('cs_stg_1')).toBeDefined();

      expect(await elsewhere.acquire('cs_stg_1')).toBeUndefined();
    });

    it('locks each session on its own', async () => {
      await here.acquire('cs_stg_1');

      expect(await elsewhere.acquire('cs_stg_2')).toBeDefined();
    });

    it('lets the next pay in, in any process, once the holder releases', async () => {
      const release = await here.acquire('cs_stg_1');
      await release!();

      expect(await elsewhere.acquire('cs_stg_1')).toBeDefined();
    });

    it('frees the session after its time to live, and the late release of its old holder does not free the new one', async () => {
      const stale = await here.acquire('cs_stg_1');
      await leases.expire(sessionPayLease('cs_stg_1'));
      const fresh = await elsewhere.acquire('cs_stg_1');

      await stale!();

      expect(fresh).toBeDefined();
      expect(await here.acquire('cs_stg_1')).toBeUndefined();
    });
  });
}

payLockBehaviour('in-process', inProcess);
payLockBehaviour('Redis', redis);
describeWithPostgres('on PostgreSQL', () => payLockBehaviour('PostgreSQL', postgres));
