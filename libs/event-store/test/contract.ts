import { randomBytes } from 'node:crypto';
import {
  AppendResult,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  RecordedEvent,
  Subscription,
  WrongExpectedRevision,
  randomEventId,
  readStreamToArray,
} from '@payments/event-store';

export interface StoreUnderTest {
  store: EventStore;
  cleanup(): Promise<void>;
  /** Another store on the same data, as another process or a restart opens it (closed by the test); needs `can.reopen`. */
  reopen?(): Promise<EventStore>;
  /** A store on other data (a fresh DATA_DIR), closed and removed by its cleanup; needs `can.another`. */
  another?(): Promise<StoreUnderTest>;
}

/**
 * The behaviour every EventStore adapter promises (DESIGN.md, "The event store port").
 * Streams are named uniquely per run and reads of the global log are narrowed to the streams
 * a test wrote, so the suite also runs against a server that keeps data between runs.
 */
export function eventStoreContract(name: string, makeStore: () => Promise<StoreUnderTest>, can: { reopen?: boolean; another?: boolean } = {}): void {
  describe(`${name} event store contract`, () => {
    let store: EventStore;
    let cleanup: () => Promise<void>;
    let opened: StoreUnderTest;
    const run = randomBytes(5).toString('hex');
    let streamCount = 0;
    const newStream = (category = 'contract') => `${category}-t${run}x${++streamCount}`;

    beforeEach(async () => {
      opened = await makeStore();
      ({ store, cleanup } = opened);
    });
    afterEach(async () => {
      await cleanup();
    });

    const append = (stream: string, events: EventToAppend[], expectedRevision: ExpectedRevision) =>
      store.appendToStream(stream, events, { expectedRevision });

    /** The global position of the log's end now, found by appending a marker to a stream of its own. */
    const currentEnd = async () => (await append(newStream('marker'), [anEvent()], 'no_stream')).position;

    const readAllOf = async (streams: string[], fromPosition: bigint) =>
      (await collect(store.readAll({ fromPosition }))).filter((event) => streams.includes(event.streamId));

    describe('identity', () => {
      it('has one identity, the same on every call, however many callers ask at once', async () => {
        const identities = await Promise.all(range(5).map(() => store.identity()));
        expect(identities[0]).toMatch(/\S{8,}/);
        expect(new Set(identities).size).toBe(1);
        expect(await store.identity()).toBe(identities[0]);
      });

      (can.reopen ? it : it.skip)('keeps its identity for another store opened on the same data', async () => {
        const identity = await store.identity();
        const again = await opened.reopen!();
        try {
          expect(await again.identity()).toBe(identity);
        } finally {
          await again.close();
        }
      });

      (can.another ? it : it.skip)('differs from the identity of a store on other data', async () => {
        const other = await opened.another!();
        try {
          expect(await other.store.identity()).not.toBe(await store.identity());
        } finally {
          await other.cleanup();
        }
      });

      it('keeps the identity out of the log: reading all streams shows no event for it', async () => {
        const before = await currentEnd();
        await store.identity();
        const after = await currentEnd();
        const between = (await collect(store.readAll({ fromPosition: before }))).filter((event) => event.position < after);
        expect(between).toEqual([]);
      });
    });

    describe('expected revisions', () => {
      it('starts a new stream at revision 0 with no_stream', async () => {
        const stream = newStream();
        const result = await append(stream, [anEvent(), anEvent()], 'no_stream');
        expect(result.nextRevision).toBe(1n);
        expect((await readStreamToArray(store, stream)).map((event) => event.revision)).toEqual([0n, 1n]);
      });

      it('rejects no_stream when the stream exists, reporting its revision', async () => {
        const stream = newStream();
        await append(stream, [anEvent(), anEvent()], 'no_stream');
        await expect(append(stream, [anEvent()], 'no_stream')).rejects.toMatchObject(conflict(stream, 'no_stream', 1n));
      });

      it('rejects stream_exists when the stream does not exist', async () => {
        const stream = newStream();
        await expect(append(stream, [anEvent()], 'stream_exists')).rejects.toMatchObject(conflict(stream, 'stream_exists', 'no_stream'));
        expect(await readStreamToArray(store, stream)).toEqual([]);
      });

      it('accepts stream_exists when the stream exists', async () => {
        const stream = newStream();
        await append(stream, [anEvent()], 'no_stream');
        expect((await append(stream, [anEvent()], 'stream_exists')).nextRevision).toBe(1n);
      });

      it('accepts an exact revision equal to the last event of the stream', async () => {
        const stream = newStream();
        await append(stream, [anEvent(), anEvent()], 'no_stream');
        expect((await append(stream, [anEvent()], 1n)).nextRevision).toBe(2n);
      });

      it('rejects an exact revision that is behind, ahead, or names a missing stream', async () => {
        const stream = newStream();
        await append(stream, [anEvent(), anEvent()], 'no_stream');
        await expect(append(stream, [anEvent()], 0n)).rejects.toMatchObject(conflict(stream, 0n, 1n));
        await expect(append(stream, [anEvent()], 2n)).rejects.toMatchObject(conflict(stream, 2n, 1n));
        const missing = newStream();
        await expect(append(missing, [anEvent()], 0n)).rejects.toMatchObject(conflict(missing, 0n, 'no_stream'));
      });

      it('appends with any whether or not the stream exists', async () => {
        const stream = newStream();
        expect((await append(stream, [anEvent()], 'any')).nextRevision).toBe(0n);
        expect((await append(stream, [anEvent()], 'any')).nextRevision).toBe(1n);
      });

      it('lets exactly one of two concurrent writers with the same expected revision win, round after round', async () => {
        const stream = newStream();
        const rounds = 30;
        for (let round = 0; round < rounds; round++) {
          const expected: ExpectedRevision = round === 0 ? 'no_stream' : BigInt(round - 1);
          const outcomes = await Promise.allSettled([append(stream, [anEvent()], expected), append(stream, [anEvent()], expected)]);
          const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
          const lost = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
          expect(won).toHaveLength(1);
          expect(lost).toHaveLength(1);
          expect(lost[0].reason).toBeInstanceOf(WrongExpectedRevision);
        }
        expect((await readStreamToArray(store, stream)).map((event) => event.revision)).toEqual(range(rounds).map(BigInt));
      });
    });

    describe('atomic appends', () => {
      it('writes none of an append whose expected revision fails', async () => {
        const stream = newStream();
        await append(stream, [anEvent()], 'no_stream');
        await expect(append(stream, [anEvent(), anEvent(), anEvent()], 5n)).rejects.toBeInstanceOf(WrongExpectedRevision);
        expect(await readStreamToArray(store, stream)).toHaveLength(1);
      });

      it('writes none of an append when one of its events cannot be stored', async () => {
        const stream = newStream();
        const unstorable = anEvent({ amount: 10n });
        await expect(append(stream, [anEvent(), anEvent(), unstorable], 'no_stream')).rejects.toThrow();
        expect(await readStreamToArray(store, stream)).toEqual([]);
        expect((await append(stream, [anEvent()], 'no_stream')).nextRevision).toBe(0n);
      });

      it('refuses a batch holding a cycle, in data or metadata, at once and writing none of it', async () => {
        const stream = newStream();
        const cycle: Record<string, unknown> = { note: 'cycle' };
        cycle.self = cycle;
        const cyclicMetadata = { ...anEvent(), metadata: { schema_version: 1, loop: cycle } as unknown as EventToAppend['metadata'] };
        await expect(withinSeconds(append(stream, [anEvent(), anEvent(cycle)], 'no_stream'))).rejects.toThrow(TypeError);
        await expect(withinSeconds(append(stream, [cyclicMetadata], 'no_stream'))).rejects.toThrow(TypeError);
        expect(await readStreamToArray(store, stream)).toEqual([]);
      });
    });

    describe('data and metadata as JSON', () => {
      it('reads back what JSON holds of them: undefined data as null, a Date as its string, undefined fields dropped', async () => {
        const stream = newStream();
        const at = new Date('2026-01-02T03:04:05.000Z');
        const missing = { ...anEvent(), data: undefined };
        const dated = anEvent({ at, dropped: undefined, kept: null });
        await withinSeconds(append(stream, [missing, dated], 'no_stream'));
        const [first, second] = await readStreamToArray(store, stream);
        expect(first.data).toBeNull();
        expect(second.data).toEqual({ at: '2026-01-02T03:04:05.000Z', kept: null });
        expect(second.metadata).toEqual(dated.metadata);
      });
    });

    describe('idempotent event ids (a retry: the same ids with the same exact expected revision)', () => {
      it('treats appending the same event ids again as done, answering with the first result', async () => {
        const stream = newStream();
        const batch = [anEvent(), anEvent()];
        const first = await append(stream, batch, 'no_stream');
        expect(await append(stream, batch, 'no_stream')).toEqual(first);
        expect(await readStreamToArray(store, stream)).toHaveLength(2);
      });

      it('treats a retry as done however much the stream has grown since, with no_stream and with a revision', async () => {
        const stream = newStream();
        const opening = [anEvent(), anEvent()];
        const firstOpening = await append(stream, opening, 'no_stream');
        const next = [anEvent(), anEvent()];
        const firstNext = await append(stream, next, 1n);
        for (let revision = 3n; revision < 40n; revision++) await append(stream, [anEvent()], revision);
        expect(await append(stream, opening, 'no_stream')).toEqual(firstOpening);
        expect(await append(stream, next, 1n)).toEqual(firstNext);
        expect(await readStreamToArray(store, stream)).toHaveLength(41);
      });

      it('recognises a retry of a single event, as bindToken and appendDecided send them', async () => {
        const stream = newStream();
        await append(stream, [anEvent()], 'no_stream');
        const event = anEvent();
        const first = await append(stream, [event], 0n);
        await append(stream, [anEvent()], 1n);
        expect(await append(stream, [event], 0n)).toEqual(first);
        expect((await readStreamToArray(store, stream)).map((stored) => stored.revision)).toEqual([0n, 1n, 2n]);
      });

      it('rejects stored ids sent with another exact expected revision than they were written after', async () => {
        const stream = newStream();
        await append(stream, [anEvent()], 'no_stream');
        const batch = [anEvent(), anEvent()];
        await append(stream, batch, 0n);
        await expect(append(stream, batch, 'no_stream')).rejects.toMatchObject(conflict(stream, 'no_stream', 2n));
        await expect(append(stream, batch, 1n)).rejects.toMatchObject(conflict(stream, 1n, 2n));
        await expect(append(stream, batch, 5n)).rejects.toMatchObject(conflict(stream, 5n, 2n));
        expect(await readStreamToArray(store, stream)).toHaveLength(3);
      });

      it('rejects a batch only some of which was written after its expected revision, writing none of it', async () => {
        const stream = newStream();
        const [a, b] = [anEvent(), anEvent()];
        await append(stream, [a, b], 'no_stream');
        await append(stream, [anEvent()], 1n);
        // The first ids match, a later one does not; and a batch longer than what was written.
        await expect(append(stream, [a, anEvent()], 'no_stream')).rejects.toMatchObject(conflict(stream, 'no_stream', 2n));
        await expect(append(stream, [a, b, anEvent(), anEvent()], 'no_stream')).rejects.toMatchObject(conflict(stream, 'no_stream', 2n));
        // New ids first, stored ones after.
        await expect(append(stream, [anEvent(), a], 'no_stream')).rejects.toMatchObject(conflict(stream, 'no_stream', 2n));
        expect((await readStreamToArray(store, stream)).map((event) => event.id).slice(0, 2)).toEqual([a.id, b.id]);
        expect(await readStreamToArray(store, stream)).toHaveLength(3);
      });
    });

    describe('reading a stream', () => {
      it('reads a stream that does not exist as empty', async () => {
        expect(await readStreamToArray(store, newStream())).toEqual([]);
      });

      it('gives back what was appended, with the stream, revision, position and time of the append', async () => {
        const stream = newStream();
        const event = anEvent({ amount: 1250, currency: 'EUR', tiers: [{ processors: ['proc_stg_a'] }] });
        const before = Date.now();
        const result = await append(stream, [event], 'no_stream');
        const [recorded] = await readStreamToArray(store, stream);
        expect(recorded).toMatchObject({ ...event, streamId: stream, revision: 0n, position: result.position });
        expect(recorded.createdAt.getTime()).toBeGreaterThanOrEqual(before - CLOCK_SKEW_MS);
        expect(recorded.createdAt.getTime()).toBeLessThanOrEqual(Date.now() + CLOCK_SKEW_MS);
      });

      it('reads from a revision and at most maxCount events', async () => {
        const stream = newStream();
        await append(stream, range(5).map(() => anEvent()), 'no_stream');
        const revisions = async (options: { fromRevision?: bigint; maxCount?: number }) =>
          (await readStreamToArray(store, stream, options)).map((event) => event.revision);
        expect(await revisions({ fromRevision: 2n })).toEqual([2n, 3n, 4n]);
        expect(await revisions({ maxCount: 2 })).toEqual([0n, 1n]);
        expect(await revisions({ fromRevision: 1n, maxCount: 2 })).toEqual([1n, 2n]);
        expect(await revisions({ fromRevision: 5n })).toEqual([]);
      });

      it('reads a long stream in full and in order', async () => {
        const stream = newStream();
        for (let batch = 0; batch < 12; batch++) {
          await append(stream, range(50).map(() => anEvent()), batch === 0 ? 'no_stream' : BigInt(batch * 50 - 1));
        }
        expect((await readStreamToArray(store, stream)).map((event) => event.revision)).toEqual(range(600).map(BigInt));
      });
    });

    describe('reading all streams', () => {
      it('reads events of all streams in the order they were appended, each append ending at its reported position', async () => {
        const start = await currentEnd();
        const [a, b, c] = [newStream(), newStream(), newStream()];
        const appends: Array<[string, number, AppendResult]> = [];
        const appendCounted = async (stream: string, count: number, expected: ExpectedRevision) =>
          appends.push([stream, count, await append(stream, range(count).map(() => anEvent()), expected)]);
        await appendCounted(a, 2, 'no_stream');
        await appendCounted(b, 1, 'no_stream');
        await appendCounted(a, 1, 1n);
        await appendCounted(c, 3, 'no_stream');
        await appendCounted(b, 2, 0n);

        const events = await readAllOf([a, b, c], start);
        expect(events.map((event) => `${event.streamId}@${event.revision}`)).toEqual([
          `${a}@0`, `${a}@1`, `${b}@0`, `${a}@2`, `${c}@0`, `${c}@1`, `${c}@2`, `${b}@1`, `${b}@2`,
        ]);
        expectStrictlyIncreasing(events.map((event) => event.position));
        let lastOfAppend = -1;
        for (const [stream, count, result] of appends) {
          lastOfAppend += count;
          expect(events[lastOfAppend]).toMatchObject({ streamId: stream, revision: result.nextRevision, position: result.position });
        }
      });

      it('reads strictly after fromPosition, at most maxCount events', async () => {
        const stream = newStream();
        const positions: bigint[] = [];
        for (let revision = 0; revision < 5; revision++) {
          positions.push((await append(stream, [anEvent()], revision === 0 ? 'no_stream' : BigInt(revision - 1))).position);
        }
        const read = await collect(store.readAll({ fromPosition: positions[1], maxCount: 2 }));
        expect(read.map((event) => event.position)).toEqual([positions[2], positions[3]]);
        expect(await collect(store.readAll({ fromPosition: positions[4] }))).toEqual([]);
      });

      it('reads from the start of the log when no position is given', async () => {
        const stream = newStream();
        await append(stream, [anEvent(), anEvent()], 'no_stream');
        const ours = (await collect(store.readAll())).filter((event) => event.streamId === stream);
        expect(ours.map((event) => event.revision)).toEqual([0n, 1n]);
      });

      it('lets a reader append between the events it reads', async () => {
        const start = await currentEnd();
        const [source, copies] = [newStream(), newStream()];
        await append(source, range(3).map(() => anEvent()), 'no_stream');
        let copied = 0;
        for await (const event of store.readAll({ fromPosition: start, maxCount: 3 })) {
          await append(copies, [anEvent({ of: event.id })], copied === 0 ? 'no_stream' : BigInt(copied - 1));
          copied++;
        }
        expect(await readStreamToArray(store, copies)).toHaveLength(3);
      });
    });

    describe('subscribing to all streams', () => {
      let subscription: Subscription | undefined;
      afterEach(async () => {
        await subscription?.stop();
        subscription = undefined;
      });

      it('delivers stored then live events in order, without gaps or duplicates, even when appended during catch-up', async () => {
        const start = await currentEnd();
        const [a, b] = [newStream(), newStream()];
        const revisions = new Map<string, bigint>();
        const appendTo = async (stream: string, count: number) => {
          const current = revisions.get(stream);
          const result = await append(stream, range(count).map(() => anEvent()), current === undefined ? 'no_stream' : current);
          revisions.set(stream, result.nextRevision);
        };
        // More than one page of a paging adapter, so catch-up crosses page boundaries.
        for (let batch = 0; batch < 120; batch++) await appendTo(batch % 2 === 0 ? a : b, 10);

        const received: RecordedEvent[] = [];
        let appendedFromHandler = false;
        subscription = store.subscribeToAll({
          fromPosition: start,
          onEvent: async (event) => {
            if (event.streamId !== a && event.streamId !== b) return;
            received.push(event);
            if (received.length === 600 && !appendedFromHandler) {
              appendedFromHandler = true;
              await appendTo(a, 5);
            }
            await new Promise((resolve) => setImmediate(resolve));
          },
        });
        for (let batch = 0; batch < 20; batch++) await appendTo(b, 3);
        await waitFor(() => received.length === 1265, () => `${received.length} of 1265 events delivered during catch-up`);

        for (let batch = 0; batch < 5; batch++) await appendTo(batch % 2 === 0 ? a : b, 2);
        await waitFor(() => received.length === 1275, () => `${received.length} of 1275 events delivered live`);

        expect(received.map(keyOf)).toEqual((await readAllOf([a, b], start)).map(keyOf));
        expectStrictlyIncreasing(received.map((event) => event.position));
      });

      it('delivers only events strictly after fromPosition', async () => {
        const stream = newStream();
        const { position: second } = await append(stream, [anEvent(), anEvent()], 'no_stream');
        await append(stream, [anEvent()], 1n);
        const received: RecordedEvent[] = [];
        subscription = store.subscribeToAll({ fromPosition: second, onEvent: (event) => void received.push(event) });
        await append(stream, [anEvent()], 2n);
        await waitFor(() => received.length === 2, () => `${received.length} of 2 events delivered`);
        expect(received.map((event) => event.revision)).toEqual([2n, 3n]);
      });

      it('delivers from the start of the log when no position is given', async () => {
        const stream = newStream();
        await append(stream, [anEvent(), anEvent()], 'no_stream');
        const received: RecordedEvent[] = [];
        subscription = store.subscribeToAll({ onEvent: (event) => void (event.streamId === stream && received.push(event)) });
        await waitFor(() => received.length === 2, () => `${received.length} of 2 events delivered`);
        expect(received.map((event) => event.revision)).toEqual([0n, 1n]);
      });

      it('waits for onEvent to finish before delivering the next event', async () => {
        const start = await currentEnd();
        const stream = newStream();
        await append(stream, range(3).map(() => anEvent()), 'no_stream');
        const log: string[] = [];
        subscription = store.subscribeToAll({
          fromPosition: start,
          onEvent: async (event) => {
            log.push(`start ${event.revision}`);
            await new Promise((resolve) => setTimeout(resolve, 5));
            log.push(`end ${event.revision}`);
          },
        });
        await waitFor(() => log.length === 6, () => `${log.length} of 6 steps`);
        expect(log).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2']);
      });

      it('delivers nothing more once stop() has resolved', async () => {
        const start = await currentEnd();
        const stream = newStream();
        const received: RecordedEvent[] = [];
        const started = store.subscribeToAll({ fromPosition: start, onEvent: (event) => void received.push(event) });
        await append(stream, [anEvent()], 'no_stream');
        await waitFor(() => received.length === 1, () => 'the first event was not delivered');
        await started.stop();
        await append(stream, [anEvent(), anEvent()], 0n);
        await sleep(QUIET_PERIOD_MS);
        expect(received).toHaveLength(1);
      });

      it('stops and reports to onError when onEvent throws', async () => {
        const start = await currentEnd();
        const stream = newStream();
        const failure = new Error('projection failed');
        const errors: unknown[] = [];
        let calls = 0;
        subscription = store.subscribeToAll({
          fromPosition: start,
          onEvent: () => {
            calls++;
            throw failure;
          },
          onError: (error) => errors.push(error),
        });
        await append(stream, [anEvent(), anEvent()], 'no_stream');
        await waitFor(() => errors.length === 1, () => 'onError was not called');
        await append(stream, [anEvent()], 1n);
        await sleep(QUIET_PERIOD_MS);
        expect(errors).toEqual([failure]);
        expect(calls).toBe(1);
      });
    });

    it('answers ping', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}

/** Longer than the sqlite adapter's poll interval, so an event that was going to arrive would have. */
const QUIET_PERIOD_MS = 500;
/** The store's clock may be another machine's (EventStoreDB). */
const CLOCK_SKEW_MS = 5_000;

function anEvent(data: Record<string, unknown> = { note: 'contract' }): EventToAppend {
  return { id: randomEventId(), type: 'ContractTested', data, metadata: { schema_version: 1, correlation_id: 'contract' } };
}

function conflict(stream: string, expected: ExpectedRevision, actual: bigint | 'no_stream') {
  return { name: 'WrongExpectedRevision', stream, expected, actual };
}

function keyOf(event: RecordedEvent): string {
  return `${event.position}:${event.streamId}@${event.revision}:${event.id}`;
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index);
}

function expectStrictlyIncreasing(values: bigint[]): void {
  values.slice(1).forEach((value, index) => expect(value).toBeGreaterThan(values[index]));
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

/** An append that neither settles nor fails (a client that hangs on a value) fails the test here rather than at jest's timeout. */
function withinSeconds<T>(promise: Promise<T>, seconds = 5): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${seconds} s`)), seconds * 1000);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(condition: () => boolean, progress: () => string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${progress()}`);
    await sleep(5);
  }
}
