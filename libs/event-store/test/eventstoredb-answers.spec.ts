import { InvalidTransactionError, TimeoutError, UnavailableError, UnknownError, WrongExpectedVersionError } from '@eventstore/db-client';
import { StoredEventRef } from '@payments/event-store/append-checks';
import { StreamReads, appendResultOf, proposedEvents } from '@payments/event-store/eventstoredb-append';
import { answerOfError, answerOfResult, isConsumerTooSlow, logPosition, positionOf } from '@payments/event-store/eventstoredb-answers';
import { EventToAppend, WrongExpectedRevision, randomEventId } from '@payments/event-store';

// The EventStoreDB adapter's reading of the 6.x client's answers, shown without a server: each
// shape the client can hand back, as its sources (and the 23.x/24.x server's) produce them.

const UNSIGNED_MINUS_ONE = 2n ** 64n - 1n;

describe('positions sent by EventStoreDB', () => {
  it('takes a commit position for one only when the server placed an event there', () => {
    expect(logPosition({ commit: 1n })).toBe(1n);
    expect(logPosition({ commit: 2n ** 63n - 1n })).toBe(2n ** 63n - 1n);
    expect(logPosition(undefined)).toBeUndefined();
    expect(logPosition({ commit: 0n })).toBeUndefined();
    expect(logPosition({ commit: -1n })).toBeUndefined();
    expect(logPosition({ commit: UNSIGNED_MINUS_ONE })).toBeUndefined();
    expect(logPosition({ commit: 2n ** 63n })).toBeUndefined();
  });

  it('refuses an event read without a real position rather than placing it at 0 or at the end of the log', () => {
    const event = { id: randomEventId(), streamId: 's', type: 'T', revision: 0n, data: {}, metadata: {}, isJson: true as const, created: new Date() };
    expect(positionOf({ event: { ...event, position: { commit: 42n, prepare: 42n } } })).toBe(42n);
    expect(positionOf({ event: { ...event, position: undefined }, commitPosition: 42n })).toBe(42n);
    expect(() => positionOf({ event: { ...event, position: { commit: UNSIGNED_MINUS_ONE, prepare: UNSIGNED_MINUS_ONE } } })).toThrow(/without its position/);
    expect(() => positionOf({ event: { ...event, position: { commit: 0n, prepare: 0n } }, commitPosition: 0n })).toThrow(/without its position/);
    expect(() => positionOf({ event: { ...event, position: undefined } })).toThrow(/without its position/);
  });
});

describe('append answers', () => {
  it('takes a success with a position as the result', () => {
    expect(answerOfResult({ success: true, nextExpectedRevision: 4n, position: { commit: 900n, prepare: 900n } })).toEqual({
      kind: 'appended',
      result: { nextRevision: 4n, position: 900n },
    });
  });

  it('takes a success without a real position (a retry the server found) as one whose position must be read, not as an error', () => {
    for (const position of [undefined, { commit: 0n, prepare: 0n }, { commit: UNSIGNED_MINUS_ONE, prepare: UNSIGNED_MINUS_ONE }]) {
      expect(answerOfResult({ success: true, nextExpectedRevision: 4n, position })).toEqual({ kind: 'appended-without-position', nextRevision: 4n });
    }
  });

  it('takes success: false (throwOnAppendFailure=false) as a conflict whose actual revision must be read', () => {
    // On the batch-append path 6.x reports BigInt(hasCurrentStreamRevision()): 1n or 0n, never the revision.
    expect(answerOfResult({ success: false, nextExpectedRevision: 1n, position: undefined })).toEqual({ kind: 'conflict', actual: undefined });
  });

  it('takes the thrown wrong expected version as a conflict with its actual revision', () => {
    const error = new WrongExpectedVersionError(undefined, { streamName: 's', current: 7n, expected: 2n });
    expect(answerOfError(error)).toEqual({ kind: 'conflict', actual: 7n });
    const missing = new WrongExpectedVersionError(undefined, { streamName: 's', current: 'no_stream', expected: 2n });
    expect(answerOfError(missing)).toEqual({ kind: 'conflict', actual: 'no_stream' });
  });

  it('takes the errors the server answers a partly stored batch with as unclear, and leaves others to be rethrown', () => {
    const invalid = new InvalidTransactionError();
    const unknown = new UnknownError(undefined, 'Could not recognize Unknown');
    expect(answerOfError(invalid)).toEqual({ kind: 'unclear', error: invalid });
    expect(answerOfError(unknown)).toEqual({ kind: 'unclear', error: unknown });
    expect(answerOfError(new UnavailableError())).toBeUndefined();
    expect(answerOfError(new TypeError('boom'))).toBeUndefined();
  });
});

