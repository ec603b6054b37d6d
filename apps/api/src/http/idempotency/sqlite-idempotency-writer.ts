import Database from 'better-sqlite3';
import type { SqliteWriterFunctions } from '@payments/event-store';
import { openIdempotencyDatabase } from './sqlite-idempotency-database';

/**
 * The sqlite idempotency store's writes, run in the SQLite writer thread on a connection of their
 * own. A claim is one BEGIN IMMEDIATE transaction: the write lock is held from the look-up to the
 * insert, so of two processes sharing the file only one can take a free key.
 */

export type IdempotencyWriteRequest =
  | { kind: 'claim'; scope: string; key: string; fingerprint: string; claimId: string; leaseMs: number }
  | { kind: 'complete'; scope: string; key: string; claimId: string; status: number; contentType: string | null; body: Uint8Array; ttlMs: number }
  | { kind: 'release'; scope: string; key: string; claimId: string };

/** A claim's answer (complete and release answer nothing); bodies cross threads as Uint8Array. */
export type IdempotencyClaimReply =
  | { state: 'claimed' }
  | { state: 'running'; fingerprint: string }
  | { state: 'completed'; fingerprint: string; status: number; contentType: string | null; body: Uint8Array };

/** Expired rows a claim deletes: more than the one row a claim adds, so the file stays about one TTL of keys. */
const EXPIRED_ROWS_PER_CLAIM = 100;

interface RecordRow {
  state: 'running' | 'completed';
  fingerprint: string;
  status: number | null;
  content_type: string | null;
  body: Buffer | null;
}

export function open(options: { dataDir: string }): SqliteWriterFunctions<IdempotencyWriteRequest, IdempotencyClaimReply | undefined> {
  const db = openIdempotencyDatabase(options.dataDir);
  const s = prepareStatements(db);

  // Date.now() inside the transaction: a lease starts once the lock is held, however long another process kept it.
  const claim = db.transaction((r: Extract<IdempotencyWriteRequest, { kind: 'claim' }>): IdempotencyClaimReply => {
    const now = Date.now();
    s.deleteExpired.run(now, EXPIRED_ROWS_PER_CLAIM);
    const row = s.findLive.get(r.scope, r.key, now);
    if (row?.state === 'running') return { state: 'running', fingerprint: row.fingerprint };
    if (row) return { state: 'completed', fingerprint: row.fingerprint, status: row.status!, contentType: row.content_type, body: row.body ?? Buffer.alloc(0) };
    // An expired row the batch above did not reach is replaced.
    s.putRunning.run(r.scope, r.key, r.fingerprint, r.claimId, now + r.leaseMs);
    return { state: 'claimed' };
  }).immediate;

  const write = (request: IdempotencyWriteRequest): IdempotencyClaimReply | undefined => {
    switch (request.kind) {
      case 'claim':
        return claim(request);
      case 'complete': {
        const now = Date.now();
        const body = Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength);
        s.complete.run(request.status, request.contentType, body, now + request.ttlMs, request.scope, request.key, request.claimId, now);
        return undefined;
      }
      case 'release':
        s.release.run(request.scope, request.key, request.claimId);
        return undefined;
    }
  };

  return { write, close: () => db.close() };
}

function prepareStatements(db: Database.Database) {
  return {
    deleteExpired: db.prepare<[number, number]>(
      'DELETE FROM idempotency_records WHERE rowid IN (SELECT rowid FROM idempotency_records WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)',
    ),
    findLive: db.prepare<[string, string, number], RecordRow>(
      'SELECT state, fingerprint, status, content_type, body FROM idempotency_records WHERE scope = ? AND key = ? AND expires_at > ?',
    ),
    putRunning: db.prepare<[string, string, string, string, number]>(
      "INSERT OR REPLACE INTO idempotency_records (scope, key, state, fingerprint, claim_id, expires_at) VALUES (?, ?, 'running', ?, ?, ?)",
    ),
    // Only the claim's own record, while its lease runs: a claim that lost its lease changes nothing.
    complete: db.prepare<[number, string | null, Buffer, number, string, string, string, number]>(
      `UPDATE idempotency_records SET state = 'completed', claim_id = NULL, status = ?, content_type = ?, body = ?, expires_at = ?
       WHERE scope = ? AND key = ? AND claim_id = ? AND expires_at > ?`,
    ),
    release: db.prepare<[string, string, string]>('DELETE FROM idempotency_records WHERE scope = ? AND key = ? AND claim_id = ?'),
  };
}
