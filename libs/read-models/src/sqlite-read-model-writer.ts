import Database from 'better-sqlite3';
import type { SqliteWriterFunctions } from '@payments/event-store';
import type { PreparedWrite } from './prepared-writes';
import { RebuildSuperseded } from './read-model-store';
import { CHECKPOINT_SQL, GENERATION_SQL, GenerationRow, SERVED_NAME_SQL, openReadModelsDatabase, storedName } from './sqlite-read-models-database';

/**
 * The sqlite read-model store's writes, run in the SQLite writer thread on a connection of
 * their own. Each runs in BEGIN IMMEDIATE: the write lock is held from the checkpoint read to
 * the update, so two processes sharing the file cannot both win a compare-and-set.
 */

/** A rebuild's requests name its projection, its generation and the collections it was begun with (the only ones its commits write). */
interface RebuildRef {
  projection: string;
  generation: number;
  collections: readonly string[];
}

export type ReadModelWriteRequest =
  | { kind: 'commit'; projection: string; expected: bigint | undefined; next: bigint; writes: PreparedWrite[]; generation: number | undefined }
  | { kind: 'reset'; projection: string; collections: readonly string[] }
  | { kind: 'begin-rebuild'; projection: string; collections: readonly string[] }
  /** `fresh`: per write, whether the rebuild never wrote its document before (so it has no memberships to delete). */
  | ({ kind: 'rebuild-commit'; expected: bigint | undefined; next: bigint; writes: PreparedWrite[]; fresh: boolean[] } & RebuildRef)
  | ({ kind: 'publish' } & RebuildRef)
  | ({ kind: 'discard' } & RebuildRef);

/** A commit answers whether its compare-and-set won, begin-rebuild the generation it builds, publish whether it published; the others true. */
export type ReadModelWriteResponse = boolean | number;

/**
 * Rows deleted per transaction when a generation is dropped, so that dropping a large read model
 * never holds the write lock long: the service's projection thread commits in between.
 */
const DROP_CHUNK_ROWS = 5000;

/**
 * `largeCommits`: a rebuild's connection (the CLI's), whose commits are tens of thousands of
 * documents. A page cache of 128 MiB keeps a commit's pages in memory until it commits, and the
 * WAL is checkpointed every 10,000 pages rather than 1,000, so a page rewritten by many commits
 * is copied into the file (and fsynced) less often.
 */
