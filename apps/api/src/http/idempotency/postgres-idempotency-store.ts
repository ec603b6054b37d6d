import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { Migration, migrate } from '@payments/event-store';
import { ClaimOutcome, IdempotencyClaim, IdempotencyStore, StoredResponse } from './idempotency-store';

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'idempotency records',
    // expires_at holds a claim's lease and a completed response's time to live alike; a row past it counts as absent.
    sql: `
      CREATE TABLE idempotency_records (
        scope text NOT NULL,
        key text NOT NULL,
        state text NOT NULL CHECK (state IN ('running', 'completed')),
        fingerprint text NOT NULL,
        -- running: the claim that holds the key; completed: the stored response.
        claim_id text,
        status integer,
        content_type text,
        body bytea,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (scope, key));
      CREATE INDEX idempotency_records_by_expiry ON idempotency_records (expires_at);`,
  },
];

/** Expired rows a claim deletes: more than the one row a claim adds, so the table stays about one TTL of keys. */
const EXPIRED_ROWS_PER_CLAIM = 100;

/**
 * Takes a free or expired key in one statement. A concurrent claim of the same key waits on the
 * first one's row and then sees it in the WHERE, so of several processes claiming a key at once
 * exactly one gets a row back. The sweep beside it skips rows another claim is deleting (claims
 * do not queue behind each other's sweeps) and leaves this key's row to the upsert, which
 * replaces an expired one. now() is the server's clock, the same for every process.
 */
const CLAIM = `
  WITH swept AS (
    DELETE FROM idempotency_records WHERE ctid IN (
      SELECT ctid FROM idempotency_records
      WHERE expires_at <= now() AND NOT (scope = $1 AND key = $2)
      ORDER BY expires_at LIMIT ${EXPIRED_ROWS_PER_CLAIM}
      FOR UPDATE SKIP LOCKED))
  INSERT INTO idempotency_records (scope, key, state, fingerprint, claim_id, expires_at)
  VALUES ($1, $2, 'running', $3, $4, now() + make_interval(secs => $5::double precision / 1000))
  ON CONFLICT (scope, key) DO UPDATE SET
    state = 'running', fingerprint = EXCLUDED.fingerprint, claim_id = EXCLUDED.claim_id,
    status = NULL, content_type = NULL, body = NULL, expires_at = EXCLUDED.expires_at
  WHERE idempotency_records.expires_at <= now()
  RETURNING claim_id`;

const FIND_LIVE = `SELECT state, fingerprint, status, content_type, body FROM idempotency_records WHERE scope = $1 AND key = $2 AND expires_at > now()`;

/** Only the claim's own record, while its lease runs: a claim that lost its lease changes nothing. */
const COMPLETE = `
  UPDATE idempotency_records SET state = 'completed', claim_id = NULL, status = $4, content_type = $5, body = $6,
    expires_at = now() + make_interval(secs => $7::double precision / 1000)
  WHERE scope = $1 AND key = $2 AND claim_id = $3 AND expires_at > now()`;

const RELEASE = 'DELETE FROM idempotency_records WHERE scope = $1 AND key = $2 AND claim_id = $3';

/**
 * A key found held and then gone before it could be read (its lease ran out, or its request
 * released it) is claimed again; only a key that keeps changing hands between the two statements
 * could need more than a second try.
 */
const CLAIM_ATTEMPTS = 5;

interface RecordRow {
  state: 'running' | 'completed';
  fingerprint: string;
  status: number | null;
  content_type: string | null;
  body: Buffer | null;
}

/**
 * Records on the deployment's PostgreSQL (POSTGRES_URL without REDIS_URL), shared by every API
 * process of it, with the promises of the Redis adapter: a claim holds its key for its lease
 * only, so a process that dies mid-request blocks the key no longer; a request finding its key
 * held by another process's running request is told so (409 idempotency_key_in_use) and one
 * finding it completed gets the stored response; completing or releasing changes the record only
 * while it is still the caller's claim. A completed response is committed before the client
 * receives it (response-capture.ts). The pool is the process's one pool, handed in and closed by its owner.
 */
export class PostgresIdempotencyStore implements IdempotencyStore {
  private constructor(private readonly pool: Pool) {}

  /** Brings the table to this build's schema first, as every process does at start. */
  static async open(pool: Pool): Promise<PostgresIdempotencyStore> {
    await migrate(pool, 'idempotency', MIGRATIONS);
    return new PostgresIdempotencyStore(pool);
  }

  async claim(scope: string, key: string, fingerprint: string, leaseMs: number): Promise<ClaimOutcome> {
    for (let attempt = 1; attempt <= CLAIM_ATTEMPTS; attempt++) {
      const claim: IdempotencyClaim = { scope, key, fingerprint, id: randomUUID() };
      const taken = await this.pool.query(CLAIM, [scope, key, fingerprint, claim.id, leaseMs]);
      if (taken.rowCount === 1) return { state: 'claimed', claim };
      const { rows } = await this.pool.query<RecordRow>(FIND_LIVE, [scope, key]);
      const row = rows[0];
      if (row?.state === 'running') return { state: 'running', fingerprint: row.fingerprint };
      if (row) {
        const response: StoredResponse = { status: row.status!, body: row.body ?? Buffer.alloc(0) };
        if (row.content_type !== null) response.contentType = row.content_type;
        return { state: 'completed', fingerprint: row.fingerprint, response };
      }
    }
    throw new Error(`the idempotency key ${key} changed hands ${CLAIM_ATTEMPTS} times while being claimed`);
  }

  async complete(claim: IdempotencyClaim, response: StoredResponse, ttlMs: number): Promise<void> {
    await this.pool.query(COMPLETE, [claim.scope, claim.key, claim.id, response.status, response.contentType ?? null, response.body, ttlMs]);
  }

  async release(claim: IdempotencyClaim): Promise<void> {
    await this.pool.query(RELEASE, [claim.scope, claim.key, claim.id]);
  }

  /** Opened nothing of its own: the pool is InfrastructureModule's. */
  async close(): Promise<void> {}
}
