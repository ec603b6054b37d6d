import { EventData, JSONType, jsonEvent } from '@eventstore/db-client';
import { StoredEventRef, exactRevision, resultOfRetry, serializeEvents, wrongExpectedRevision } from './append-checks';
import { AppendAnswer } from './eventstoredb-answers';
import { AppendResult, EventToAppend, ExpectedRevision, WrongExpectedRevision } from './event-store';

/**
 * The batch as the client sends it. The client serialises each event while it streams the batch
 * to the server, and a value it cannot serialise (undefined data among them) throws inside its
 * promise, which then never settles: so the batch is serialised first, as the other adapters do
 * (serializeEvents), and handed to the client parsed back, which it cannot fail to serialise.
 */
export function proposedEvents(stream: string, events: readonly EventToAppend[]): EventData[] {
  return serializeEvents(stream, events).map((event) =>
    jsonEvent({ id: event.id, type: event.type, data: JSON.parse(event.data) as JSONType, metadata: JSON.parse(event.metadata) as JSONType }),
  );
}

/** The reads of a stream that finishing an append's answer may need. */
export interface StreamReads {
  /** The stream's last revision, -1n when it does not exist. */
  currentRevision(stream: string): Promise<bigint>;
  /** The stream's events from `revision` on, at most `count`, in revision order. */
  storedFrom(stream: string, revision: bigint, count: number): Promise<StoredEventRef[]>;
}

/**
 * The port's result of an append from the server's answer (eventstoredb-answers.ts), reading
 * the stream where the answer leaves something out.
 *
 * The idempotency promise needs nothing more from the adapter in the common cases: with an
 * exact expected revision r below the stream's, EventStoreDB compares the batch's ids with the
 * stream's events from r+1 on (from its index, however old they are) and answers a retry with
 * the stored events' result, anything else with a wrong expected version. What is left:
 * - a retry answered without a position (the server found the events but not yet their place in
 *   the index, or an older server): the position of the last one is read;
 * - a batch only the first ids of which are stored after r: the server calls it corrupted
 *   idempotency and answers with an invalid transaction or an unknown error, which the port
 *   calls a conflict (resultOfRetry, on the events read);
 * - a conflict whose actual revision the answer does not give reliably.
 */
export async function appendResultOf(
  stream: string,
  events: readonly Pick<EventToAppend, 'id'>[],
  expected: ExpectedRevision,
  answer: AppendAnswer,
  reads: StreamReads,
): Promise<AppendResult> {
  switch (answer.kind) {
    case 'appended':
      return answer.result;
    case 'appended-without-position': {
      const [last] = await reads.storedFrom(stream, answer.nextRevision, 1);
      if (last?.revision !== answer.nextRevision) {
        throw new Error(`EventStoreDB acknowledged the append to ${stream} at revision ${answer.nextRevision} without a position, and the event there cannot be read`);
      }
      return { nextRevision: last.revision, position: last.position };
    }
    case 'conflict': {
      const actual = answer.actual ?? (await reads.currentRevision(stream));
      throw actual === 'no_stream' ? new WrongExpectedRevision(stream, expected, 'no_stream') : wrongExpectedRevision(stream, expected, actual);
    }
    case 'unclear': {
      const after = exactRevision(expected);
      if (after === undefined) throw answer.error;
      const currentRevision = await reads.currentRevision(stream);
      if (currentRevision <= after) throw answer.error;
      const stored = await reads.storedFrom(stream, after + 1n, events.length);
      const retry = resultOfRetry(stream, events, expected, currentRevision, () => stored);
      if (retry) return retry;
      throw answer.error;
    }
  }
}
