import { Pool } from 'pg';
import { Migration, migrate } from '@payments/event-store';
import { TestDatabase, createTestDatabase, describeWithPostgres, openTestPool } from '../../../test/support/test-postgres';

const migrations: Migration[] = [
  { version: 1, name: 'create things', sql: 'CREATE TABLE things (id text PRIMARY KEY)' },
  { version: 2, name: 'add colour', sql: 'ALTER TABLE things ADD COLUMN colour text' },
];

describeWithPostgres('postgres migrations', () => {
  let database: TestDatabase;
  const pools: Pool[] = [];
  const pool = () => {
    const opened = openTestPool(database.url);
    pools.push(opened);
    return opened;
  };

  beforeEach(async () => {
    database = await createTestDatabase();
  });
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((opened) => opened.end()));
    await database.drop();
  });

  it('applies each migration once when several processes start at the same moment', async () => {
    await Promise.all([pool(), pool(), pool()].map((opened) => migrate(opened, 'things', migrations)));
    const { rows } = await pool().query('SELECT version FROM schema_migrations WHERE component = $1 ORDER BY version', ['things']);
    expect(rows.map((row) => row.version)).toEqual([1, 2]);
    await pool().query("INSERT INTO things (id, colour) VALUES ('a', 'red')");
  });

  it('applies only the migrations a later build adds', async () => {
    await migrate(pool(), 'things', migrations.slice(0, 1));
    await pool().query("INSERT INTO things (id) VALUES ('kept')");
    await migrate(pool(), 'things', migrations);
    const { rows } = await pool().query('SELECT id, colour FROM things');
    expect(rows).toEqual([{ id: 'kept', colour: null }]);
  });

  it('applies nothing of a start whose migration fails', async () => {
    const broken: Migration[] = [...migrations, { version: 3, name: 'broken', sql: 'ALTER TABLE nowhere ADD COLUMN x text' }];
    await expect(migrate(pool(), 'things', broken)).rejects.toThrow(/nowhere/);
    const { rows } = await pool().query("SELECT to_regclass('things') AS things, to_regclass('schema_migrations') AS migrations");
    expect(rows).toEqual([{ things: null, migrations: null }]);
  });

  it('refuses a database whose schema is newer than the build', async () => {
    await migrate(pool(), 'things', migrations);
    await expect(migrate(pool(), 'things', migrations.slice(0, 1))).rejects.toThrow(/version 2, newer than this build knows \(1\)/);
  });
});
