import { Pool } from 'pg';
import { PostgresLeaseStore } from '@payments/orchestration';
import { createTestDatabase, describeWithPostgres, openTestPool } from '../../../test/support/test-postgres';
import { leaseStoreContract } from './lease-store.contract';

describeWithPostgres('PostgresLeaseStore', () => {
  leaseStoreContract(async () => {
    const database = await createTestDatabase();
    const pools: Pool[] = [];
    return {
      // Each its own pool, migrating at start, as each process of a deployment does.
      async store() {
        const pool = openTestPool(database.url, { max: 2 });
        pools.push(pool);
        return PostgresLeaseStore.open(pool);
      },
      async dispose() {
        await Promise.all(pools.map((pool) => pool.end()));
        await database.drop();
      },
    };
  });
});
