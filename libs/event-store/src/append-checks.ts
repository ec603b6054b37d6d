import { AppendResult, EventToAppend, ExpectedRevision, WrongExpectedRevision, revisionMatches } from './event-store';

/**
 * The checks an adapter without server-side concurrency control (sqlite, memory) makes before
 * writing an append, inside the same transaction as the write.
 */

/** Where an event id already stored in the stream was written. */
export interface StoredEventRef {
  revision: bigint;
  position: bigint;
}

/**
 * Idempotent appends, decided before the expected revision is checked, as EventStoreDB does.
 * A batch whose event ids are all in the stream already is a retry of an append that
 * succeeded (its acknowledgement was lost): it writes nothing and answers with that append's
 * result. A batch mixing stored and new ids is no retry, and EventStoreDB rejects it as a
 * wrong expected version, so it fails with WrongExpectedRevision here too: the command handler
 * then re-reads and decides again. Returns undefined for a batch of new events.
 */
export function resultOfRepeatedAppend(
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

function wrongExpectedRevision(stream: string, expected: ExpectedRevision, currentRevision: bigint): WrongExpectedRevision {
  return new WrongExpectedRevision(stream, expected, currentRevision < 0n ? 'no_stream' : currentRevision);
}

/** An empty append has no result to report (no last event): it is a caller's mistake. */
export function assertNotEmpty(stream: string, events: readonly EventToAppend[]): void {
  if (events.length === 0) throw new Error(`an append to ${stream} needs at least one event`);
}
