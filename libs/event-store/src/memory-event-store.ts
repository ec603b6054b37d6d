import { randomUUID } from 'node:crypto';
import { AppendSignal } from './append-signal';
import { assertExpectedRevision, assertNotEmpty, resultOfRetry, resultOfStoredIds, serializeEvents } from './append-checks';
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

/**
 * Events are kept as JSON text, as the sqlite adapter stores them, so that unit tests read back
 * what production would (a Date in data comes back as a string, a bigint fails the append).
 */
interface StoredEvent {
  id: string;
  streamId: string;
  type: string;
  revision: bigint;
  position: bigint;
  data: string;
  metadata: string;
  createdAt: number;
}

/** The in-memory adapter, for unit tests only: nothing survives the process. */
export class MemoryEventStore implements EventStore, PagedLog {
  /** The global log: the event at position p is at index p - 1. */
  private readonly log: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  readonly appends = new AppendSignal();
  private readonly subscriptions = new OpenSubscriptions();
  /** Each memory store is a store of its own. */
  private readonly storeIdentity = randomUUID();

  async appendToStream(stream: string, events: EventToAppend[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    assertNotEmpty(stream, events);
    const existing = this.streams.get(stream) ?? [];
    const currentRevision = BigInt(existing.length - 1);
    // Serialise the whole batch before storing any of it, so a failure stores none.
    const serialized = serializeEvents(stream, events);
    const { expectedRevision } = options;
    const retry = resultOfRetry(stream, events, expectedRevision, currentRevision, (from, count) => existing.slice(Number(from), Number(from) + count));
    if (retry) return retry;
    assertExpectedRevision(stream, expectedRevision, currentRevision);
    const repeated = resultOfStoredIds(stream, events, expectedRevision, currentRevision, (id) => existing.find((stored) => stored.id === id));
    if (repeated) return repeated;

    const createdAt = Date.now();
    const stored = serialized.map((event, index): StoredEvent => ({
      ...event,
      streamId: stream,
      revision: currentRevision + 1n + BigInt(index),
      position: BigInt(this.log.length + 1 + index),
      createdAt,
    }));
    this.log.push(...stored);
    existing.push(...stored);
    this.streams.set(stream, existing);
    this.appends.notify();
    const last = stored[stored.length - 1];
    return { nextRevision: last.revision, position: last.position };
  }

  async *readStream(stream: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    const from = Number(options.fromRevision ?? 0n);
    const events = (this.streams.get(stream) ?? []).slice(from, from + (options.maxCount ?? Infinity));
    for (const event of events) yield toRecorded(event);
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<RecordedEvent> {
    for (const event of this.readAllPage(options.fromPosition ?? 0n, options.maxCount ?? Infinity)) yield event;
  }

  readAllPage(afterPosition: bigint, limit: number): RecordedEvent[] {
    const from = Number(afterPosition);
    return this.log.slice(from, from + limit).map(toRecorded);
  }

  subscribeToAll(options: SubscribeToAllOptions): Subscription {
    return this.subscriptions.track(startCatchUpSubscription(this, options));
  }

  async identity(): Promise<string> {
    return this.storeIdentity;
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    await this.subscriptions.stopAll();
  }
}

function toRecorded(event: StoredEvent): RecordedEvent {
  return {
    id: event.id,
    streamId: event.streamId,
    type: event.type,
    revision: event.revision,
    position: event.position,
    data: JSON.parse(event.data),
    metadata: JSON.parse(event.metadata),
    createdAt: new Date(event.createdAt),
  };
}
