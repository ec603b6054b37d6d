import { AppendResult, EventToAppend, ExpectedRevision, WrongExpectedRevision, revisionMatches } from './event-store';

/**
 * The checks of an append that do not depend on where the events are stored: the idempotency
 * promise of the port (resultOfRetry), made by the adapters that enforce expected revisions
 * themselves (memory, sqlite, postgres) and used by the eventstoredb adapter to read the
 * server's answers; and the checks every adapter makes before sending anything.
 */

/** An event the stream holds: its id, and where it was written. */
export interface StoredEventRef {
  id: string;
  revision: bigint;
  position: bigint;
}

/** The revision an exact expected revision names ('no_stream': -1n), or undefined for 'any' / 'stream_exists'. */
export function exactRevision(expected: ExpectedRevision): bigint | undefined {
  if (expected === 'no_stream') return -1n;
  return typeof expected === 'bigint' ? expected : undefined;
}

/**
 * The port's idempotency promise (EventStore.appendToStream), decided before the expected
 * revision is checked, as EventStoreDB decides it. With an exact expected revision r and a
 * stream grown past r, the append is either a retry (the stream's events from r+1 on carry the
 * batch's ids in order: answered with their result, nothing written) or a conflict
 * (WrongExpectedRevision, also when only the first ids match). Returns undefined when the
 * append cannot be a retry (expected 'any' / 'stream_exists', or the stream not past r), so the
 * expected revision decides.
 *
 * `storedFrom(revision, count)` gives the stream's events from `revision` on, at most `count`,
 * in revision order; it is called only when the append may be a retry.
 */
export function resultOfRetry(
  stream: string,
  events: readonly Pick<EventToAppend, 'id'>[],
  expectedRevision: ExpectedRevision,
  currentRevision: bigint,
  storedFrom: (revision: bigint, count: number) => readonly StoredEventRef[],
): AppendResult | undefined {
  const expected = exactRevision(expectedRevision);
  if (expected === undefined || currentRevision <= expected) return undefined;
  const stored = storedFrom(expected + 1n, events.length);
  const isRetry = stored.length === events.length && events.every((event, index) => stored[index].id === event.id);
  if (!isRetry) throw wrongExpectedRevision(stream, expectedRevision, currentRevision);
  const last = stored[stored.length - 1];
  return { nextRevision: last.revision, position: last.position };
}

/**
 * Beyond the port's promise, for the adapters that keep event ids unique per stream (sqlite's
 * UNIQUE (stream_id, event_id) index; memory mirrors sqlite): an append that resultOfRetry did
 * not decide and whose expected revision matched, but which carries ids the stream holds
 * already. A batch of stored ids only is answered with their result (EventStoreDB answers a
 * recent repeat with 'any' so); a batch mixing stored and new ids fails with
 * WrongExpectedRevision, so that none of it is written. Returns undefined for a batch of new ids.
 */
export function resultOfStoredIds(
  stream: string,
  events: readonly Pick<EventToAppend, 'id'>[],
  expectedRevision: ExpectedRevision,
  currentRevision: bigint,
  findStored: (eventId: string) => StoredEventRef | undefined,
): AppendResult | undefined {
  const found = events.map((event) => findStored(event.id)).filter((ref): ref is StoredEventRef => ref !== undefined);
  if (found.length === 0) return undefined;
  if (found.length < events.length) throw wrongExpectedRevision(stream, expectedRevision, currentRevision);
  const last = found.reduce((latest, ref) => (ref.revision > latest.revision ? ref : latest));
  return { nextRevision: last.revision, position: last.position };
}

/** Throws the typed conflict unless the stream's current revision (-1n: missing) is as expected. */
export function assertExpectedRevision(stream: string, expected: ExpectedRevision, currentRevision: bigint): void {
  if (!revisionMatches(expected, currentRevision)) throw wrongExpectedRevision(stream, expected, currentRevision);
}

export function wrongExpectedRevision(stream: string, expected: ExpectedRevision, currentRevision: bigint): WrongExpectedRevision {
  return new WrongExpectedRevision(stream, expected, currentRevision < 0n ? 'no_stream' : currentRevision);
}

/** An empty append has no result to report (no last event): it is a caller's mistake. */
export function assertNotEmpty(stream: string, events: readonly EventToAppend[]): void {
  if (events.length === 0) throw new Error(`an append to ${stream} needs at least one event`);
}

/** An event's data and metadata as the JSON text every adapter stores. */
export interface SerializedEvent {
  id: string;
  type: string;
  data: string;
  metadata: string;
}

/**
 * The whole batch as JSON text, before any of it is sent or stored, so that a value JSON cannot
 * hold fails the append at once and writes none of it (EventToAppend). JSON.stringify throws
 * for a bigint or a cycle; it answers undefined for undefined (or a function), stored as null
 * data, while metadata must be an object.
 */
export function serializeEvents(stream: string, events: readonly EventToAppend[]): SerializedEvent[] {
  return events.map(({ id, type, data, metadata }) => {
    const metadataJson = JSON.stringify(metadata);
    if (metadataJson === undefined || metadata === null || typeof metadata !== 'object') {
      throw new TypeError(`event ${id} appended to ${stream} has no metadata object`);
    }
    return { id, type, data: JSON.stringify(data) ?? 'null', metadata: metadataJson };
  });
}
