import {
  ANY,
  AppendExpectedRevision,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  JSONType,
  NO_STREAM,
  ReadPosition,
  ResolvedEvent,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
  excludeSystemEvents,
  jsonEvent,
} from '@eventstore/db-client';
import { randomUUID } from 'node:crypto';
import { EventMetadata } from '@payments/domain';
import { assertNotEmpty } from './append-checks';
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
import { OpenSubscriptions, reportDeliveryFailure } from './open-subscriptions';

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
}

/**
 * The adapter for EventStoreDB (and KurrentDB), which enforces expected revisions and
 * idempotent event ids itself.
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
 * kurrent-io/KurrentDB#3230), and dropping covers both without relying on either.
 *
 * System events (types starting with `$`: stream metadata, projection links, statistics) are
 * not part of the service's log and are left out of readAll and subscriptions.
 *
 * Positions on events read from a single stream need EventStoreDB 22.6 or later.
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly client: EventStoreDBClient;
  private readonly subscriptions = new OpenSubscriptions();

  constructor(options: EventStoreDbOptions) {
    this.client = EventStoreDBClient.connectionString(options.connectionString);
  }

  async appendToStream(stream: string, events: EventToAppend[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    assertNotEmpty(stream, events);
    // The client serialises each event while it streams the batch to the server; a value JSON
    // cannot hold must fail the append before the first event is sent, not halfway.
    for (const event of events) JSON.stringify([event.data, event.metadata]);
    try {
      const result = await this.client.appendToStream(
        stream,
        events.map((event) => jsonEvent({ id: event.id, type: event.type, data: event.data as JSONType, metadata: event.metadata })),
        { expectedRevision: toEsdbExpectedRevision(options.expectedRevision) },
      );
      if (!result.position) throw new Error(`EventStoreDB did not report the position of the append to ${stream}`);
      return { nextRevision: result.nextExpectedRevision, position: result.position.commit };
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        throw new WrongExpectedRevision(stream, options.expectedRevision, error.actualVersion === NO_STREAM ? 'no_stream' : error.actualVersion);
      }
      throw error;
    }
  }

  async *readStream(stream: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    if (options.maxCount === 0) return;
    const read = this.client.readStream(stream, { fromRevision: options.fromRevision ?? START, maxCount: options.maxCount, direction: FORWARDS });
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
      // A consumer that stops early leaves the server still sending: end the call.
      if (!finished) await read.cancel();
    }
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    const after = options.fromPosition ?? 0n;
    let remaining = options.maxCount ?? Number.POSITIVE_INFINITY;
    if (remaining <= 0) return;
    // No maxCount on the server read: it would count the system events that are dropped here.
    const read = this.client.readAll({ fromPosition: startAfter(after), direction: FORWARDS });
    let finished = false;
    try {
      for await (const resolved of read) {
        const event = userEventAfter(resolved, after);
        if (!event) continue;
        yield event;
        if (--remaining === 0) return;
      }
      finished = true;
    } finally {
      if (!finished) await read.cancel();
    }
  }

  subscribeToAll(options: SubscribeToAllOptions): Subscription {
    const after = options.fromPosition ?? 0n;
    const subscription = this.client.subscribeToAll({ fromPosition: startAfter(after), filter: excludeSystemEvents() });
    let stopping = false;

    async function deliver(): Promise<void> {
      try {
        for await (const resolved of subscription) {
          if (stopping) return;
          const event = userEventAfter(resolved, after);
          if (event) await options.onEvent(event);
        }
      } catch (error) {
        // Destroying the stream to stop it ends the loop with a premature-close error.
        if (!stopping) throw error;
      } finally {
        await subscription.unsubscribe();
      }
    }

    const delivery = reportDeliveryFailure(deliver(), options);

    return this.subscriptions.track({
      async stop() {
        stopping = true;
        subscription.destroy();
        await delivery.catch(() => undefined);
      },
    });
  }

  /**
   * Read from the identity stream's metadata; the first caller on a server without one writes it
   * with expected revision no_stream, so racing processes agree on the first writer's.
   */
  async identity(): Promise<string> {
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

  async ping(): Promise<void> {
    const read = this.client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 });
    for await (const _ of read) break;
  }

  async close(): Promise<void> {
    await this.subscriptions.stopAll();
    await this.client.dispose();
  }
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

function positionOf(resolved: ResolvedEvent): bigint {
  const position = resolved.event?.position?.commit ?? resolved.commitPosition;
  if (position === undefined) throw new Error('EventStoreDB sent an event without its position: version 22.6 or later is needed');
  return position;
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
