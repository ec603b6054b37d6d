import {
  ANY,
  AppendExpectedRevision,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  ReadPosition,
  ResolvedEvent,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
  excludeSystemEvents,
} from '@eventstore/db-client';
import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { EventMetadata } from '@payments/domain';
import { StoredEventRef, assertNotEmpty } from './append-checks';
import { StreamReads, appendResultOf, proposedEvents } from './eventstoredb-append';
import { AppendAnswer, answerOfError, answerOfResult, positionOf } from './eventstoredb-answers';
import { startResubscribingSubscription } from './eventstoredb-subscription';
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

/**
 * The stream whose metadata holds the store's identity. Metadata, not an event: it is written to
 * `$$store_identity-payments` as a `$metadata` system event, which readAll and subscriptions
 * leave out, so no consumer of the log ever sees it.
 */
export const STORE_IDENTITY_STREAM = 'store_identity-payments';

interface IdentityMetadata {
  [key: string]: unknown;
  payments_store_identity?: string;
}

export interface EventStoreDbOptions {
  /** EVENTSTORE_CONNECTION_STRING, e.g. `esdb://localhost:2113?tls=false`. */
  connectionString: string;
  /** How long ping() waits for the server before it fails (the readiness probe gives up after 1 s). */
  pingTimeoutMs?: number;
  /** Where resubscriptions after the server dropped a slow subscription are told; a Nest logger by default. */
  logger?: Pick<Logger, 'warn'>;
}

/** The error of a read or append still under way when close() is called, and of any call after it. */
export class EventStoreClosedError extends Error {
  constructor() {
    super('the EventStoreDB event store is closed');
    this.name = 'EventStoreClosedError';
  }
}

const DEFAULT_PING_TIMEOUT_MS = 1000;

