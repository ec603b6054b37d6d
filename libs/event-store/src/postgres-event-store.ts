import { setMaxListeners } from 'node:events';
import { Logger } from '@nestjs/common';
import { Pool } from 'pg';
import { EventMetadata } from '@payments/domain';
import { AppendSignal } from './append-signal';
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
} from './event-store';
import { OpenSubscriptions } from './open-subscriptions';
import { appendEvents } from './postgres-append';
import { PostgresAppendListener } from './postgres-append-listener';
import { PostgresLogger, describeError, isTransient } from './postgres-errors';
import { EVENT_STORE_COMPONENT, EVENT_STORE_MIGRATIONS } from './postgres-event-store-schema';
import { migrate } from './postgres-migrations';

export interface PostgresEventStoreOptions {
  /** The process's pool (POSTGRES_URL), shared with the other adapters on PostgreSQL; its owner ends it. */
  pool: Pool;
  /** How often a caught-up subscription reads again without a notification (one lost while not listening). Default 500. */
  pollIntervalMs?: number;
  /** How many times in a row a subscription's read is tried again after the server failed, before onError. Default 10 (about 30 s). */
  readRetries?: number;
  /** How long ping() waits for an answer. Default 2000. */
  pingTimeoutMs?: number;
  logger?: PostgresLogger;
}

const PAGE_SIZE = 500;
const FIRST_RETRY_MS = 100;
const LONGEST_RETRY_MS = 5_000;

/** Bigints as text, whatever type parsers the pool's owner set; so order by the table's columns, not these aliases. */
const EVENT_COLUMNS = 'position::text AS position, stream_id, revision::text AS revision, event_id::text AS event_id, type, data, metadata, created_at';

interface EventRow {
  position: string;
  stream_id: string;
  revision: string;
  event_id: string;
  type: string;
  data: unknown;
  metadata: EventMetadata;
  created_at: Date;
}

/**
 * The adapter for PostgreSQL: one events table shared by every process of a deployment, with
 * positions drawn in commit order (postgres-append.ts says how and why), so readers and
 * subscriptions resume strictly after a position without ever skipping a late commit.
 *
 * The schema is brought up to date by migrations at first use, by whichever process comes
 * first. Subscriptions catch up by pages, then wake on the NOTIFY of every append (any process's)
 * and poll as well; a read that fails because the server is away is tried again a bounded number
 * of times, each logged, before the subscription reports to onError.
 *
 * close() stops the subscriptions and the listening connection and fails the reads under way at
 * once, but leaves the pool to its owner (infrastructure.module.ts ends it last), and lets
 * appends under way finish there: their callers learn how they ended.
 */
export class PostgresEventStore implements EventStore, PagedLog {
  readonly appends = new AppendSignal();
  readonly pollIntervalMs: number;
  private readonly pool: Pool;
  private readonly readRetries: number;
  private readonly pingTimeoutMs: number;
  private readonly logger: PostgresLogger;
  private readonly subscriptions = new OpenSubscriptions();
  private readonly listener: PostgresAppendListener;
  /** Every read under way listens to it, as many at once as requests read: no listener limit. */
  private readonly closing = unlimitedAbortController();
  private migrated: Promise<void> | undefined;
  private storeIdentity: Promise<string> | undefined;

  constructor(options: PostgresEventStoreOptions) {
    this.pool = options.pool;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.readRetries = options.readRetries ?? 10;
    this.pingTimeoutMs = options.pingTimeoutMs ?? 2_000;
    this.logger = options.logger ?? new Logger('PostgresEventStore');
    this.listener = new PostgresAppendListener(this.pool, this.appends, this.logger);
  }

