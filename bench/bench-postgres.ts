import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The server the postgres benchmarks use; its database only creates and drops the fresh ones. */
export const BENCH_POSTGRES_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A fresh database on the server, for one measurement (test/support/test-postgres.ts is for jest: it declares suites). */
export async function createBenchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `bench_${randomBytes(6).toString('hex')}`;
  const onServer = async (sql: string) => {
    const client = new Client({ connectionString: BENCH_POSTGRES_URL });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await onServer(`CREATE DATABASE ${name}`);
  const url = new URL(BENCH_POSTGRES_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => onServer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
