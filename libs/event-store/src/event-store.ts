import { EventMetadata } from '@payments/domain';

/** Revisions start at 0n. 'no_stream': the stream must not exist; 'stream_exists': it must. */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;

/**
 * An event ready to be appended. `id` is a UUID, new for a new event; an append that may be
 * repeated (a command re-run after a lost acknowledgement) derives its ids deterministically,
 * so that the repeat is recognised (see EventStore.appendToStream).
 *
 * `data` and `metadata` are stored as JSON, by every adapter alike: they read back as
 * JSON.parse(JSON.stringify(value)) (a Date as its ISO string, an undefined field dropped,
 * undefined `data` as null), and a value JSON cannot hold (a bigint, a cycle) fails the append
 * before any of its events is written (append-checks.ts, serializeEvents).
 */
export interface EventToAppend {
  id: string;
  type: string;
  data: unknown;
  metadata: EventMetadata;
}

export interface RecordedEvent {
  id: string;
  streamId: string;
  type: string;
  /** Position of the event within its stream, from 0n. */
  revision: bigint;
  /** Position of the event in the global log: only grows, unique per event. */
  position: bigint;
  data: unknown;
  metadata: EventMetadata;
  createdAt: Date;
}

export interface AppendResult {
  /** Revision of the last event in the stream after the append. */
  nextRevision: bigint;
  /** Global position of the last event appended (or found, for a repeated append). */
  position: bigint;
}

export interface ReadStreamOptions {
  fromRevision?: bigint;
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. Omitted: from the start. */
  fromPosition?: bigint;
  maxCount?: number;
}

export interface SubscribeToAllOptions {
  /** Exclusive: deliver events strictly after this position. Omitted: from the start. */
  fromPosition?: bigint;
  /** Called once per event, in global order; the next event waits for the returned promise. */
  onEvent(event: RecordedEvent): void | Promise<void>;
  /** Called when the subscription stops because onEvent threw or the store failed. */
  onError?(error: unknown): void;
}

export interface Subscription {
  /**
   * Resolves when no more events will be delivered, which includes waiting for an onEvent in
   * progress; so from inside onEvent, call it without awaiting it.
   */
  stop(): Promise<void>;
}

export interface EventStore {
  /**
   * Appends the events at once (all or none), after checking the expected revision; a conflict
   * is a WrongExpectedRevision carrying the stream's actual revision.
   *
   * Idempotency, the one promise about event ids that every adapter keeps (memory, sqlite,
   * postgres, eventstoredb): an append with an exact expected revision (a revision r, or
   * 'no_stream' standing for r = -1) whose event ids are, in order, the ids of the events the
   * stream already holds at revisions r+1, r+2, ... is a retry of an append that was written: it
   * writes nothing and answers as that append did (nextRevision: the last of those events,
   * position: its position), however long ago it was written and however much the stream has
   * grown since. When the stream has grown past r and the events after r are not the batch (or
   * only some of it), the append fails with WrongExpectedRevision like any other conflict. This
   * is what callers rely on: appendDecided derives event ids from the command id and the loaded
   * revision, and bindToken from the token, so a command re-run (or an append re-sent) after a
   * lost acknowledgement appends nothing new.
   *
   * Nothing else about repeated ids is promised, so do not rely on it:
   * - with 'any' or 'stream_exists', a repeated batch may be written again: EventStoreDB drops a
   *   repeat only while the first write is in its recent-write cache (and then fails a batch
   *   whose first ids are stored and later ones new); the other adapters recognise a full repeat
   *   and refuse a batch mixing stored and new ids;
   * - an append whose expected revision matches the stream's current one is not checked for ids
   *   the stream holds at earlier revisions: EventStoreDB stores a second event with that id,
   *   the others refuse it or answer with the stored events' result.
   * Use an exact expected revision for any append that must not be written twice, and a new id
   * for every new event. (append-checks.ts: resultOfRetry is the promise, shared by the adapters
   * that check it themselves.)
   */
  appendToStream(stream: string, events: EventToAppend[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult>;
  /** Events of one stream in revision order; a stream that does not exist reads as empty. */
  readStream(stream: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent>;
  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent>;
  subscribeToAll(options: SubscribeToAllOptions): Subscription;
  /**
   * The store's identity: made once, when the store itself is created, and the same for every
   * process and every reopening of it afterwards. Read models record the identity of the store
   * they follow, so checkpoints of another store (a fresh DATA_DIR beside an old Redis) are
   * found at start instead of silently skipping the new store's events.
   */
  identity(): Promise<string>;
  /** Throws when the store cannot be reached (readiness probe). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The typed optimistic-concurrency failure: the API maps it to 409 or retries where allowed. */
export class WrongExpectedRevision extends Error {
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    readonly actual: bigint | 'no_stream',
  ) {
    super(`wrong expected revision on ${stream}: expected ${String(expected)}, actual ${String(actual)}`);
    this.name = 'WrongExpectedRevision';
  }
}

/** Checks an expected revision against the stream's current one (-1n when it does not exist). */
export function revisionMatches(expected: ExpectedRevision, current: bigint): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return current === -1n;
  if (expected === 'stream_exists') return current >= 0n;
  return expected === current;
}

export async function readStreamToArray(store: EventStore, stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const event of store.readStream(stream, options)) events.push(event);
  return events;
}
