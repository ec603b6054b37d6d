import { StoredEventRef, exactRevision, resultOfRetry, resultOfStoredIds } from '@payments/event-store/append-checks';
import { WrongExpectedRevision } from '@payments/event-store';

// The decisions the memory, sqlite and postgres adapters share; the contract suite shows the
// promise on each adapter, this shows the decisions themselves, including the per-stream id
// guard beyond the promise that the contract no longer asks of every adapter.

/** A stream holding events with these ids at revisions 0.., positions 10 apart. */
function streamOf(...ids: string[]): StoredEventRef[] {
  return ids.map((id, index) => ({ id, revision: BigInt(index), position: BigInt(10 * (index + 1)) }));
}

const from = (stored: StoredEventRef[]) => (revision: bigint, count: number) => stored.slice(Number(revision), Number(revision) + count);
const batch = (...ids: string[]) => ids.map((id) => ({ id }));

describe('resultOfRetry (the port promise)', () => {
  const stored = streamOf('a', 'b', 'c', 'd');

  it('names the revision of an exact expected revision only', () => {
    expect(exactRevision('no_stream')).toBe(-1n);
    expect(exactRevision(3n)).toBe(3n);
    expect(exactRevision('any')).toBeUndefined();
    expect(exactRevision('stream_exists')).toBeUndefined();
  });

  it('answers a retry with the stored events of the batch, however far the stream has grown', () => {
    expect(resultOfRetry('s', batch('a', 'b'), 'no_stream', 3n, from(stored))).toEqual({ nextRevision: 1n, position: 20n });
    expect(resultOfRetry('s', batch('c'), 1n, 3n, from(stored))).toEqual({ nextRevision: 2n, position: 30n });
  });

  it('is a conflict when the events after the expected revision are not the batch, or only its first part', () => {
    for (const [ids, expected] of [
      [['b', 'c'], 'no_stream'],
      [['a', 'x'], 'no_stream'],
      [['x', 'a'], 'no_stream'],
      [['c', 'd', 'e'], 1n],
    ] as const) {
      expect(() => resultOfRetry('s', batch(...ids), expected, 3n, from(stored))).toThrow(WrongExpectedRevision);
    }
  });

  it('leaves to the expected revision an append that cannot be a retry, without reading the stream', () => {
    const unread = () => {
      throw new Error('read');
    };
    expect(resultOfRetry('s', batch('d'), 3n, 3n, unread)).toBeUndefined();
    expect(resultOfRetry('s', batch('a'), 5n, 3n, unread)).toBeUndefined();
    expect(resultOfRetry('s', batch('a'), 'any', 3n, unread)).toBeUndefined();
    expect(resultOfRetry('s', batch('a'), 'stream_exists', 3n, unread)).toBeUndefined();
    expect(resultOfRetry('s', batch('a'), 'no_stream', -1n, unread)).toBeUndefined();
  });
});

describe('resultOfStoredIds (beyond the promise: ids unique per stream)', () => {
  const stored = streamOf('a', 'b', 'c');
  const find = (id: string) => stored.find((ref) => ref.id === id);

  it('answers a batch of stored ids with the last of them', () => {
    expect(resultOfStoredIds('s', batch('a', 'b'), 'any', 2n, find)).toEqual({ nextRevision: 1n, position: 20n });
  });

  it('refuses a batch mixing stored and new ids, in either order', () => {
    expect(() => resultOfStoredIds('s', batch('a', 'x'), 'any', 2n, find)).toThrow(WrongExpectedRevision);
    expect(() => resultOfStoredIds('s', batch('x', 'c'), 2n, 2n, find)).toThrow(WrongExpectedRevision);
  });

  it('lets a batch of new ids through', () => {
    expect(resultOfStoredIds('s', batch('x', 'y'), 'any', 2n, find)).toBeUndefined();
  });
});
