import { Pool } from 'pg';
import { Migration, migrate } from '@payments/event-store';
import { LeaseStore } from './lease-store';

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'lease rows',
    sql: `CREATE TABLE leases (
      name text PRIMARY KEY,
      holder text NOT NULL,
      expires_at timestamptz NOT NULL)`,
  },
  {
    // A lease only spares work (lease-store.ts), so losing them all in a server crash (an
    // unlogged table is emptied) costs at most one lease TTL of doubled effort, while every take,
    // renew and release of a logged one waits for a WAL flush: a payment takes and releases two.
    version: 2,
    name: 'leases unlogged',
    sql: 'ALTER TABLE leases SET UNLOGGED',
  },
];

/**
 * Takes a free or lapsed lease, or renews the holder's own, in one statement: a concurrent
 * insert of the same name waits on the first one's row and then sees it in the WHERE, so of
 * many acquirers of a free lease exactly one gets a row back. now() is the server's clock.
 */
const ACQUIRE = `INSERT INTO leases (name, holder, expires_at)
  VALUES ($1, $2, now() + make_interval(secs => $3::double precision / 1000))
  ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
  WHERE leases.holder = EXCLUDED.holder OR leases.expires_at <= now()`;

/**
 * Lease rows on the deployment's PostgreSQL (POSTGRES_URL), so every process of it shares them.
 * The pool is the process's one pool, handed in and closed by its owner.
 */
export class PostgresLeaseStore implements LeaseStore {
  private constructor(private readonly pool: Pool) {}

  /** Brings the lease table to this build's schema first, as every process does at start. */
  static async open(pool: Pool): Promise<PostgresLeaseStore> {
    await migrate(pool, 'leases', MIGRATIONS);
    return new PostgresLeaseStore(pool);
  }

  async acquire(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const result = await this.pool.query(ACQUIRE, [name, holder, ttlMs]);
    return result.rowCount === 1;
  }

  async release(name: string, holder: string): Promise<void> {
    await this.pool.query('DELETE FROM leases WHERE name = $1 AND holder = $2', [name, holder]);
  }

  /** Opened nothing of its own: the pool is InfrastructureModule's. */
  async close(): Promise<void> {}
}
