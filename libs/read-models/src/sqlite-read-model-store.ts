import { join } from 'node:path';
import Database from 'better-sqlite3';
// The writer thread's own module: the package index also loads the EventStoreDB client.
import { SqliteWriter, openSqliteWriter, openSqliteWriterInThisThread } from '@payments/event-store/sqlite-writer-thread';
import { prepareWrites } from './prepared-writes';
import { WrittenDocuments } from './written-documents';
import {
  NotRebuiltCollection,
  Page,
  PageRequest,
  ProjectionStore,
  ReadModelRebuild,
  ReadModelStore,
  ReadModelWrite,
  RebuildSuperseded,
  ServedCheckpoint,
  assertCollectionName,
  assertPageRequest,
} from './read-model-store';
import type { ReadModelWriteRequest, ReadModelWriteResponse } from './sqlite-read-model-writer';
import { CHECKPOINT_SQL, GENERATION_SQL, GenerationRow, SERVED_NAME_SQL, openReadModelsDatabase, storedName } from './sqlite-read-models-database';

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
  private readonly writer: SqliteWriter<ReadModelWriteRequest, ReadModelWriteResponse>;
  private readonly listInTransaction: (collection: string, index: string, page: PageRequest) => { docs: string[]; total: number };

  /**
   * `writeInThisThread`: for a thread of its own (the projection thread, the CLI), which may
   * block on its commits. `largeCommits`: the writer connection is tuned for a rebuild's (see
   * sqlite-read-model-writer.ts).
   */
  constructor(options: { dataDir: string; writeInThisThread?: boolean; largeCommits?: boolean }) {
    // Opened here first, so the file and its schema exist before the writer opens it.
    this.db = openReadModelsDatabase(options.dataDir);
    const open = options.writeInThisThread ? openSqliteWriterInThisThread : openSqliteWriter;
    this.writer = open<ReadModelWriteRequest, ReadModelWriteResponse>(READ_MODEL_WRITER, { dataDir: options.dataDir, largeCommits: options.largeCommits });
    this.statements = prepareStatements(this.db);
    // One read transaction, so the total and the page come from the same snapshot.
    this.listInTransaction = this.db.transaction((collection: string, index: string, page: PageRequest) => {
      const select = page.order === 'asc' ? this.statements.pageAsc : this.statements.pageDesc;
      const docs = select.all({ collection, index, limit: page.limit, offset: page.offset }) as string[];
      const total = this.statements.countIndex.get({ collection, index }) as number;
      return { docs, total };
    });
  }

  /**
   * The served generation's documents. Each read resolves the collection to the name its served
   * generation is stored under within the same statement (or transaction), so a read runs
   * wholly before or wholly after a rebuild is published.
   */
  async get<T>(collection: string, id: string): Promise<T | undefined> {
    return this.getStored<T>(collection, id);
  }

  async getMany<T>(collection: string, ids: readonly string[]): Promise<(T | undefined)[]> {
    return this.getManyStored<T>(collection, ids);
  }

  async list<T>(collection: string, index: string, page: PageRequest): Promise<Page<T>> {
    assertCollectionName(collection);
    return this.listStored<T>(collection, index, page);
  }

  async checkpoint(projection: string): Promise<bigint | undefined> {
    return this.storedCheckpoint(projection);
  }

  async readCheckpoint(projection: string): Promise<ServedCheckpoint> {
    const { position, generation } = this.statements.servedCheckpoint.get({ projection }) as { position: bigint | null; generation: bigint };
    return { position: position ?? undefined, generation: Number(generation) };
  }

  async commit(projection: string, expected: bigint | undefined, next: bigint, writes: readonly ReadModelWrite[], generation?: number): Promise<boolean> {
    return (await this.writer.write({ kind: 'commit', projection, expected, next, writes: prepareWrites(writes), generation })) as boolean;
  }

  async reset(projection: string, collections: readonly string[]): Promise<void> {
    collections.forEach(assertCollectionName);
    await this.writer.write({ kind: 'reset', projection, collections });
  }

  async beginRebuild(projection: string, collections: readonly string[]): Promise<ReadModelRebuild> {
    collections.forEach(assertCollectionName);
    const generation = (await this.writer.write({ kind: 'begin-rebuild', projection, collections })) as number;
    const ref = { projection, generation, collections: [...collections] };
    /** Its stored name, which readers resolve to itself; a collection not rebuilt reads as empty. */
    const stored = (collection: string) => storedName(collection, generation);
    const written = new WrittenDocuments();
    const building = (): GenerationRow => {
      const row = this.statements.generation.get(projection) as GenerationRow | undefined;
      if (row?.building === null || row?.building === undefined || Number(row.building) !== generation) throw new RebuildSuperseded(projection);
      return row;
    };
    const store: ProjectionStore = {
      get: async <T>(collection: string, id: string) => (written.has(collection, id) ? this.getStored<T>(stored(collection), id) : undefined),
      getMany: async <T>(collection: string, ids: readonly string[]) => written.getMany(collection, ids, async (some) => this.getManyStored<T>(stored(collection), some)),
      list: async <T>(collection: string, index: string, page: PageRequest) => {
        assertCollectionName(collection);
        return this.listStored<T>(stored(collection), index, page);
      },
      checkpoint: async () => building().building_position ?? undefined,
      readCheckpoint: async () => ({ position: building().building_position ?? undefined, generation }),
      commit: async (_projection, expected, next, writes) => {
        const prepared = prepareWrites(writes);
        for (const write of prepared) if (!collections.includes(write.collection)) throw new NotRebuiltCollection(projection, write.collection);
        const fresh = prepared.map((write) => !written.has(write.collection, write.id));
        const committed = (await this.writer.write({ kind: 'rebuild-commit', ...ref, expected, next, writes: prepared, fresh })) as boolean;
        if (committed) written.record(prepared);
        return committed;
      },
    };
    return {
      store,
      publish: async () => (await this.writer.write({ kind: 'publish', ...ref })) as boolean,
      discard: async () => {
        await this.writer.write({ kind: 'discard', ...ref });
      },
    };
  }

  async followedEventStore(): Promise<string | undefined> {
    return this.statements.followed.get() as string | undefined;
  }

  /** On the reading connection: written once at start, before any projection commits. */
  async followEventStore(identity: string): Promise<void> {
    this.statements.follow.run(identity);
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

  private getStored<T>(collection: string, id: string): T | undefined {
    const doc = this.statements.getDoc.get({ collection, id }) as string | undefined;
    return doc === undefined ? undefined : (JSON.parse(doc) as T);
  }

  private getManyStored<T>(collection: string, ids: readonly string[]): (T | undefined)[] {
    const rows = this.statements.getDocs.all({ collection, ids: JSON.stringify(ids) }) as { id: string; doc: string }[];
    const docs = new Map(rows.map((row) => [row.id, row.doc]));
    return ids.map((id) => {
      const doc = docs.get(id);
      return doc === undefined ? undefined : (JSON.parse(doc) as T);
    });
  }

  private listStored<T>(collection: string, index: string, page: PageRequest): Page<T> {
    assertPageRequest(page);
    const { docs, total } = this.listInTransaction(collection, index, page);
    return { items: docs.map((doc) => JSON.parse(doc) as T), total };
  }
}

