import Database from 'better-sqlite3';
import { AppendSignal } from './append-signal';
import { assertExpectedRevision, assertNotEmpty, resultOfRepeatedAppend, StoredEventRef } from './append-checks';
import { PagedLog, startCatchUpSubscription } from './catch-up-subscription';
import {
  AppendResult,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeToAllOptions,
  Subscription,
} from './event-store';
import { OpenSubscriptions } from './open-subscriptions';
import { EVENT_COLUMNS, EventRow, eventFromRow, openEventsDatabase } from './sqlite-events-database';

export interface SqliteEventStoreOptions {
  /** The store is `<dataDir>/events.db`; the directory is created when missing. */
  dataDir: string;
  /** How often a caught-up subscription re-reads the file to see appends of other processes. */
  pollIntervalMs?: number;
}

interface SerializedEvent {
  data: string;
  metadata: string;
}

interface PendingAppend {
  stream: string;
  events: EventToAppend[];
  serialized: SerializedEvent[];
  expected: ExpectedRevision;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

type AppendOutcome = { result: AppendResult } | { error: unknown };

const READ_PAGE_SIZE = 500;

/**
 * The default adapter: one SQLite file, safe to share between processes on one machine.
 * Appends run in `BEGIN IMMEDIATE` transactions that take the write lock before reading a
 * stream's revision, so the revision check and the write see the same state even when another
 * process writes to the file. Nothing about a stream is cached for the same reason.
 *
 * Group commit: the appends requested during one turn of the event loop share one transaction,
 * so one fsync (synchronous=FULL) covers them all. Each runs in its own savepoint, in the order
 * requested, so each is atomic and checked against the revision the ones before it left; a
 * refused append rolls back alone. No append is acknowledged before the shared COMMIT.
 *
 * While another process holds the lock, a commit waits for it (busy_timeout) synchronously,
 * blocking this process's event loop: better-sqlite3 has no asynchronous calls.
 */
export class SqliteEventStore implements EventStore, PagedLog {
  readonly appends = new AppendSignal();
  readonly pollIntervalMs: number;
  private readonly db: Database.Database;
  private readonly subscriptions = new OpenSubscriptions();
  private readonly statements: ReturnType<typeof prepareStatements>;
  private readonly commitAppends: (appends: PendingAppend[]) => AppendOutcome[];
  private pending: PendingAppend[] = [];

  constructor(options: SqliteEventStoreOptions) {
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
    this.db = openEventsDatabase(options.dataDir);
    this.statements = prepareStatements(this.db);
    // Called inside the outer transaction, a better-sqlite3 transaction function is a savepoint.
    const appendInSavepoint = this.db.transaction(this.write.bind(this));
    this.commitAppends = this.db.transaction((appends: PendingAppend[]) =>
      appends.map(({ stream, events, serialized, expected }): AppendOutcome => {
        try {
          return { result: appendInSavepoint(stream, events, serialized, expected) };
        } catch (error) {
          return { error };
        }
      }),
    ).immediate;
  }

  async appendToStream(stream: string, events: EventToAppend[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    assertNotEmpty(stream, events);
    // Serialised before the transaction: the write lock is held for less time, and a value
    // JSON cannot hold fails the append before any of its events is written.
    const serialized = events.map((event) => ({ data: JSON.stringify(event.data) ?? 'null', metadata: JSON.stringify(event.metadata) }));
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => this.commitPending());
      this.pending.push({ stream, events, serialized, expected: options.expectedRevision, resolve, reject });
    });
  }

  private commitPending(): void {
    const appends = this.pending;
    this.pending = [];
    let outcomes: AppendOutcome[];
    try {
      outcomes = this.commitAppends(appends);
    } catch (error) {
      // The commit itself failed (disk, lock timeout, closed store): none of them happened.
      for (const append of appends) append.reject(error);
      return;
    }
    this.appends.notify();
    outcomes.forEach((outcome, index) => ('result' in outcome ? appends[index].resolve(outcome.result) : appends[index].reject(outcome.error)));
  }

  private write(stream: string, events: EventToAppend[], serialized: SerializedEvent[], expected: ExpectedRevision): AppendResult {
    const currentRevision = BigInt(this.statements.currentRevision.get(stream) ?? -1);
    const repeated = resultOfRepeatedAppend(stream, events, expected, currentRevision, (id) => this.findStored(stream, id));
    if (repeated) return repeated;
    assertExpectedRevision(stream, expected, currentRevision);
    const createdAt = Date.now();
    let revision = currentRevision;
    let position = 0n;
    events.forEach((event, index) => {
      revision++;
      const { data, metadata } = serialized[index];
      position = BigInt(this.statements.insert.run(stream, revision, event.id, event.type, data, metadata, createdAt).lastInsertRowid);
    });
    return { nextRevision: revision, position };
  }

  private findStored(stream: string, eventId: string): StoredEventRef | undefined {
    const row = this.statements.findStored.get(stream, eventId);
    return row && { revision: BigInt(row.revision), position: BigInt(row.position) };
  }

  readStream(stream: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    const fromRevision = options.fromRevision ?? 0n;
    return readInPages(
      (previous, limit) => this.statements.streamPage.all(stream, previous ? previous.revision + 1n : fromRevision, limit).map(eventFromRow),
      options.maxCount,
    );
  }

  readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    const fromPosition = options.fromPosition ?? 0n;
    return readInPages((previous, limit) => this.readAllPage(previous ? previous.position : fromPosition, limit), options.maxCount);
  }

  readAllPage(afterPosition: bigint, limit: number): RecordedEvent[] {
    return this.statements.allPage.all(afterPosition, limit).map(eventFromRow);
  }

  subscribeToAll(options: SubscribeToAllOptions): Subscription {
    return this.subscriptions.track(startCatchUpSubscription(this, options));
  }

  async ping(): Promise<void> {
    this.statements.ping.get();
  }

  async close(): Promise<void> {
    await this.subscriptions.stopAll();
    if (this.db.open) this.db.close();
  }
}

function prepareStatements(db: Database.Database) {
  return {
    currentRevision: db.prepare<[string], number>('SELECT revision FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1').pluck(),
    findStored: db.prepare<[string, string], { revision: number; position: number }>(
      'SELECT revision, position FROM events WHERE stream_id = ? AND event_id = ?',
    ),
    insert: db.prepare<[string, bigint, string, string, string, string, number]>(
      'INSERT INTO events (stream_id, revision, event_id, type, data, metadata, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    streamPage: db.prepare<[string, bigint, number], EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?`,
    ),
    allPage: db.prepare<[bigint, number], EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position LIMIT ?`),
    ping: db.prepare('SELECT 1').pluck(),
  };
}

/**
 * Yields up to maxCount events a page at a time. Each page is read whole with `.all()`, because
 * a better-sqlite3 connection cannot write while an `.iterate()` cursor is open, and a consumer
 * may well append between two events it reads.
 */
async function* readInPages(
  readPage: (previous: RecordedEvent | undefined, limit: number) => RecordedEvent[],
  maxCount = Number.POSITIVE_INFINITY,
): AsyncIterable<RecordedEvent> {
  let remaining = maxCount;
  let previous: RecordedEvent | undefined;
  while (remaining > 0) {
    const limit = Math.min(READ_PAGE_SIZE, remaining);
    const page = readPage(previous, limit);
    for (const event of page) yield event;
    if (page.length < limit) return;
    remaining -= page.length;
    previous = page[page.length - 1];
  }
}
