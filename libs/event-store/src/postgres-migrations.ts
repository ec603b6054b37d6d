import { Pool, PoolClient } from 'pg';
import { inTransaction } from './postgres-transaction';

/** One step of a component's schema; versions start at 1 and follow each other without gaps. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Brings a component's tables (the event store, the read models, leases, the simulator's ledger)
 * to its latest schema. Every process of a deployment runs this at start, possibly at the same
 * moment: a transaction-scoped advisory lock makes them take turns, and the
 * migrations applied are recorded in `schema_migrations` in the same transaction as their SQL,
 * so a start that dies halfway applies nothing. (One lock for all components: two first starts
 * creating `schema_migrations` itself at once would otherwise collide.) A database whose schema is newer than this code
 * knows (an older process started beside a newer one) is refused rather than used.
 */
export async function migrate(pool: Pool, component: string, migrations: readonly Migration[]): Promise<void> {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) throw new Error(`migration ${migration.name} of ${component} has version ${migration.version}, expected ${index + 1}`);
  });
  await inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['schema_migrations']);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      component text NOT NULL,
      version integer NOT NULL,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (component, version))`);
    const applied = await appliedVersion(client, component);
    if (applied > migrations.length) {
      throw new Error(
        `the ${component} schema in this database is at version ${applied}, newer than this build knows (${migrations.length}): run the newer build, or a fresh database`,
      );
    }
    for (const migration of migrations.slice(applied)) {
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (component, version, name) VALUES ($1, $2, $3)', [component, migration.version, migration.name]);
    }
  });
}

async function appliedVersion(client: PoolClient, component: string): Promise<number> {
  const { rows } = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations WHERE component = $1', [component]);
  return rows[0]?.version ?? 0;
}
