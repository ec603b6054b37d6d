import Database from 'better-sqlite3';
import { assertExpectedRevision, resultOfRetry, resultOfStoredIds, StoredEventRef } from './append-checks';
import { AppendResult, ExpectedRevision, WrongExpectedRevision } from './event-store';
import { openEventsDatabase } from './sqlite-events-database';
import { SqliteWriterFunctions, WriterFailure, failureOf } from './sqlite-writer-thread';

/**
 * The sqlite event store's writes, run in the SQLite writer thread (sqlite-writer-thread.ts) on a
 * connection of their own. One write is a group commit: the appends requested while the previous
 * commit ran share one `BEGIN IMMEDIATE` transaction, so one fsync covers them all. Each runs in
 * its own savepoint, in the order requested, so each is atomic and checked against the revision
 * the ones before it left; a refused append rolls back alone.
 */

/** One append, its events already serialised. */
export interface AppendRequest {
  stream: string;
  expected: ExpectedRevision;
  events: { id: string; type: string; data: string; metadata: string }[];
}

export type AppendOutcome =
  | { result: AppendResult }
  | { conflict: { expected: ExpectedRevision; actual: bigint | 'no_stream' } }
  | { error: WriterFailure };

export function open(options: { dataDir: string; busyTimeoutMs?: number }): SqliteWriterFunctions<AppendRequest[], AppendOutcome[]> {
  const db = openEventsDatabase(options.dataDir, options.busyTimeoutMs);
  const statements = prepareStatements(db);

  const toRef = (row: StoredRow): StoredEventRef => ({ id: row.event_id, revision: BigInt(row.revision), position: BigInt(row.position) });

  const append = ({ stream, expected, events }: AppendRequest): AppendResult => {
    const currentRevision = BigInt(statements.currentRevision.get(stream) ?? -1);
    const retry = resultOfRetry(stream, events, expected, currentRevision, (from, count) => statements.storedFrom.all(stream, from, count).map(toRef));
    if (retry) return retry;
    assertExpectedRevision(stream, expected, currentRevision);
    const repeated = resultOfStoredIds(stream, events, expected, currentRevision, (id) => {
      const row = statements.findStored.get(stream, id);
      return row && toRef(row);
    });
    if (repeated) return repeated;
    const createdAt = Date.now();
    let revision = currentRevision;
    let position = 0n;
    for (const event of events) {
      revision++;
      position = BigInt(statements.insert.run(stream, revision, event.id, event.type, event.data, event.metadata, createdAt).lastInsertRowid);
    }
    return { nextRevision: revision, position };
  };

  // Called inside the outer transaction, a better-sqlite3 transaction function is a savepoint.
  const appendInSavepoint = db.transaction(append);
  const commit = db.transaction((appends: AppendRequest[]) =>
    appends.map((request): AppendOutcome => {
      try {
        return { result: appendInSavepoint(request) };
      } catch (error) {
        // Some errors (disk full, I/O) make SQLite roll back the whole transaction: then none of the batch is written.
        if (!db.inTransaction) throw error;
        if (error instanceof WrongExpectedRevision) return { conflict: { expected: error.expected, actual: error.actual } };
        return { error: failureOf(error) };
      }
    }),
  ).immediate;

  return {
    write: commit,
    close: () => db.close(),
  };
}

interface StoredRow {
  event_id: string;
  revision: number;
  position: number;
}

function prepareStatements(db: Database.Database) {
  return {
    currentRevision: db.prepare<[string], number>('SELECT revision FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1').pluck(),
    findStored: db.prepare<[string, string], StoredRow>('SELECT event_id, revision, position FROM events WHERE stream_id = ? AND event_id = ?'),
    storedFrom: db.prepare<[string, bigint, number], StoredRow>(
      'SELECT event_id, revision, position FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?',
    ),
    insert: db.prepare<[string, bigint, string, string, string, string, number]>(
      'INSERT INTO events (stream_id, revision, event_id, type, data, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
  };
}