  async appendToStream(stream: string, events: EventToAppend[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    assertNotEmpty(stream, events);
    const serialized = serializeEvents(stream, events);
    await this.ready();
    const result = await appendEvents(this.pool, stream, serialized, options.expectedRevision);
    this.appends.notify();
    return result;
  }

  async *readStream(stream: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    let fromRevision = options.fromRevision ?? 0n;
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    while (remaining > 0) {
      const limit = Math.min(PAGE_SIZE, remaining);
      const page = await this.readEvents(`SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = $1 AND revision >= $2 ORDER BY events.revision LIMIT $3`, [
        stream,
        String(fromRevision),
        limit,
      ]);
      for (const event of page) yield event;
      if (page.length < limit) return;
      remaining -= page.length;
      fromRevision = page[page.length - 1].revision + 1n;
    }
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    let after = options.fromPosition ?? 0n;
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    while (remaining > 0) {
      const limit = Math.min(PAGE_SIZE, remaining);
      const page = await this.readPageAfter(after, limit);
      for (const event of page) yield event;
      if (page.length < limit) return;
      remaining -= page.length;
      after = page[page.length - 1].position;
    }
  }

  /**
   * A subscription's page: a failure of the connection or the server is tried again, with
   * growing pauses, up to readRetries times in a row; any other failure, or the last, ends the
   * subscription through onError. Once the subscription stops, it answers with no events at once.
   */
  async readAllPage(afterPosition: bigint, limit: number, stopping: AbortSignal): Promise<RecordedEvent[]> {
    for (let failures = 0; ; ) {
      try {
        return await untilAborted(this.readPageAfter(afterPosition, limit), stopping);
      } catch (error) {
        if (stopping.aborted) return [];
        if (!isTransient(error) || failures >= this.readRetries) throw error;
        failures++;
        const delay = Math.min(FIRST_RETRY_MS * 2 ** (failures - 1), LONGEST_RETRY_MS);
        this.logger.warn(`a subscription could not read the events after position ${afterPosition} (${describeError(error)}); try ${failures} of ${this.readRetries} again in ${delay} ms`);
        await pause(delay, stopping);
      }
    }
  }

  private readPageAfter(afterPosition: bigint, limit: number): Promise<RecordedEvent[]> {
    return this.readEvents(`SELECT ${EVENT_COLUMNS} FROM events WHERE position > $1 ORDER BY events.position LIMIT $2`, [String(afterPosition), limit]);
  }

  subscribeToAll(options: SubscribeToAllOptions): Subscription {
    if (this.closing.signal.aborted) throw closedError();
    this.listener.start();
    return this.subscriptions.track(startCatchUpSubscription(this, options));
  }

  /** Made once per database by the first migration; read once per store. */
  identity(): Promise<string> {
    this.storeIdentity ??= this.query<{ identity: string }>('SELECT identity::text AS identity FROM event_store_identity').then(
      ({ rows }) => {
        if (rows.length !== 1) throw new Error('the event_store_identity table holds no identity: the event store schema was altered by hand');
        return rows[0].identity;
      },
      (error: unknown) => {
        this.storeIdentity = undefined;
        throw error;
      },
    );
    return this.storeIdentity;
  }

  /** Reaches the server and the events table within pingTimeoutMs, or throws. */
  async ping(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`PostgreSQL did not answer within ${this.pingTimeoutMs} ms`)), this.pingTimeoutMs);
    });
    try {
      await Promise.race([this.query('SELECT 1 FROM events LIMIT 1'), deadline]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.closing.abort();
    this.listener.stop();
    await this.subscriptions.stopAll();
  }

  /** Migrates the schema at first use; a failed start (the server away) is tried again by the next call. */
  private ready(): Promise<void> {
    this.migrated ??= migrate(this.pool, EVENT_STORE_COMPONENT, EVENT_STORE_MIGRATIONS).catch((error: unknown) => {
      this.migrated = undefined;
      throw error;
    });
    return untilAborted(this.migrated, this.closing.signal);
  }

  private async readEvents(text: string, values: unknown[]): Promise<RecordedEvent[]> {
    const { rows } = await this.query<EventRow>(text, values);
    return rows.map(eventFromRow);
  }

  /** A read, after the migrations; once the store is closing it fails at once rather than waiting on the server. */
  private async query<Row extends object>(text: string, values?: unknown[]) {
    if (this.closing.signal.aborted) throw closedError();
    await this.ready();
    return untilAborted(this.pool.query<Row>(text, values), this.closing.signal);
  }
}

function eventFromRow(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    streamId: row.stream_id,
    type: row.type,
    revision: BigInt(row.revision),
    position: BigInt(row.position),
    data: row.data,
    metadata: row.metadata,
    createdAt: row.created_at,
  };
}

function unlimitedAbortController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}

function closedError(): Error {
  return new Error('the postgres event store is closed');
}

/** The work's outcome, or a rejection as soon as the signal fires (the work itself runs on, unobserved). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(closedError());
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(closedError());
    signal.addEventListener('abort', abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