describe('finishing an append from the answer and reads of the stream', () => {
  const stream = 'payment-1';
  const batch = [{ id: randomEventId() }, { id: randomEventId() }];

  /** A stream as the server would read it back: events at revisions 0.., positions 100 apart. */
  function streamOf(ids: string[]): StreamReads & { reads: string[] } {
    const stored: StoredEventRef[] = ids.map((id, index) => ({ id, revision: BigInt(index), position: BigInt(100 * (index + 1)) }));
    const reads: string[] = [];
    return {
      reads,
      currentRevision: async () => {
        reads.push('current');
        return BigInt(stored.length - 1);
      },
      storedFrom: async (_stream, revision, count) => {
        reads.push(`from ${revision} x${count}`);
        return stored.slice(Number(revision), Number(revision) + count);
      },
    };
  }

  it('reads the position of a retry answered without one', async () => {
    const reads = streamOf(['a', batch[0].id, batch[1].id, 'later']);
    await expect(appendResultOf(stream, batch, 0n, { kind: 'appended-without-position', nextRevision: 2n }, reads)).resolves.toEqual({ nextRevision: 2n, position: 300n });
    expect(reads.reads).toEqual(['from 2 x1']);
  });

  it('fails, never answering position 0, when the acknowledged event cannot be read', async () => {
    await expect(appendResultOf(stream, batch, 0n, { kind: 'appended-without-position', nextRevision: 2n }, streamOf(['a']))).rejects.toThrow(/without a position/);
  });

  it('reads the actual revision of a conflict the answer does not give', async () => {
    await expect(appendResultOf(stream, batch, 0n, { kind: 'conflict', actual: undefined }, streamOf(['a', 'b', 'c']))).rejects.toMatchObject({
      name: 'WrongExpectedRevision',
      expected: 0n,
      actual: 2n,
    });
    await expect(appendResultOf(stream, batch, 0n, { kind: 'conflict', actual: undefined }, streamOf([]))).rejects.toMatchObject({ actual: 'no_stream' });
    await expect(appendResultOf(stream, batch, 'no_stream', { kind: 'conflict', actual: 5n }, streamOf([]))).rejects.toMatchObject({ actual: 5n });
  });

  it('makes a conflict of a batch only the first ids of which are stored after the expected revision', async () => {
    const reads = streamOf(['a', batch[0].id, 'other']);
    const error = new UnknownError();
    await expect(appendResultOf(stream, batch, 0n, { kind: 'unclear', error }, reads)).rejects.toBeInstanceOf(WrongExpectedRevision);
    await expect(appendResultOf(stream, batch, 0n, { kind: 'unclear', error }, reads)).rejects.toMatchObject({ expected: 0n, actual: 2n });
    expect(reads.reads.slice(0, 2)).toEqual(['current', 'from 1 x2']);
  });

  it('answers with the stored events when the batch turns out to be stored after the expected revision', async () => {
    await expect(appendResultOf(stream, batch, 'no_stream', { kind: 'unclear', error: new UnknownError() }, streamOf([batch[0].id, batch[1].id]))).resolves.toEqual({
      nextRevision: 1n,
      position: 200n,
    });
  });

  it('rethrows the error when the stream cannot hold a retry (any, or not past the expected revision)', async () => {
    const error = new UnknownError();
    await expect(appendResultOf(stream, batch, 'any', { kind: 'unclear', error }, streamOf(['a', 'b']))).rejects.toBe(error);
    await expect(appendResultOf(stream, batch, 1n, { kind: 'unclear', error }, streamOf(['a', 'b']))).rejects.toBe(error);
  });
});

describe('the batch handed to the client', () => {
  const event = (data: unknown): EventToAppend => ({ id: randomEventId(), type: 'T', data, metadata: { schema_version: 1 } });

  it('holds JSON values only, so the client cannot fail to serialise them: undefined data as null, a Date as its string', () => {
    const at = new Date('2026-01-02T03:04:05.000Z');
    const [missing, dated] = proposedEvents('s', [event(undefined), event({ at, dropped: undefined })]);
    expect(missing).toMatchObject({ contentType: 'application/json', data: null, metadata: { schema_version: 1 } });
    expect(dated.data).toEqual({ at: '2026-01-02T03:04:05.000Z' });
  });

  it('refuses a batch holding a bigint or a cycle before anything is sent', () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => proposedEvents('s', [event({}), event({ amount: 10n })])).toThrow(TypeError);
    expect(() => proposedEvents('s', [event(cycle)])).toThrow(TypeError);
  });
});

describe('subscription errors', () => {
  it('takes the server ending a subscription as too slow (ABORTED, a TimeoutError) for a reason to resubscribe, and nothing else', () => {
    const tooSlow = new TimeoutError({ code: 10, message: '10 ABORTED: Operation timed out: Consumer too slow to handle event while live. Client resubscription required.' } as never);
    expect(isConsumerTooSlow(tooSlow)).toBe(true);
    expect(isConsumerTooSlow(new UnavailableError())).toBe(false);
    expect(isConsumerTooSlow(new Error('Consumer too slow'))).toBe(false);
  });
});
