import { Pool } from 'pg';
import { TestDatabase, createTestDatabase, describeWithPostgres, openTestPool } from '../../../../../test/support/test-postgres';
import { PostgresRefusalTally } from './postgres-refusal-tally';

describeWithPostgres('PostgresRefusalTally', () => {
  let database: TestDatabase;
  let pools: Pool[];
  beforeAll(async () => {
    database = await createTestDatabase();
    pools = [openTestPool(database.url), openTestPool(database.url)];
  });
  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
    await database.drop();
  });

  it("counts every process's refusals once per account and limit, and keeps them for a process started later", async () => {
    const [here, there] = await Promise.all(pools.map((pool) => PostgresRefusalTally.open(pool)));
    await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? here : there).add('acc_stg_a', 'address')),
      here.add('acc_stg_a', 'session'),
      there.add('acc_stg_b', 'fingerprint'),
    ]);

    const later = await PostgresRefusalTally.open(pools[1]);
    expect(await later.of('acc_stg_a')).toEqual({ session: 1, fingerprint: 0, address: 10 });
    expect(await later.of('acc_stg_b')).toEqual({ session: 0, fingerprint: 1, address: 0 });
    expect(await later.of('acc_stg_none')).toEqual({ session: 0, fingerprint: 0, address: 0 });
  });
});
