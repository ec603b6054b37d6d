import { Pool } from 'pg';
// The migrations' own module: the package index also loads the EventStoreDB client.
import { migrate } from '@payments/event-store/postgres-migrations';
import { documentKey } from './document-overlay';
import { READ_MODEL_MIGRATIONS } from './postgres-read-models-schema';
import { PreparedWrite, prepareWrites } from './prepared-writes';
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

/** SQL for the generation read: $2, or (NULL) the one served of collection $1. */
const GENERATION = 'coalesce($2::integer, (SELECT generation FROM read_model_served_collections WHERE collection = $1), 0)';

/** One statement, so the total and the page come from the same snapshot, on either side of a publish. */
function listSql(order: 'ASC' | 'DESC'): string {
  return `SELECT
      coalesce((SELECT size FROM read_model_index_sizes WHERE collection = $1 AND generation = ${GENERATION} AND index_name = $3), 0) AS total,
      ARRAY(
        SELECT d.doc FROM read_model_index_entries e
        JOIN read_model_documents d ON d.collection = e.collection AND d.generation = e.generation AND d.id = e.id
        WHERE e.collection = $1 AND e.generation = ${GENERATION} AND e.index_name = $3
        ORDER BY e.score ${order}, e.id ${order}
        LIMIT $4 OFFSET $5) AS docs`;
}

const SQL = {
  get: `SELECT doc FROM read_model_documents WHERE collection = $1 AND generation = ${GENERATION} AND id = $3`,
  getMany: `SELECT id, doc FROM read_model_documents WHERE collection = $1 AND generation = ${GENERATION} AND id = ANY($3::text[])`,
  listAsc: listSql('ASC'),
  listDesc: listSql('DESC'),
  commit: 'SELECT read_model_commit($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) AS committed',
  rebuildCommit: 'SELECT read_model_rebuild_commit($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) AS result',
};

/**
 * The PostgreSQL adapter (POSTGRES_URL without REDIS_URL), so that a deployment of several
 * processes needs no other server: tables and functions in postgres-read-models-schema.ts,
 * created by versioned migrations before the first query. Every write is one function call,
 * so one round trip and one transaction. The pool is handed in and stays open on close.
 */
export class PostgresReadModelStore implements ReadModelStore {
  private migrated: Promise<void> | undefined;

  constructor(private readonly pool: Pool) {}

  get<T>(collection: string, id: string): Promise<T | undefined> {
    return this.getStored(collection, null, id);
  }

  getMany<T>(collection: string, ids: readonly string[]): Promise<(T | undefined)[]> {
    return this.getManyStored(collection, null, ids);
  }

  list<T>(collection: string, index: string, page: PageRequest): Promise<Page<T>> {
    return this.listStored(collection, null, index, page);
  }

  async checkpoint(projection: string): Promise<bigint | undefined> {
    return (await this.readCheckpoint(projection)).position;
  }

  async readCheckpoint(projection: string): Promise<ServedCheckpoint> {
    const { rows } = await this.query<{ position: string | null; generation: number }>('SELECT position, generation FROM read_model_checkpoints WHERE projection = $1', [
      projection,
    ]);
    return { position: optionalBigint(rows[0]?.position), generation: rows[0]?.generation ?? 0 };
  }

  async commit(projection: string, expected: bigint | undefined, next: bigint, writes: readonly ReadModelWrite[], generation?: number): Promise<boolean> {
    const args = [projection, optionalText(expected), next.toString(), generation ?? null, ...writeArguments(prepareWrites(writes))];
    const { rows } = await this.query<{ committed: boolean }>(SQL.commit, args, 'read_model_commit');
    return rows[0]!.committed;
  }

  async reset(projection: string, collections: readonly string[]): Promise<void> {
    collections.forEach(assertCollectionName);
    await this.query('SELECT read_model_reset($1, $2)', [projection, unique(collections)]);
  }

  async beginRebuild(projection: string, collections: readonly string[]): Promise<ReadModelRebuild> {
    collections.forEach(assertCollectionName);
    const rebuilt = unique(collections);
    const { rows } = await this.query<{ generation: number }>('SELECT read_model_begin_rebuild($1, $2) AS generation', [projection, rebuilt]);
    const generation = rows[0]!.generation;
    const written = new WrittenDocuments();
    const building = async (): Promise<bigint | undefined> => {
      const { rows } = await this.query<{ position: string | null }>('SELECT position FROM read_model_rebuilds WHERE projection = $1 AND generation = $2 AND building', [
        projection,
        generation,
      ]);
      if (rows.length === 0) throw new RebuildSuperseded(projection);
      return optionalBigint(rows[0]!.position);
    };
    const store: ProjectionStore = {
      get: async (collection, id) => (written.has(collection, id) ? this.getStored(collection, generation, id) : undefined),
      getMany: (collection, ids) => written.getMany(collection, ids, (some) => this.getManyStored(collection, generation, some)),
      list: (collection, index, page) => this.listStored(collection, generation, index, page),
      checkpoint: building,
      readCheckpoint: async () => ({ position: await building(), generation }),
      commit: async (_projection, expected, next, writes) => {
        const prepared = prepareWrites(writes);
        for (const write of prepared) if (!rebuilt.includes(write.collection)) throw new NotRebuiltCollection(projection, write.collection);
        const args = [projection, generation, optionalText(expected), next.toString(), ...writeArguments(prepared, (write) => !written.has(write.collection, write.id))];
        const { rows } = await this.query<{ result: number }>(SQL.rebuildCommit, args, 'read_model_rebuild_commit');
        const result = rows[0]!.result;
        if (result === -1) throw new RebuildSuperseded(projection);
        if (result === 1) written.record(prepared);
        return result === 1;
      },
    };
    return {
      store,
      publish: async () => {
        const { rows } = await this.query<{ status: number; replaced: number[] | null }>('SELECT status, replaced FROM read_model_publish($1, $2, $3)', [
          projection,
          generation,
          rebuilt,
        ]);
        const { status, replaced } = rows[0]!;
        if (status === -1) throw new RebuildSuperseded(projection);
        if (status === 0) return false;
        // After the publish has committed, so that serving the new read model never waits on deleting the old one.
        await this.query('SELECT read_model_drop($1, $2)', [rebuilt, replaced]);
        return true;
      },
      discard: async () => {
        await this.query('SELECT read_model_discard_rebuild($1, $2, $3)', [projection, generation, rebuilt]);
      },
    };
  }

