import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Client, Pool, PoolConfig } from 'pg';

/** The server the postgres suites use; its database only creates and drops the fresh ones. */
export const TEST_POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Whether a PostgreSQL server answers, asked once per test file and synchronously, so a suite
 * can choose `describe` or `describe.skip` when it is declared: without a server the postgres
 * suites are reported as skipped, never as passed.
 */
export const postgresAnswers: boolean = (() => {
  const probe = `const { Client } = require('pg');
const client = new Client({ connectionString: process.argv[1], connectionTimeoutMillis: 2000 });
client.connect().then(() => client.query('select 1')).then(() => client.end()).then(() => process.exit(0), () => process.exit(1));`;
  try {
    execFileSync(process.execPath, ['-e', probe, TEST_POSTGRES_URL], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
})();

if (!postgresAnswers) {
  // eslint-disable-next-line no-console
  console.warn(`No PostgreSQL answers at ${TEST_POSTGRES_URL}: the postgres suites are skipped.`);
}

/** `describe` when a server answers, `describe.skip` otherwise. */
export const describeWithPostgres: jest.Describe = postgresAnswers ? describe : describe.skip;

export interface TestDatabase {
  /** A connection string to a database of this test alone. */
  url: string;
  name: string;
  /** Drops the database, closing whatever connections are still open to it. */
  drop(): Promise<void>;
}

async function onServer<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database on the test server, named uniquely per call. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `test_${randomBytes(6).toString('hex')}`;
  await onServer((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => onServer((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/**
 * A pool on a test database. Dropping the database WITH (FORCE) terminates the backends of idle
 * clients a pool is still closing, which a pool reports as an 'error' event (57P01); that one
 * error is expected at teardown, any other is rethrown so the test fails.
 */
export function openTestPool(url: string, config: PoolConfig = {}): Pool {
  const pool = new Pool({ connectionString: url, ...config });
  pool.on('error', (error: Error & { code?: string }) => {
    if (error.code !== '57P01') throw error;
  });
  return pool;
}