export function open(options: { dataDir: string; largeCommits?: boolean }): SqliteWriterFunctions<ReadModelWriteRequest, ReadModelWriteResponse> {
  const db = openReadModelsDatabase(options.dataDir);
  if (options.largeCommits) {
    db.pragma('cache_size = -131072');
    db.pragma('wal_autocheckpoint = 10000');
  }
  const s = prepareStatements(db);

  /**
   * In the order of the documents' keys, which B-trees take much faster than random order; a
   * stable sort keeps the writes of one document in their order, so the result is the same.
   */
  const applyWrites = (writes: readonly PreparedWrite[], stored: (collection: string) => string, fresh?: ReadonlySet<PreparedWrite>) => {
    for (const write of [...writes].sort(byDocument)) {
      const collection = stored(write.collection);
      if (!fresh?.has(write)) s.deleteDocEntries.run(collection, write.id);
      if (write.op === 'delete') {
        s.deleteDoc.run(collection, write.id);
        continue;
      }
      s.putDoc.run(collection, write.id, write.json);
      for (const entry of write.indexes) s.putEntry.run(collection, entry.index, entry.score, write.id);
    }
  };

  const served = (projection: string) => Number((s.getGeneration.get(projection) as GenerationRow | undefined)?.served ?? 0);

  const commit = db.transaction((request: Extract<ReadModelWriteRequest, { kind: 'commit' }>): boolean => {
    if (s.getCheckpoint.get(request.projection) !== request.expected) return false;
    if (request.generation !== undefined && served(request.projection) !== request.generation) return false;
    const names = new Map<string, string>();
    applyWrites(request.writes, (collection) => {
      let name = names.get(collection);
      if (name === undefined) names.set(collection, (name = s.servedName.get({ collection }) as string));
      return name;
    });
    s.putCheckpoint.run(request.projection, request.next);
    return true;
  }).immediate;

  const reset = db.transaction((projection: string, collections: readonly string[]): boolean => {
    for (const collection of collections) {
      const name = s.servedName.get({ collection }) as string;
      s.deleteCollectionEntries.run(name);
      s.deleteCollectionDocs.run(name);
    }
    s.deleteCheckpoint.run(projection);
    return true;
  }).immediate;

  /** The generation row of a rebuild still current; throws when another rebuild has begun since. */
  const building = (ref: RebuildRef): GenerationRow => {
    const row = s.getGeneration.get(ref.projection) as GenerationRow | undefined;
    if (row?.building === null || row?.building === undefined || Number(row.building) !== ref.generation) throw new RebuildSuperseded(ref.projection);
    return row;
  };

  /** Supersedes any rebuild under way: from here on its commits fail. */
  const begin = db.transaction((projection: string): number => {
    const row = s.getGeneration.get(projection) as GenerationRow | undefined;
    const generation = Math.max(Number(row?.served ?? 0), Number(row?.building ?? 0)) + 1;
    s.putBuilding.run(projection, Number(row?.served ?? 0), generation);
    return generation;
  }).immediate;

  const rebuildCommit = db.transaction((request: Extract<ReadModelWriteRequest, { kind: 'rebuild-commit' }>): boolean => {
    const row = building(request);
    if ((row.building_position ?? undefined) !== request.expected) return false;
    const fresh = new Set(request.writes.filter((_, index) => request.fresh[index]));
    applyWrites(request.writes, (collection) => storedName(collection, request.generation), fresh);
    s.putBuildingPosition.run(request.next, request.projection);
    return true;
  }).immediate;

  /** Answers the names of the generation it replaced, to drop once it has committed; null when the served checkpoint is ahead. */
  const publish = db.transaction((ref: RebuildRef): string[] | null => {
    const row = building(ref);
    const position = row.building_position;
    const servedPosition = s.getCheckpoint.get(ref.projection) as bigint | undefined;
    if (servedPosition !== undefined && (position === null || servedPosition > position)) return null;
    const replaced = ref.collections.map((collection) => s.servedName.get({ collection }) as string);
    for (const collection of ref.collections) s.putServedName.run(collection, storedName(collection, ref.generation));
    s.putServed.run(ref.generation, ref.projection);
    if (position === null) s.deleteCheckpoint.run(ref.projection);
    else s.putCheckpoint.run(ref.projection, position);
    return replaced;
  }).immediate;

  const stopBuilding = db.transaction((ref: RebuildRef): boolean => {
    const row = s.getGeneration.get(ref.projection) as GenerationRow | undefined;
    if (row?.building === null || row?.building === undefined || Number(row.building) !== ref.generation) return false;
    s.putServed.run(Number(row.served), ref.projection);
    return true;
  }).immediate;

  /** Deletes one stored generation, a chunk per transaction. */
  const drop = (name: string) => {
    const chunk = db.transaction(() => s.dropEntriesChunk.run(name, name, DROP_CHUNK_ROWS).changes + s.dropDocsChunk.run(name, name, DROP_CHUNK_ROWS).changes).immediate;
    while (chunk() > 0);
  };

  /**
   * Every stored generation of the collections but the served one: what killed rebuilds,
   * discards and publishes left, the new rebuild's own included, so that it starts empty.
   */
  const dropUnserved = (collections: readonly string[]) => {
    for (const collection of collections) {
      const servedName = s.servedName.get({ collection }) as string;
      const names = s.storedNames.all({ bare: collection, from: `${collection}#`, to: `${collection}$` }) as string[];
      for (const name of names) if (name !== servedName) drop(name);
    }
  };

  const write = (request: ReadModelWriteRequest): ReadModelWriteResponse => {
    switch (request.kind) {
      case 'commit':
        return commit(request);
      case 'reset':
        return reset(request.projection, request.collections);
      case 'begin-rebuild': {
        const generation = begin(request.projection);
        dropUnserved(request.collections);
        return generation;
      }
      case 'rebuild-commit':
        return rebuildCommit(request);
      case 'publish': {
        const replaced = publish(request);
        if (replaced === null) return false;
        replaced.forEach(drop);
        return true;
      }
      case 'discard':
        if (stopBuilding(request)) request.collections.forEach((collection) => drop(storedName(collection, request.generation)));
        return true;
    }
  };

  return { write, close: () => db.close() };
}

function byDocument(a: PreparedWrite, b: PreparedWrite): number {
  return a.collection < b.collection ? -1 : a.collection > b.collection ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function prepareStatements(db: Database.Database) {
  return {
    getCheckpoint: db.prepare(CHECKPOINT_SQL).pluck().safeIntegers(true),
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
    servedName: db.prepare(`SELECT ${SERVED_NAME_SQL}`).pluck(),
    putServedName: db.prepare(
      'INSERT INTO served_collections (collection, stored_as) VALUES (?, ?) ON CONFLICT (collection) DO UPDATE SET stored_as = excluded.stored_as',
    ),
    getGeneration: db.prepare(GENERATION_SQL).safeIntegers(true),
    putBuilding: db.prepare(
      `INSERT INTO generations (projection, served, building, building_position) VALUES (?, ?, ?, NULL)
       ON CONFLICT (projection) DO UPDATE SET building = excluded.building, building_position = NULL`,
    ),
    putBuildingPosition: db.prepare('UPDATE generations SET building_position = ? WHERE projection = ?'),
    /** Also ends the rebuild: `served` is set by publish, and given back unchanged by a discard. */
    putServed: db.prepare('UPDATE generations SET served = ?, building = NULL, building_position = NULL WHERE projection = ?'),
    // The bare name and every `<collection>#<g>`: '$' follows '#', and no collection-name character lies between them.
    storedNames: db
      .prepare(
        `SELECT DISTINCT collection FROM documents WHERE collection = @bare OR (collection >= @from AND collection < @to)
         UNION SELECT DISTINCT collection FROM index_entries WHERE collection = @bare OR (collection >= @from AND collection < @to)`,
      )
      .pluck(),
    dropDocsChunk: db.prepare('DELETE FROM documents WHERE collection = ? AND id IN (SELECT id FROM documents WHERE collection = ? LIMIT ?)'),
    dropEntriesChunk: db.prepare('DELETE FROM index_entries WHERE collection = ? AND id IN (SELECT DISTINCT id FROM index_entries WHERE collection = ? LIMIT ?)'),
  };
}