  async followedEventStore(): Promise<string | undefined> {
    const { rows } = await this.query<{ identity: string }>('SELECT identity FROM read_model_followed_event_store');
    return rows[0]?.identity;
  }

  async followEventStore(identity: string): Promise<void> {
    await this.query(
      'INSERT INTO read_model_followed_event_store (singleton, identity) VALUES (true, $1) ON CONFLICT (singleton) DO UPDATE SET identity = excluded.identity',
      [identity],
    );
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  /** Opened nothing of its own: the pool belongs to whoever handed it in. */
  async close(): Promise<void> {}

  private async getStored<T>(collection: string, generation: number | null, id: string): Promise<T | undefined> {
    const { rows } = await this.query<{ doc: string }>(SQL.get, [collection, generation, id], 'read_model_get');
    return rows.length === 0 ? undefined : (JSON.parse(rows[0]!.doc) as T);
  }

  private async getManyStored<T>(collection: string, generation: number | null, ids: readonly string[]): Promise<(T | undefined)[]> {
    if (ids.length === 0) return [];
    const { rows } = await this.query<{ id: string; doc: string }>(SQL.getMany, [collection, generation, ids], 'read_model_get_many');
    const docs = new Map(rows.map((row) => [row.id, row.doc]));
    return ids.map((id) => {
      const doc = docs.get(id);
      return doc === undefined ? undefined : (JSON.parse(doc) as T);
    });
  }

  private async listStored<T>(collection: string, generation: number | null, index: string, page: PageRequest): Promise<Page<T>> {
    assertCollectionName(collection);
    assertPageRequest(page);
    const ascending = page.order === 'asc';
    const { rows } = await this.query<{ total: string; docs: string[] }>(
      ascending ? SQL.listAsc : SQL.listDesc,
      [collection, generation, index, page.limit, page.offset],
      ascending ? 'read_model_list_asc' : 'read_model_list_desc',
    );
    return { items: rows[0]!.docs.map((doc) => JSON.parse(doc) as T), total: Number(rows[0]!.total) };
  }

  /** Every query waits for the schema; a migration that failed (the server was down) is tried again by the next query. */
  private async query<R extends object>(text: string, values: unknown[] = [], name?: string): Promise<{ rows: R[] }> {
    this.migrated ??= migrate(this.pool, 'read-models', READ_MODEL_MIGRATIONS).catch((error: unknown) => {
      this.migrated = undefined;
      throw error;
    });
    await this.migrated;
    return this.pool.query<R>({ text, values, name });
  }
}

/** Separates the documents of a commit: JSON.stringify writes U+001E only escaped (see read_model_apply). */
const DOCUMENT_SEPARATOR = '\x1e';
/** A delete among the documents: no JSON text is `D`. */
const DELETED_DOCUMENT = 'D';

/**
 * The arguments read_model_apply takes for a commit's writes, in its order: the last write of
 * each document only (it decides what the document and its memberships are after the commit),
 * those that may have memberships to delete first, and of a put listing one index twice the
 * last score, as a Redis sorted set keeps.
 */
function writeArguments(writes: readonly PreparedWrite[], fresh: (write: PreparedWrite) => boolean = () => false): unknown[] {
  const last = new Map<string, PreparedWrite>();
  for (const write of writes) {
    const key = documentKey(write.collection, write.id);
    last.delete(key);
    last.set(key, write);
  }
  const known: PreparedWrite[] = [];
  const unknown: PreparedWrite[] = [];
  for (const write of last.values()) (fresh(write) ? unknown : known).push(write);
  const ordered = [...known, ...unknown];
  const entries = { collections: [] as string[], ids: [] as string[], indexes: [] as string[], scores: [] as number[] };
  for (const write of ordered) {
    if (write.op === 'delete') continue;
    for (const [index, score] of new Map(write.indexes.map((entry) => [entry.index, entry.score]))) {
      entries.collections.push(write.collection);
      entries.ids.push(write.id);
      entries.indexes.push(index);
      entries.scores.push(score);
    }
  }
  return [
    JSON.stringify(ordered.map((write) => write.collection)),
    JSON.stringify(ordered.map((write) => write.id)),
    ordered.map((write) => (write.op === 'put' ? write.json : DELETED_DOCUMENT)).join(DOCUMENT_SEPARATOR),
    known.length,
    JSON.stringify(entries.collections),
    JSON.stringify(entries.ids),
    JSON.stringify(entries.indexes),
    JSON.stringify(entries.scores),
  ];
}

function unique(collections: readonly string[]): string[] {
  return [...new Set(collections)];
}

function optionalText(position: bigint | undefined): string | null {
  return position === undefined ? null : position.toString();
}

function optionalBigint(position: string | null | undefined): bigint | undefined {
  return position === null || position === undefined ? undefined : BigInt(position);
}
