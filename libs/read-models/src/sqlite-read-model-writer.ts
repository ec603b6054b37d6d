import Database from 'better-sqlite3';
import type { SqliteWriterFunctions } from '@payments/event-store';
import type { PreparedWrite } from './prepared-writes';
import { CHECKPOINT_SQL, openReadModelsDatabase } from './sqlite-read-models-database';

/**
 * The sqlite read-model store's writes, run in the SQLite writer thread on a connection of
 * their own. Each runs in BEGIN IMMEDIATE: the write lock is held from the checkpoint read to
 * the update, so two processes sharing the file cannot both win a compare-and-set.
 */

export type ReadModelWriteRequest =
  | { kind: 'commit'; projection: string; expected: bigint | undefined; next: bigint; writes: PreparedWrite[] }
  | { kind: 'reset'; projection: string; collections: readonly string[] };

/** A commit answers whether its compare-and-set won; a reset answers true. */
export function open(options: { dataDir: string }): SqliteWriterFunctions<ReadModelWriteRequest, boolean> {
  const db = openReadModelsDatabase(options.dataDir);
  const s = prepareStatements(db);

  const commit = db.transaction((projection: string, expected: bigint | undefined, next: bigint, writes: PreparedWrite[]): boolean => {
    if (s.getCheckpoint.get(projection) !== expected) return false;
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
  }).immediate;

  const reset = db.transaction((projection: string, collections: readonly string[]): boolean => {
    for (const collection of collections) {
      s.deleteCollectionEntries.run(collection);
      s.deleteCollectionDocs.run(collection);
    }
    s.deleteCheckpoint.run(projection);
    return true;
  }).immediate;

  return {
    write: (request) =>
      request.kind === 'commit' ? commit(request.projection, request.expected, request.next, request.writes) : reset(request.projection, request.collections),
    close: () => db.close(),
  };
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
  };
}
