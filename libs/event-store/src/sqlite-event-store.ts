import Database from 'better-sqlite3';
import { AppendSignal } from './append-signal';
import { join } from 'node:path';
import { assertNotEmpty, serializeEvents } from './append-checks';
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
  WrongExpectedRevision,
} from './event-store';
import { OpenSubscriptions } from './open-subscriptions';
import type { AppendOutcome, AppendRequest } from './sqlite-append-writer';
import { EVENT_COLUMNS, EventRow, eventFromRow, openEventsDatabase, openEventsDatabaseReadOnly, storeIdentityOf } from './sqlite-events-database';
import { SqliteWriter, errorFrom, openSqliteWriter } from './sqlite-writer-thread';

export interface SqliteEventStoreOptions {
  /** The store is `<dataDir>/events.db`; the directory is created when missing. */
  dataDir: string;
  /** How often a caught-up subscription re-reads the file to see appends of other processes. */
  pollIntervalMs?: number;
  /** How long an append waits for another process's write lock before it fails with SQLITE_BUSY. Default 5000. */
  busyTimeoutMs?: number;
  /** Opens an existing file for reads alone (see openEventsDatabaseReadOnly); appends fail. */
  readOnly?: boolean;
}

interface PendingAppend {
  request: AppendRequest;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

const READ_PAGE_SIZE = 500;

/** Where the writer module runs, resolved in the writer thread (.ts from source, .js once built). */
const APPEND_WRITER = join(__dirname, 'sqlite-append-writer');

/**
 * The default adapter: one SQLite file, safe to share between processes on one machine.
 * Appends run in `BEGIN IMMEDIATE` transactions that take the write lock before reading a
 * stream's revision, so the revision check and the write see the same state even when another
 * process writes to the file. Nothing about a stream is cached for the same reason.
 *
 * The appends run in the SQLite writer thread (sqlite-append-writer.ts), so that their commits
 * and fsyncs do not stop this thread; reads run here, on a connection of their own. Group
 * commit: the appends requested while a commit is under way share the next transaction, so one
 * fsync (synchronous=FULL) covers them all; when none is under way, the appends requested by the
 * same task (before its microtasks run out) go at once, together. Waiting a turn of the event
 * loop to gather more would cost every append that turn, which under load is milliseconds. No
 * append is acknowledged before its COMMIT has returned.
 *
 * While another process holds the lock, a commit waits for it (busy_timeout) in the writer thread.
 */
export class SqliteEventStore implements EventStore, PagedLog {
  readonly appends = new AppendSignal();
  readonly pollIntervalMs: number;
  private readonly db: Database.Database;
  private readonly writer: SqliteWriter<AppendRequest[], AppendOutcome[]> | undefined;
  private readonly subscriptions = new OpenSubscriptions();
  private readonly statements: ReturnType<typeof prepareStatements>;
  private pending: PendingAppend[] = [];
  private commitScheduled = false;
  private committing: Promise<void> | undefined;

  constructor(options: SqliteEventStoreOptions) {
    this.pollIntervalMs = options.pollIntervalMs ?? 200;
    // Opened here first, so the file and its schema exist before the writer opens it.
    this.db = options.readOnly ? openEventsDatabaseReadOnly(options.dataDir) : openEventsDatabase(options.dataDir);
    this.statements = prepareStatements(this.db);
    this.writer = options.readOnly ? undefined : openSqliteWriter(APPEND_WRITER, { dataDir: options.dataDir, busyTimeoutMs: options.busyTimeoutMs });
  }

  async appendToStream(stream: string, events: EventToAppend[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    assertNotEmpty(stream, events);
    if (this.writer === undefined) throw new Error('the events file was opened read-only');
    // Serialised before the commit: a value JSON cannot hold fails the append before any of its events is written.
    const serialized = serializeEvents(stream, events);
    return new Promise((resolve, reject) => {
      this.pending.push({ request: { stream, expected: options.expectedRevision, events: serialized }, resolve, reject });
      if (this.committing === undefined && !this.commitScheduled) {
        this.commitScheduled = true;
        queueMicrotask(() => {
          this.commitScheduled = false;
          this.commitPending();
        });
      }
    });
  }

  /** Sends what is pending as one commit, unless one is under way: then its end sends them. */
  private commitPending(): void {
    if (this.committing !== undefined || this.pending.length === 0 || this.writer === undefined) return;
    const appends = this.pending;
    this.pending = [];
    this.committing = this.writer
      .write(appends.map(({ request }) => request))
      .then(
        (outcomes) => {
          this.appends.notify();
          outcomes.forEach((outcome, index) => settle(appends[index], outcome));
        },
        // The commit itself failed (disk, lock timeout, closed store): none of them happened.
        (error) => appends.forEach((append) => append.reject(error)),
      )
      .finally(() => {
        this.committing = undefined;
        this.commitPending();
      });
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

  async identity(): Promise<string> {
    return storeIdentityOf(this.db);
  }

  async ping(): Promise<void> {
    this.statements.ping.get();
  }

  /** Commits the appends already requested, then closes both connections. */
  async close(): Promise<void> {
    await this.subscriptions.stopAll();
    while (this.committing !== undefined || this.pending.length > 0) {
      this.commitPending();
      await this.committing;
    }
    try {
      await this.writer?.close();
    } finally {
      if (this.db.open) this.db.close();
    }
  }
}

function prepareStatements(db: Database.Database) {
  return {
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

function settle(append: PendingAppend, outcome: AppendOutcome): void {
  if ('result' in outcome) append.resolve(outcome.result);
  else if ('conflict' in outcome) append.reject(new WrongExpectedRevision(append.request.stream, outcome.conflict.expected, outcome.conflict.actual));
  else append.reject(errorFrom(outcome.error));
}
