import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteWriter, openSqliteWriter, openSqliteWriterInThisThread } from '@payments/event-store';
import { prepareWrites } from './prepared-writes';
import { Page, PageRequest, ReadModelStore, ReadModelWrite, assertCollectionName, assertPageRequest } from './read-model-store';
import type { ReadModelWriteRequest } from './sqlite-read-model-writer';
import { CHECKPOINT_SQL, openReadModelsDatabase } from './sqlite-read-models-database';

/** Where the writer module runs, resolved in the writer thread (.ts from source, .js once built). */
const READ_MODEL_WRITER = join(__dirname, 'sqlite-read-model-writer');

/**
 * The embedded adapter: `<dataDir>/read-models.db`, beside the events file (settings in
 * sqlite-read-models-database.ts). Reads run here; commits and resets run in the SQLite writer
 * thread (sqlite-read-model-writer.ts), so that their WAL writes do not stop this thread.
 */
export class SqliteReadModelStore implements ReadModelStore {
  private readonly db: Database.Database;
  private readonly statements: ReturnType<typeof prepareStatements>;
  private readonly writer: SqliteWriter<ReadModelWriteRequest, boolean>;
  private readonly listInTransaction: (collection: string, index: string, page: PageRequest) => { docs: string[]; total: number };

  /** `writeInThisThread`: for a thread of its own (the projection thread), which may block on its commits. */
  constructor(options: { dataDir: string; writeInThisThread?: boolean }) {
    // Opened here first, so the file and its schema exist before the writer opens it.
    this.db = openReadModelsDatabase(options.dataDir);
    const open = options.writeInThisThread ? openSqliteWriterInThisThread : openSqliteWriter;
    this.writer = open<ReadModelWriteRequest, boolean>(READ_MODEL_WRITER, { dataDir: options.dataDir });
    this.statements = prepareStatements(this.db);
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
    return this.writer.write({ kind: 'commit', projection, expected, next, writes: prepareWrites(writes) });
  }

  async reset(projection: string, collections: readonly string[]): Promise<void> {
    collections.forEach(assertCollectionName);
    await this.writer.write({ kind: 'reset', projection, collections });
  }

  async ping(): Promise<void> {
    this.statements.ping.get();
  }

  async close(): Promise<void> {
    try {
      await this.writer.close();
    } finally {
      if (this.db.open) this.db.close();
    }
  }

  private storedCheckpoint(projection: string): bigint | undefined {
    return this.statements.getCheckpoint.get(projection) as bigint | undefined;
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
    getCheckpoint: db.prepare(CHECKPOINT_SQL).pluck().safeIntegers(true),
    ping: db.prepare('SELECT 1').pluck(),
  };
}