function prepareStatements(db: Database.Database) {
  const page = (order: 'ASC' | 'DESC') =>
    db.prepare(`
      SELECT d.doc FROM index_entries e
      JOIN documents d ON d.collection = e.collection AND d.id = e.id
      WHERE e.collection = ${SERVED_NAME_SQL} AND e.index_name = @index
      ORDER BY e.score ${order}, e.id ${order}
      LIMIT @limit OFFSET @offset`).pluck();
  return {
    getDoc: db.prepare(`SELECT doc FROM documents WHERE collection = ${SERVED_NAME_SQL} AND id = @id`).pluck(),
    getDocs: db.prepare(`SELECT id, doc FROM documents WHERE collection = ${SERVED_NAME_SQL} AND id IN (SELECT value FROM json_each(@ids))`),
    pageAsc: page('ASC'),
    pageDesc: page('DESC'),
    countIndex: db.prepare(`SELECT coalesce((SELECT size FROM index_sizes WHERE collection = ${SERVED_NAME_SQL} AND index_name = @index), 0)`).pluck(),
    getCheckpoint: db.prepare(CHECKPOINT_SQL).pluck().safeIntegers(true),
    servedCheckpoint: db
      .prepare(
        `SELECT (SELECT position FROM checkpoints WHERE projection = @projection) AS position,
                coalesce((SELECT served FROM generations WHERE projection = @projection), 0) AS generation`,
      )
      .safeIntegers(true),
    generation: db.prepare(GENERATION_SQL).safeIntegers(true),
    followed: db.prepare('SELECT identity FROM followed_event_store WHERE singleton = 1').pluck(),
    follow: db.prepare('INSERT INTO followed_event_store (singleton, identity) VALUES (1, ?) ON CONFLICT (singleton) DO UPDATE SET identity = excluded.identity'),
    ping: db.prepare('SELECT 1').pluck(),
  };
}
