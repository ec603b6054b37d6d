import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export function idempotencyDatabaseFile(dataDir: string): string {
  return join(dataDir, 'idempotency.db');
}

/**
 * Opens (creating if needed) `<dataDir>/idempotency.db`, a file of its own so that it can be
 * deleted (forgetting at most 24 h of replays) without touching the events.
 * - WAL with synchronous=FULL: a completed response is stored before the client receives it
 *   (response-capture.ts), so a commit lost to a power cut would let a retry run the request again.
 * - expires_at holds both a claim's lease and a completed response's time to live; a row past it
 *   counts as absent, and its index lets claims delete such rows a few at a time.
 * - A rowid table rather than WITHOUT ROWID, since rows hold whole response bodies.
 * - busy_timeout: another process holding the write lock makes a write wait, not fail.
 */
export function openIdempotencyDatabase(dataDir: string): Database.Database {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(idempotencyDatabaseFile(dataDir));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.exec(`
    CREATE TABLE IF NOT EXISTS idempotency_records (
      scope        TEXT    NOT NULL,
      key          TEXT    NOT NULL,
      state        TEXT    NOT NULL CHECK (state IN ('running', 'completed')),
      fingerprint  TEXT    NOT NULL,
      -- running: the claim that holds the key; completed: the stored response.
      claim_id     TEXT,
      status       INTEGER,
      content_type TEXT,
      body         BLOB,
      expires_at   INTEGER NOT NULL,
      PRIMARY KEY (scope, key)
    );
    CREATE INDEX IF NOT EXISTS idempotency_records_by_expiry ON idempotency_records (expires_at);
  `);
  return db;
}
