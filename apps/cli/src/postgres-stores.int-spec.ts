import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { createEventStore, randomEventId } from '@payments/event-store';
import { PostgresReadModelStore, accountsListing, listAccounts } from '@payments/read-models';
import { TestDatabase, createTestDatabase, describeWithPostgres, openTestPool } from '../../../test/support/test-postgres';
import { run } from './main';

/** This test's own connections, told apart from the CLI's in pg_stat_activity. */
const APPLICATION_NAME = 'postgres-stores-spec';

describeWithPostgres('the operator CLI with POSTGRES_URL', () => {
  let database: TestDatabase;
  let pool: Pool;
  let dataDir: string;
  let env: NodeJS.ProcessEnv;

  beforeEach(async () => {
    database = await createTestDatabase();
    pool = openTestPool(database.url, { application_name: APPLICATION_NAME });
    dataDir = mkdtempSync(join(tmpdir(), 'cli-postgres-'));
    env = { DATA_DIR: dataDir, POSTGRES_URL: database.url, SECRETS_KEY: randomBytes(32).toString('base64'), CARD_FINGERPRINT_SECRET: randomBytes(32).toString('base64') };
    // The events where the service writes them with these settings, whichever store that is.
    const events = createEventStore({ postgres: pool, dataDir });
    for (const id of ['acc_stg_a', 'acc_stg_b']) {
      const data = { account_id: id, name: id, sandbox: false, opened_at: `2024-01-0${id === 'acc_stg_a' ? 1 : 2}T00:00:00.000Z` };
      await events.appendToStream(`account-${id}`, [{ id: randomEventId(), type: 'AccountOpened', data, metadata: { schema_version: 1 } }], { expectedRevision: 'no_stream' });
    }
    await events.close();
  });

  afterEach(async () => {
    await pool.end();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('rebuilds into the read models the service serves from PostgreSQL, and closes its connections', async () => {
    const served = new PostgresReadModelStore(pool);
    await served.commit(accountsListing.name, undefined, 1n, [{ op: 'put', collection: 'accounts', id: 'acc_stg_stale', doc: { id: 'acc_stg_stale' }, indexes: [{ index: 'all', score: 0 }] }]);
    const out: string[] = [];

    const code = await run(['rebuild', accountsListing.name], { out: async (line) => void out.push(line), err: { isTTY: false, write: () => true }, env });

    expect(code).toBe(0);
    expect(out[0]).toMatch(/read models: PostgreSQL \(POSTGRES_URL\)/);
    expect((await listAccounts(served, { limit: 10, offset: 0 })).items.map((account) => account.id)).toEqual(['acc_stg_b', 'acc_stg_a']);
    expect(await served.readCheckpoint(accountsListing.name)).toMatchObject({ generation: 1 });
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name <> $2', [database.name, APPLICATION_NAME]);
    expect(rows).toEqual([{ n: 0 }]);
  });

  it('says so when PostgreSQL cannot be reached', async () => {
    const err: string[] = [];

    const code = await run(['rebuild', accountsListing.name], {
      out: async () => undefined,
      err: { isTTY: false, write: (text: string) => err.push(text) > 0 },
      env: { ...env, POSTGRES_URL: 'postgres://postgres@127.0.0.1:1/nothing' },
    });

    expect(code).toBe(2);
    expect(err.join('')).toMatch(/cannot reach PostgreSQL at POSTGRES_URL/);
  });
});
