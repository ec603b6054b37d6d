import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { SqliteWriter, openSqliteWriter } from '@payments/event-store';
import { ClaimOutcome, IdempotencyClaim, IdempotencyStore, StoredResponse } from './idempotency-store';
import { openIdempotencyDatabase } from './sqlite-idempotency-database';
import type { IdempotencyClaimReply, IdempotencyWriteRequest } from './sqlite-idempotency-writer';

/** Where the writer module runs, resolved in the writer thread (.ts from source, .js once built). */
const IDEMPOTENCY_WRITER = join(__dirname, 'sqlite-idempotency-writer');

/**
 * The embedded adapter (no REDIS_URL): `<dataDir>/idempotency.db` (settings in
 * sqlite-idempotency-database.ts), so records survive a restart and are shared by every process
 * on that directory. Every call writes, so all of them run in the SQLite writer thread
 * (sqlite-idempotency-writer.ts) and none stops this thread for a commit.
 */
export class SqliteIdempotencyStore implements IdempotencyStore {
  private readonly writer: SqliteWriter<IdempotencyWriteRequest, IdempotencyClaimReply | undefined>;

  constructor(dataDir: string) {
    // Opened once here, so that a DATA_DIR that cannot hold the file fails at start-up rather than at the first keyed request.
    openIdempotencyDatabase(dataDir).close();
    this.writer = openSqliteWriter(IDEMPOTENCY_WRITER, { dataDir });
  }

  async claim(scope: string, key: string, fingerprint: string, leaseMs: number): Promise<ClaimOutcome> {
    const claim: IdempotencyClaim = { scope, key, fingerprint, id: randomUUID() };
    const reply = (await this.writer.write({ kind: 'claim', scope, key, fingerprint, claimId: claim.id, leaseMs }))!;
    if (reply.state === 'claimed') return { state: 'claimed', claim };
    if (reply.state === 'running') return reply;
    const response: StoredResponse = { status: reply.status, body: Buffer.from(reply.body.buffer, reply.body.byteOffset, reply.body.byteLength) };
    if (reply.contentType !== null) response.contentType = reply.contentType;
    return { state: 'completed', fingerprint: reply.fingerprint, response };
  }

  async complete(claim: IdempotencyClaim, response: StoredResponse, ttlMs: number): Promise<void> {
    await this.writer.write({
      kind: 'complete',
      scope: claim.scope,
      key: claim.key,
      claimId: claim.id,
      status: response.status,
      contentType: response.contentType ?? null,
      // A copy of exactly the body: a small Buffer is a view of a shared pool, which the message to the thread would copy whole.
      body: new Uint8Array(response.body),
      ttlMs,
    });
  }

  async release(claim: IdempotencyClaim): Promise<void> {
    await this.writer.write({ kind: 'release', scope: claim.scope, key: claim.key, claimId: claim.id });
  }

  async close(): Promise<void> {
    await this.writer.close();
  }
}
