import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PreparedWrite, prepareWrites } from './prepared-writes';
import { Page, PageRequest, ReadModelStore, ReadModelWrite, assertCollectionName, assertPageRequest } from './read-model-store';

export function readModelsDatabaseFile(dataDir: string): string {
  return join(dataDir, 'read-models.db');
}

/**
 * The embedded adapter: `<dataDir>/read-models.db`, beside the events file.
 * - WAL with synchronous=NORMAL: a power cut may lose the last commits, but each commit carries
 *   its checkpoint, so what is lost is re-applied from the events; nothing here needs FULL.
 * - index_entries' primary key is the list order (score, then id), so a page is a range scan;
 *   the second index finds a document's memberships when a put replaces them.
 * - Commits run in BEGIN IMMEDIATE: the write lock is held from the checkpoint read to the
 *   update, so two processes sharing the file cannot both win a compare-and-set.
 */
export class SqliteReadModelStore implements ReadModelStore {
  private readonly db: Database.Database;
  private readonly statements: ReturnType<typeof prepareStatements>;
  private readonly commitInTransaction: (projection: string, expected: bigint | undefined, next: bigint, writes: PreparedWrite[]) => boolean;
  private readonly listInTransaction: (collection: string, index: string, page: PageRequest) => { docs: string[]; total: number };

  constructor(options: { dataDir: string }) {
    mkdirSync(options.dataDir, { recursive: true });
    this.db = new Database(readModelsDatabaseFile(options.dataDir));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
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
    `);
    this.statements = prepareStatements(this.db);
    this.commitInTransaction = this.db.transaction(this.commitNow.bind(this)).immediate;
    // One read transaction, so the total and the page come from the same snapshot.
    this.listInTransaction = this.db.transaction((collection: string, index: string, page: PageRequest) => {
      const select = page.order === 'asc' ? this.statements.pageAsc : this.statements.pageDesc;
      const docs = select.all(collection, index, page.limit, page.offset) as string[];
      const total = this.statements.countIndex.get(collection, index) as number;
      return { docs, total };
    });
  }

  async get<T>(collection: string, id: string): Promise<T | undefined> {
    const doc = this.statements.getDoc.get(collection, id) as string | undefined;
    return doc === undefined ? undefined : (JSON.parse(doc) as T);
  }

  async getMany<T>(collection: string, ids: readonly string[]): Promise<(T | undefined)[]> {
    const rows = this.statements.getDocs.all(collection, JSON.stringify(ids)) as { id: string; doc: string }[];
    const docs = new Map(rows.map((row) => [row.id, row.doc]));
    return ids.map((id) => {
      const doc = docs.get(id);
      return doc === undefined ? undefined : (JSON.parse(doc) as T);
    });
  }

  async list<T>(collection: string, index: string, page: PageRequest): Promise<Page<T>> {
    assertCollectionName(collection);
    assertPageRequest(page);
    const { docs, total } = this.listInTransaction(collection, index, page);
    return { items: docs.map((doc) => JSON.parse(doc) as T), total };
  }

  async checkpoint(projection: string): Promise<bigint | undefined> {
    return this.storedCheckpoint(projection);
  }

  async commit(projection: string, expected: bigint | undefined, next: bigint, writes: readonly ReadModelWrite[]): Promise<boolean> {
    return this.commitInTransaction(projection, expected, next, prepareWrites(writes));
  }

  async reset(projection: string, collections: readonly string[]): Promise<void> {
    collections.forEach(assertCollectionName);
    this.db.transaction(() => {
      for (const collection of collections) {
        this.statements.deleteCollectionEntries.run(collection);
        this.statements.deleteCollectionDocs.run(collection);
      }
      this.statements.deleteCheckpoint.run(projection);
    }).immediate();
  }

  async ping(): Promise<void> {
    this.statements.ping.get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  private storedCheckpoint(projection: string): bigint | undefined {
    return this.statements.getCheckpoint.get(projection) as bigint | undefined;
  }

  private commitNow(projection: string, expected: bigint | undefined, next: bigint, writes: PreparedWrite[]): boolean {
    if (this.storedCheckpoint(projection) !== expected) return false;
    const s = this.statements;
    for (const write of writes) {
      s.deleteDocEntries.run(write.collection, write.id);
      if (write.op === 'delete') {
        s.deleteDoc.run(write.collection, write.id);
        continue;
      }
      s.putDoc.run(write.collection, write.id, write.json);
      for (const entry of write.indexes) s.putEntry.run(write.collection, entry.index, entry.score, write.id);
    }
    s.putCheckpoint.run(projection, next);
    return true;
  }
}

function prepareStatements(db: Database.Database) {
  const page = (order: 'ASC' | 'DESC') =>
    db.prepare(`
      SELECT d.doc FROM index_entries e
      JOIN documents d ON d.collection = e.collection AND d.id = e.id
      WHERE e.collection = ? AND e.index_name = ?
      ORDER BY e.score ${order}, e.id ${order}
      LIMIT ? OFFSET ?`).pluck();
  return {
    getDoc: db.prepare('SELECT doc FROM documents WHERE collection = ? AND id = ?').pluck(),
    getDocs: db.prepare('SELECT id, doc FROM documents WHERE collection = ? AND id IN (SELECT value FROM json_each(?))'),
    pageAsc: page('ASC'),
    pageDesc: page('DESC'),
    countIndex: db.prepare('SELECT COUNT(*) FROM index_entries WHERE collection = ? AND index_name = ?').pluck(),
    getCheckpoint: db.prepare('SELECT position FROM checkpoints WHERE projection = ?').pluck().safeIntegers(true),
    putCheckpoint: db.prepare(
      'INSERT INTO checkpoints (projection, position) VALUES (?, ?) ON CONFLICT (projection) DO UPDATE SET position = excluded.position',
    ),
    deleteCheckpoint: db.prepare('DELETE FROM checkpoints WHERE projection = ?'),
    putDoc: db.prepare('INSERT INTO documents (collection, id, doc) VALUES (?, ?, ?) ON CONFLICT (collection, id) DO UPDATE SET doc = excluded.doc'),
    deleteDoc: db.prepare('DELETE FROM documents WHERE collection = ? AND id = ?'),
    // A put listing one index twice keeps the last score, as a Redis sorted set does.
    putEntry: db.prepare('INSERT OR REPLACE INTO index_entries (collection, index_name, score, id) VALUES (?, ?, ?, ?)'),
    deleteDocEntries: db.prepare('DELETE FROM index_entries WHERE collection = ? AND id = ?'),
    deleteCollectionDocs: db.prepare('DELETE FROM documents WHERE collection = ?'),
    deleteCollectionEntries: db.prepare('DELETE FROM index_entries WHERE collection = ?'),
    ping: db.prepare('SELECT 1').pluck(),
  };
}
