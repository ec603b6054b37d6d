import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { accessSync, constants, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { RecordedEvent } from './event-store';

export function eventsDatabaseFile(dataDir: string): string {
  return join(dataDir, 'events.db');
}

/**
 * Opens (creating if needed) the events file with the settings every writer of it must share.
 * - WAL with synchronous=FULL: a commit has reached the disk when it returns, and readers never
 *   block the writer.
 * - position is an INTEGER PRIMARY KEY AUTOINCREMENT: SQLite hands it out while holding the
 *   single write lock, so positions only grow, follow commit order and are never reused; a
 *   reader that resumes after its last position therefore cannot skip a committed event.
 * - UNIQUE (stream_id, revision) is the index for stream reads and the current-revision lookup,
 *   and a last guard against two writers giving out one revision; the (stream_id, event_id)
 *   index makes the idempotency lookup cheap and forbids a duplicate id in a stream.
 * - busy_timeout: another process holding the write lock makes an append wait, not fail, for
 *   up to `busyTimeoutMs` (5 s by default).
 * - store_identity holds one row, the store's identity (EventStore.identity), made by whichever
 *   connection creates the file first: INSERT OR IGNORE keeps the first of racing openers'.
 */
export function openEventsDatabase(dataDir: string, busyTimeoutMs = 5000): Database.Database {
  mkdirSync(dataDir, { recursive: true });
  assertWritable(dataDir);
  const db = new Database(eventsDatabaseFile(dataDir));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  db.exec(`
    CREATE TABLE IF NOT EXISTS events (
      position   INTEGER PRIMARY KEY AUTOINCREMENT,
      stream_id  TEXT    NOT NULL,
      revision   INTEGER NOT NULL,
      event_id   TEXT    NOT NULL,
      type       TEXT    NOT NULL,
      data       TEXT    NOT NULL,
      metadata   TEXT    NOT NULL,
      created_at INTEGER NOT NULL,
      UNIQUE (stream_id, revision)
    );
    CREATE UNIQUE INDEX IF NOT EXISTS events_by_stream_and_event_id ON events (stream_id, event_id);
    CREATE TABLE IF NOT EXISTS store_identity (
      singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
      identity  TEXT    NOT NULL
    );
  `);
  db.prepare('INSERT OR IGNORE INTO store_identity (singleton, identity) VALUES (1, ?)').run(randomUUID());
  return db;
}

/**
 * SQLite alone says `unable to open database file` (SQLITE_CANTOPEN) of a folder it cannot write
 * (WAL needs its -wal and -shm files beside the file), which names neither the folder nor the cause.
 */
function assertWritable(dataDir: string): void {
  try {
    accessSync(dataDir, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw Object.assign(new Error(`the events file's folder ${dataDir} (DATA_DIR) cannot be written (${code}${code === 'EROFS' ? ': a read-only file system' : ''}); the service writes its SQLite files there, so make it writable`), { code });
  }
}

/** The identity the events file was created with (see openEventsDatabase). */
export function storeIdentityOf(db: Database.Database): string {
  // A file made before identities were (opened read-only here) has no such table yet.
  const table = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'store_identity'").pluck().get();
  const identity = table === undefined ? undefined : (db.prepare('SELECT identity FROM store_identity WHERE singleton = 1').pluck().get() as string | undefined);
  if (identity === undefined) throw new Error('the events file holds no store identity: open it once read-write (start the service) to give it one');
  return identity;
}

/**
 * Opens an existing events file for reading only (the operator CLI): it creates nothing, so a
 * DATA_DIR without a store fails here (SQLITE_CANTOPEN) instead of gaining an empty one, and
 * WAL lets it read while the service writes.
 */
export function openEventsDatabaseReadOnly(dataDir: string): Database.Database {
  return new Database(eventsDatabaseFile(dataDir), { readonly: true, fileMustExist: true });
}

/** A row of the events table, as its readers select it (EVENT_COLUMNS). */
export interface EventRow {
  position: number;
  stream_id: string;
  revision: number;
  event_id: string;
  type: string;
  data: string;
  metadata: string;
  created_at: number;
}

export const EVENT_COLUMNS = 'position, stream_id, revision, event_id, type, data, metadata, created_at';

/** The event a row read back from the file records. */
export function eventFromRow(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    streamId: row.stream_id,
    type: row.type,
    revision: BigInt(row.revision),
    position: BigInt(row.position),
    data: JSON.parse(row.data),
    metadata: JSON.parse(row.metadata),
    createdAt: new Date(row.created_at),
  };
}
