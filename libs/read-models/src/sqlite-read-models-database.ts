import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

function readModelsDatabaseFile(dataDir: string): string {
  return join(dataDir, 'read-models.db');
}

/**
 * Opens (creating if needed) `<dataDir>/read-models.db` with the settings both of its
 * connections (reads, and the writer thread's) share.
 * - WAL with synchronous=NORMAL: a power cut may lose the last commits, but each commit carries
 *   its checkpoint, so what is lost is re-applied from the events; nothing here needs FULL.
 * - index_entries' primary key is the list order (score, then id), so a page is a range scan;
 *   the second index finds a document's memberships when a put replaces them.
 * - Rebuilds: generation g > 0 of a collection is stored under the name `<collection>#g`
 *   (storedName; no collection name holds a `#`), and served_collections says which one readers
 *   see (no row: the bare name, generation 0). A rebuild writes generation `building` beside
 *   the served one, its checkpoint in `building_position`; publishing it is one transaction
 *   that repoints served_collections and moves the checkpoint, whatever the size of the data.
 * - followed_event_store: one row, the identity of the event store the checkpoints are positions of.
 * - index_sizes: each index's member count, kept by triggers on index_entries, so a page's
 *   total is one row read instead of a count over the whole index (which grew with every
 *   payment and slowed every list: a 10-minute soak lost a fifth of its throughput to it).
 *   recursive_triggers makes the rows INSERT OR REPLACE removes count too.
 */
export function openReadModelsDatabase(dataDir: string): Database.Database {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(readModelsDatabaseFile(dataDir));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('recursive_triggers = ON');
  db.exec(`
    CREATE TABLE IF NOT EXISTS documents (
      collection TEXT NOT NULL,
      id         TEXT NOT NULL,
      doc        TEXT NOT NULL,
      PRIMARY KEY (collection, id)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS index_entries (
      collection TEXT NOT NULL,
      index_name TEXT NOT NULL,
      score      REAL NOT NULL,
      id         TEXT NOT NULL,
      PRIMARY KEY (collection, index_name, score, id)
    ) WITHOUT ROWID;
    CREATE UNIQUE INDEX IF NOT EXISTS index_entries_by_document ON index_entries (collection, id, index_name);
    CREATE TABLE IF NOT EXISTS checkpoints (
      projection TEXT PRIMARY KEY,
      position   INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS served_collections (
      collection TEXT PRIMARY KEY,
      stored_as  TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS followed_event_store (
      singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
      identity  TEXT    NOT NULL
    );
    CREATE TABLE IF NOT EXISTS generations (
      projection        TEXT PRIMARY KEY,
      served            INTEGER NOT NULL,
      building          INTEGER,
      building_position INTEGER
    ) WITHOUT ROWID;
  `);
  addIndexSizes(db);
  return db;
}

/**
 * Creates index_sizes and its triggers, counting the entries already there, once: a file made
 * before it existed gets it at its first opening, in one immediate transaction, so the other
 * connection opening at the same moment waits and then finds it done.
 */
function addIndexSizes(db: Database.Database): void {
  const exists = () => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'index_sizes'").pluck().get() !== undefined;
  if (exists()) return;
  db.transaction(() => {
    if (exists()) return;
    db.exec(`
      CREATE TABLE index_sizes (
        collection TEXT NOT NULL,
        index_name TEXT NOT NULL,
        size       INTEGER NOT NULL,
        PRIMARY KEY (collection, index_name)
      ) WITHOUT ROWID;
      INSERT INTO index_sizes (collection, index_name, size)
        SELECT collection, index_name, COUNT(*) FROM index_entries GROUP BY collection, index_name;
      CREATE TRIGGER index_entry_added AFTER INSERT ON index_entries BEGIN
        INSERT INTO index_sizes (collection, index_name, size) VALUES (NEW.collection, NEW.index_name, 1)
          ON CONFLICT (collection, index_name) DO UPDATE SET size = size + 1;
      END;
      CREATE TRIGGER index_entry_removed AFTER DELETE ON index_entries BEGIN
        UPDATE index_sizes SET size = size - 1 WHERE collection = OLD.collection AND index_name = OLD.index_name;
      END;
    `);
  }).immediate();
}

export const CHECKPOINT_SQL = 'SELECT position FROM checkpoints WHERE projection = ?';

/** The name a collection's generation is stored under (see openReadModelsDatabase). */
export function storedName(collection: string, generation: number): string {
  return generation === 0 ? collection : `${collection}#${generation}`;
}

/** SQL for the name the served generation of `@collection` is stored under; a stored name given as `@collection` stands for itself. */
export const SERVED_NAME_SQL = 'coalesce((SELECT stored_as FROM served_collections WHERE collection = @collection), @collection)';

export const GENERATION_SQL = 'SELECT served, building, building_position FROM generations WHERE projection = ?';

export interface GenerationRow {
  served: bigint;
  building: bigint | null;
  building_position: bigint | null;
}
