import {
  AppendResult as ClientAppendResult,
  InvalidTransactionError,
  ResolvedEvent,
  TimeoutError,
  UnknownError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import { AppendResult } from './event-store';

/**
 * How the EventStoreDB adapter reads the answers of the 6.x client, kept apart from the calls so
 * that each shape the client can hand back is decided in one place (and tested without a server).
 */

/**
 * The largest log position: the server keeps positions as signed 64-bit numbers and sends them
 * unsigned, so its "no position" (-1) arrives as 2^64 - 1.
 */
const MAX_LOG_POSITION = 2n ** 63n - 1n;

/**
 * The commit position the server placed an event at, or undefined when it sent none: absent, or
 * a placeholder. 0 is one too: the log starts with the server's own records (the epoch), so no
 * event of ours is ever at 0, and the port reads 0 as "before the first event".
 */
export function logPosition(position: { commit: bigint } | undefined): bigint | undefined {
  const commit = position?.commit;
  return commit !== undefined && commit > 0n && commit <= MAX_LOG_POSITION ? commit : undefined;
}

/** The position of an event read or delivered; an event without one cannot be placed in the port's log. */
export function positionOf(resolved: ResolvedEvent): bigint {
  const position = logPosition(resolved.event?.position) ?? logPosition(resolved.commitPosition === undefined ? undefined : { commit: resolved.commitPosition });
  if (position === undefined) throw new Error('EventStoreDB sent an event without its position: version 22.6 or later is needed');
  return position;
}

/** What an append's answer means for the port. */
export type AppendAnswer =
  /** Written, or recognised as a retry with its position. */
  | { kind: 'appended'; result: AppendResult }
  /** Written or recognised as a retry, but the answer carries no position: it must be read. */
  | { kind: 'appended-without-position'; nextRevision: bigint }
  /** A conflict; `actual` is undefined when the answer does not say it reliably. */
  | { kind: 'conflict'; actual: bigint | 'no_stream' | undefined }
  /**
   * An error the server also answers to a batch only the first ids of which are stored after the
   * expected revision (CorruptedIdempotency: InvalidTransaction on append, Unknown on batch
   * append): the stream must be read to tell a conflict from a failure.
   */
  | { kind: 'unclear'; error: unknown };

/**
 * The answer the client resolved with. With `throwOnAppendFailure=false` (a connection string
 * setting) a conflict resolves as `success: false` rather than throwing, and its
 * nextExpectedRevision is not the stream's revision on the batch-append path (6.x turns the
 * presence flag into the number), so the conflict's actual revision is left to be read.
 */
export function answerOfResult(result: ClientAppendResult): AppendAnswer {
  if (!result.success) return { kind: 'conflict', actual: undefined };
  const position = logPosition(result.position);
  if (position === undefined) return { kind: 'appended-without-position', nextRevision: result.nextExpectedRevision };
  return { kind: 'appended', result: { nextRevision: result.nextExpectedRevision, position } };
}

/** The answer the client rejected with, or undefined for an error that means what it says (it is rethrown). */
export function answerOfError(error: unknown): AppendAnswer | undefined {
  if (error instanceof WrongExpectedVersionError) return { kind: 'conflict', actual: error.actualVersion };
  if (error instanceof InvalidTransactionError || error instanceof UnknownError) return { kind: 'unclear', error };
  return undefined;
}

/**
 * Whether the server ended a subscription because it could not keep up with it. A 23.x server
 * ends a catch-up subscription whose reader falls behind while going live or live with
 * "Consumer too slow to handle event ... Client resubscription required", sent as ABORTED
 * ("Operation timed out: ..."), which the client turns into a TimeoutError. A subscription has
 * no client deadline, so an ABORTED on it is the server's.
 */
export function isConsumerTooSlow(error: unknown): boolean {
  return error instanceof TimeoutError;
}