/**
 * The adapter for EventStoreDB (and KurrentDB), which enforces expected revisions and the port's
 * idempotency promise itself (eventstoredb-append.ts says what is left to the adapter).
 *
 * Positions: EventStoreDB places an event in `$all` by {commit, prepare}; the port has one
 * bigint, and this adapter uses the commit position. An append over gRPC is written as
 * committed prepare records, one per event, and the server's $all reader places each at
 * {commit: its log position, prepare: its log position}: so the commit position alone is
 * unique per event, only grows, and is a complete place to resume from. (Only explicit
 * transactions of the legacy TCP API give several events one commit position; nothing here
 * writes them.) To continue strictly after a position p, reads and subscriptions start at
 * {commit: p, prepare: p} and drop every event at or before p: a catch-up subscription's start
 * is exclusive already, but a read's is inclusive (the reader keeps records at >= the start;
 * kurrent-io/KurrentDB#3230), and dropping covers both without relying on either. A position
 * the server leaves out (absent, 0 or its unsigned -1) is never taken for one
 * (eventstoredb-answers.ts, logPosition).
 *
 * System events (types starting with `$`: stream metadata, projection links, statistics) are
 * not part of the service's log and are left out of readAll and subscriptions.
 *
 * close() ends what is under way: subscriptions stop, and a read or an append still waiting for
 * the server fails with EventStoreClosedError (an append's outcome is then unknown) (the client's dispose alone cancels the calls silently, which
 * ends a read as if it were complete, or not at all when its call has not started).
 *
 * Positions on events read from a single stream need EventStoreDB 22.6 or later.
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly client: EventStoreDBClient;
  private readonly subscriptions = new OpenSubscriptions();
  private readonly reads = new Set<Readable>();
  private closed = false;
  /** Rejects with EventStoreClosedError on close(), for the calls that are promises rather than streams (appends). */
  private readonly closing: Promise<never>;
  private signalClosed: () => void = () => undefined;
  private readonly pingTimeoutMs: number;
  private readonly logger: Pick<Logger, 'warn'>;
  private readonly streamReads: StreamReads = {
    currentRevision: (stream) => this.currentRevision(stream),
    storedFrom: (stream, revision, count) => this.storedFrom(stream, revision, count),
  };

  constructor(options: EventStoreDbOptions) {
    this.client = EventStoreDBClient.connectionString(options.connectionString);
    this.pingTimeoutMs = options.pingTimeoutMs ?? DEFAULT_PING_TIMEOUT_MS;
    this.logger = options.logger ?? new Logger('EventStoreDbEventStore');
    this.closing = new Promise<never>((_, reject) => {
      this.signalClosed = () => reject(new EventStoreClosedError());
    });
    // Only ever awaited in a race with a call: no close() is a failure of its own.
    this.closing.catch(() => undefined);
  }

  async appendToStream(stream: string, events: EventToAppend[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    this.assertOpen();
    assertNotEmpty(stream, events);
    const proposed = proposedEvents(stream, events);
    let answer: AppendAnswer;
    try {
      const appended = this.client.appendToStream(stream, proposed, { expectedRevision: toEsdbExpectedRevision(options.expectedRevision) });
      // Its outcome is unknown once the store closes: it fails as such, never as a conflict or a result.
      answer = answerOfResult(await Promise.race([appended, this.closing]));
    } catch (error) {
      answer = answerOfError(error) ?? rethrow(error);
    }
    return appendResultOf(stream, events, options.expectedRevision, answer, this.streamReads);
  }

  async *readStream(stream: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    this.assertOpen();
    if (options.maxCount === 0) return;
    const read = this.track(this.client.readStream(stream, { fromRevision: options.fromRevision ?? START, maxCount: options.maxCount, direction: FORWARDS }));
    let finished = false;
    try {
      for await (const resolved of read) {
        if (resolved.event) yield toRecorded(resolved.event, positionOf(resolved));
      }
      finished = true;
    } catch (error) {
      finished = true;
      if (error instanceof StreamNotFoundError) return;
      throw error;
    } finally {
      this.reads.delete(read);
      // A consumer that stops early leaves the server still sending: end the call.
      if (!finished) await read.cancel();
    }
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    this.assertOpen();
    const after = options.fromPosition ?? 0n;
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    if (remaining <= 0) return;
    // No maxCount on the server read: it would count the system events that are dropped here.
    const read = this.track(this.client.readAll({ fromPosition: startAfter(after), direction: FORWARDS }));
    let finished = false;
    try {
      for await (const resolved of read) {
        const event = userEventAfter(resolved, after);
        if (!event) continue;
        yield event;
        if (--remaining === 0) return;
      }
      finished = true;
    } catch (error) {
      finished = true;
      throw error;
    } finally {
      this.reads.delete(read);
      if (!finished) await read.cancel();
    }
  }

  subscribeToAll(options: SubscribeToAllOptions): Subscription {
    this.assertOpen();
    return this.subscriptions.track(
      startResubscribingSubscription(options, {
        open: (after) => this.client.subscribeToAll({ fromPosition: startAfter(after), filter: excludeSystemEvents() }),
        toEvent: userEventAfter,
        warn: (message) => this.logger.warn(message),
      }),
    );
  }

  /**
   * Read from the identity stream's metadata; the first caller on a server without one writes it
   * with expected revision no_stream, so racing processes agree on the first writer's.
   */
  async identity(): Promise<string> {
    this.assertOpen();
    const stored = await this.storedIdentity();
    if (stored !== undefined) return stored;
    try {
      await this.client.setStreamMetadata<IdentityMetadata>(STORE_IDENTITY_STREAM, { payments_store_identity: randomUUID() }, { expectedRevision: NO_STREAM });
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
    }
    const written = await this.storedIdentity();
    if (written === undefined) throw new Error(`the metadata of ${STORE_IDENTITY_STREAM} holds no payments_store_identity`);
    return written;
  }

  private async storedIdentity(): Promise<string | undefined> {
    const { metadata } = await this.client.getStreamMetadata<IdentityMetadata>(STORE_IDENTITY_STREAM);
    const identity = metadata?.payments_store_identity;
    return typeof identity === 'string' ? identity : undefined;
  }

  /**
   * Reads the last event of the identity stream, a user stream this service reads anyway (the
   * stream holds no events, so the answer is "not found"): reading `$all` would need an admin.
   * The client gives reads no deadline, so the read is ended here after pingTimeoutMs.
   */
  async ping(): Promise<void> {
    this.assertOpen();
    const read = this.track(this.client.readStream(STORE_IDENTITY_STREAM, { fromRevision: END, direction: BACKWARDS, maxCount: 1 }));
    const timer = setTimeout(() => read.destroy(new Error(`EventStoreDB did not answer within ${this.pingTimeoutMs} ms`)), this.pingTimeoutMs);
    try {
      for await (const _ of read) break;
    } catch (error) {
      if (!(error instanceof StreamNotFoundError)) throw error;
    } finally {
      clearTimeout(timer);
      this.reads.delete(read);
      // Not awaited: a call that never started would keep ping waiting; dispose() ends it anyway.
      read.cancel().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.signalClosed();
    for (const read of this.reads) read.destroy(new EventStoreClosedError());
    this.reads.clear();
    await this.subscriptions.stopAll();
    await this.client.dispose();
  }

  private assertOpen(): void {
    if (this.closed) throw new EventStoreClosedError();
  }

  /** Keeps a read until it ends, so that close() can end it. */
  private track<T extends Readable>(read: T): T {
    this.reads.add(read);
    return read;
  }

  private async currentRevision(stream: string): Promise<bigint> {
    const [last] = await this.readResolved(stream, { fromRevision: END, direction: BACKWARDS, maxCount: 1 });
    return last?.event?.revision ?? -1n;
  }

  private async storedFrom(stream: string, revision: bigint, count: number): Promise<StoredEventRef[]> {
    const resolved = await this.readResolved(stream, { fromRevision: revision, direction: FORWARDS, maxCount: count });
    return resolved.flatMap((each) => (each.event ? [{ id: each.event.id, revision: each.event.revision, position: positionOf(each) }] : []));
  }

  private async readResolved(stream: string, options: Parameters<EventStoreDBClient['readStream']>[1]): Promise<ResolvedEvent[]> {
    this.assertOpen();
    const read = this.track(this.client.readStream(stream, options));
    const resolved: ResolvedEvent[] = [];
    try {
      for await (const each of read) resolved.push(each);
    } catch (error) {
      if (!(error instanceof StreamNotFoundError)) throw error;
    } finally {
      this.reads.delete(read);
    }
    return resolved;
  }
}

function rethrow(error: unknown): never {
  throw error;
}

function toEsdbExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      return expected;
  }
}

/** Where a read or subscription must start to see every event after `position` (see the class comment). */
function startAfter(position: bigint): ReadPosition {
  return position === 0n ? START : { commit: position, prepare: position };
}

/** The event as the port sees it, or undefined for a system event or one at or before `after`. */
function userEventAfter(resolved: ResolvedEvent, after: bigint): RecordedEvent | undefined {
  if (!resolved.event || resolved.event.type.startsWith('$')) return undefined;
  const position = positionOf(resolved);
  return position > after ? toRecorded(resolved.event, position) : undefined;
}

function toRecorded(event: NonNullable<ResolvedEvent['event']>, position: bigint): RecordedEvent {
  return {
    id: event.id,
    streamId: event.streamId,
    type: event.type,
    revision: event.revision,
    position,
    data: event.data,
    metadata: event.metadata as EventMetadata,
    createdAt: event.created,
  };
}
