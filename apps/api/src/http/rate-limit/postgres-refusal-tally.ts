import { Pool } from 'pg';
import { FailedPaymentLimit } from '@payments/domain';
import { Migration, migrate } from '@payments/event-store';
import { RefusalCounts, RefusalTally, noRefusals } from './card-testing-refusal-counts';

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'refusals per account and limit',
    sql: `
      CREATE TABLE card_testing_refusals (
        account_id text NOT NULL,
        limit_reached text NOT NULL,
        refusals bigint NOT NULL,
        PRIMARY KEY (account_id, limit_reached));`,
  },
];

/**
 * The dashboard's refusal counts on the deployment's PostgreSQL (POSTGRES_URL without
 * REDIS_URL): every process's refusals, kept across restarts. An upsert counts each once,
 * whichever processes refuse at the same time. The pool is the process's one pool.
 */
export class PostgresRefusalTally implements RefusalTally {
  private constructor(private readonly pool: Pool) {}

  /** Brings the table to this build's schema first, as every process does at start. */
  static async open(pool: Pool): Promise<PostgresRefusalTally> {
    await migrate(pool, 'card-testing-refusals', MIGRATIONS);
    return new PostgresRefusalTally(pool);
  }

  async add(accountId: string, limit: FailedPaymentLimit): Promise<void> {
    await this.pool.query(
      `INSERT INTO card_testing_refusals (account_id, limit_reached, refusals) VALUES ($1, $2, 1)
       ON CONFLICT (account_id, limit_reached) DO UPDATE SET refusals = card_testing_refusals.refusals + 1`,
      [accountId, limit],
    );
  }

  async of(accountId: string): Promise<RefusalCounts> {
    const { rows } = await this.pool.query<{ limit_reached: FailedPaymentLimit; refusals: string }>(
      'SELECT limit_reached, refusals FROM card_testing_refusals WHERE account_id = $1',
      [accountId],
    );
    const counts = noRefusals();
    for (const row of rows) if (row.limit_reached in counts) counts[row.limit_reached] = Number(row.refusals);
    return counts;
  }
}
