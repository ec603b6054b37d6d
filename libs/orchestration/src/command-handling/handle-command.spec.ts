import { Decider, DecisionContext, DomainEvent } from '@payments/domain';
import { MemoryEventStore, WrongExpectedRevision, randomEventId } from '@payments/event-store';
import { AggregateCache } from './aggregate-cache';
import { HandleOptions, handleCommand } from './handle-command';
import { loadAggregate, loadState } from './load-stream';

type GuestAdded = DomainEvent<'GuestAdded', { name: string; seat: number; added_at: Date | string }>;
type AddGuest = { type: 'AddGuest'; name: string };
interface GuestList {
  guests: string[];
  lastAddedAt: Date | string | null;
}

/** A guest list that seats each guest once, in order: a decision depends on every earlier event. */
const guestList: Decider<AddGuest, GuestAdded, GuestList, DecisionContext> = {
  initialState: () => ({ guests: [], lastAddedAt: null }),
  decide: ({ name }, { guests }, { now }) => (guests.includes(name) ? [] : [{ type: 'GuestAdded', data: { name, seat: guests.length + 1, added_at: now } }]),
  evolve: ({ guests }, { data }) => ({ guests: [...guests, data.name], lastAddedAt: data.added_at }),
};

const STREAM = 'guest_list-a';
const now = new Date('2026-11-21T10:00:00.000Z');

describe('handleCommand and loadState with an aggregate cache', () => {
  let store: MemoryEventStore;
  let cache: AggregateCache;
  let decider: typeof guestList & { evolve: jest.Mock };
  /** The store's own append, which the races below still reach after they replace appendToStream. */
  let append: MemoryEventStore['appendToStream'];

  beforeEach(() => {
    store = new MemoryEventStore();
    cache = new AggregateCache();
    decider = { ...guestList, evolve: jest.fn(guestList.evolve) };
    append = store.appendToStream.bind(store);
  });

  afterEach(() => store.close());

  const options = (extra: Partial<HandleOptions<DecisionContext>> = {}): HandleOptions<DecisionContext> => ({ context: () => ({ now }), cache, ...extra });
  const add = (name: string, extra?: Partial<HandleOptions<DecisionContext>>) => handleCommand(store, STREAM, decider, { type: 'AddGuest', name }, options(extra));
  /** Another process (or another instance) writing the same stream, past this cache. */
  const addElsewhere = (name: string) =>
    append(STREAM, [{ id: randomEventId(), type: 'GuestAdded', data: { name, seat: 0, added_at: now }, metadata: { schema_version: 1 } }], { expectedRevision: 'any' });
  /** Makes the next append lose a race to another writer that adds `name` first. */
  const loseNextAppendTo = (name: string) =>
    jest.spyOn(store, 'appendToStream').mockImplementationOnce(async (stream, events, appendOptions) => {
      await addElsewhere(name);
      return append(stream, events, appendOptions);
    });
  const fullFold = async () => (await loadAggregate(store, STREAM, guestList)).state;

  it('reads and folds only the events after the cached revision', async () => {
    await add('ann');
    await add('bob');
    await loadState(store, STREAM, decider, cache);
    const readStream = jest.spyOn(store, 'readStream');
    decider.evolve.mockClear();

    const { state, revision } = await loadState(store, STREAM, decider, cache);

    expect(readStream).toHaveBeenCalledWith(STREAM, { fromRevision: 2n });
    expect(decider.evolve).not.toHaveBeenCalled();
    expect(revision).toBe(1n);
    expect(state).toEqual(await fullFold());
  });

  it('sees the events another writer appended after the cached fold', async () => {
    await add('ann');
    await loadState(store, STREAM, decider, cache);
    await addElsewhere('bob');

    const { state, revision } = await loadState(store, STREAM, decider, cache);

    expect(state.guests).toEqual(['ann', 'bob']);
    expect(revision).toBe(1n);
  });

  it('decides on the events another writer appended after the cached fold', async () => {
    await add('ann');
    await addElsewhere('bob');

    const result = await add('bob');

    expect(result.events).toEqual([]);
    expect(result.state.guests).toEqual(['ann', 'bob']);
  });

  it('re-reads the tail and decides again after losing a race to another writer', async () => {
    await add('ann');
    await add('bob');
    await loadState(store, STREAM, decider, cache);
    loseNextAppendTo('dave');
    const readStream = jest.spyOn(store, 'readStream');

    const result = await add('carol', { retries: 1 });

    expect(readStream.mock.calls).toEqual([
      [STREAM, { fromRevision: 2n }],
      [STREAM, { fromRevision: 2n }],
    ]);
    expect(result.events).toEqual([{ type: 'GuestAdded', data: { name: 'carol', seat: 4, added_at: now } }]);
    expect(await fullFold()).toEqual({ guests: ['ann', 'bob', 'dave', 'carol'], lastAddedAt: now.toISOString() });
  });

  it('still fails with WrongExpectedRevision when the command allows no retry', async () => {
    await add('ann');
    loseNextAppendTo('dave');

    await expect(add('carol')).rejects.toBeInstanceOf(WrongExpectedRevision);
    expect((await loadState(store, STREAM, decider, cache)).state.guests).toEqual(['ann', 'dave']);
  });

  it('folds the events as the store holds them, not as they were decided, after a command', async () => {
    const result = await add('ann');
    await add('bob');

    expect(result.state.lastAddedAt).toEqual(now);
    expect((await loadState(store, STREAM, decider, cache)).state).toEqual(await fullFold());
    expect(await fullFold()).toEqual({ guests: ['ann', 'bob'], lastAddedAt: now.toISOString() });
  });

  it('keeps nothing for a stream that does not exist', async () => {
    const { state, revision } = await loadState(store, STREAM, decider, cache);

    expect(state).toEqual(guestList.initialState());
    expect(revision).toBe(-1n);
    expect(cache.get(STREAM, decider)).toBeUndefined();
  });

  it('reads the whole stream on every load without a cache', async () => {
    await add('ann');
    await add('bob');
    const readStream = jest.spyOn(store, 'readStream');

    await loadState(store, STREAM, decider);
    await loadState(store, STREAM, decider);

    expect(readStream.mock.calls).toEqual([
      [STREAM, { fromRevision: 0n }],
      [STREAM, { fromRevision: 0n }],
    ]);
  });

  it('loads every recorded event of the stream for callers that need them, whatever the cache holds', async () => {
    await add('ann');
    await add('bob');
    await loadState(store, STREAM, decider, cache);
    await addElsewhere('carol');

    const { recorded, state, revision } = await loadAggregate(store, STREAM, decider);

    expect(recorded.map((event) => event.revision)).toEqual([0n, 1n, 2n]);
    expect(state.guests).toEqual(['ann', 'bob', 'carol']);
    expect(revision).toBe(2n);
  });
});
