import { Clock, Decider, DecisionContext, DomainEvent } from '@payments/domain';
import { MemoryEventStore, WrongExpectedRevision, randomEventId } from '@payments/event-store';
import { AggregateCache } from './aggregate-cache';
import { CommandRunner } from './command-runner';

type Seated = DomainEvent<'Seated', { name: string; seat: number }>;
type Seat = { type: 'Seat'; name: string };

/** Seats each guest on the next free seat: every decision depends on all earlier events. */
const seating: Decider<Seat, Seated, { seated: string[] }, DecisionContext> = {
  initialState: () => ({ seated: [] }),
  decide: ({ name }, { seated }) => [{ type: 'Seated', data: { name, seat: seated.length + 1 } }],
  evolve: ({ seated }, { data }) => ({ seated: [...seated, data.name] }),
};

const clock: Clock = { now: () => new Date('2026-11-21T10:00:00.000Z') };

describe('CommandRunner', () => {
  let store: MemoryEventStore;
  let runner: CommandRunner;

  beforeEach(() => {
    store = new MemoryEventStore();
    runner = new CommandRunner(store, clock, new AggregateCache());
  });

  afterEach(() => store.close());

  it('runs commands given together on one stream as one batch, in order, each deciding on what the ones before decided', async () => {
    const append = jest.spyOn(store, 'appendToStream');
    const names = ['ann', 'bob', 'cy', 'dee', 'eve'];

    // No retries allowed: a command that raced another on the revision would fail.
    const results = await Promise.all(names.map((name) => runner.run('seating-a', seating, { type: 'Seat', name }, { retries: 0 })));

    const seats = (await runner.loadRecorded('seating-a', seating)).recorded.map((event) => event.data);
    expect(seats).toEqual(names.map((name, index) => ({ name, seat: index + 1 })));
    expect(append).toHaveBeenCalledTimes(1);
    expect(results.map((result) => result.revision)).toEqual([0n, 1n, 2n, 3n, 4n]);
    expect(results.map((result) => result.state.seated)).toEqual(names.map((_, index) => names.slice(0, index + 1)));
  });

  it('runs the commands that arrive while a batch runs as the next batch', async () => {
    const append = jest.spyOn(store, 'appendToStream');
    const first = runner.run('seating-a', seating, { type: 'Seat', name: 'ann' });
    await Promise.resolve();

    const later = ['bob', 'cy'].map((name) => runner.run('seating-a', seating, { type: 'Seat', name }));
    await Promise.all([first, ...later]);

    expect(append.mock.calls.map(([, events]) => events.map((event) => (event.data as { name: string }).name))).toEqual([['ann'], ['bob', 'cy']]);
  });

  it('fails only the command of a batch whose decision throws', async () => {
    const picky: typeof seating = { ...seating, decide: (command, state, context) => (command.name === 'bob' ? fail() : seating.decide(command, state, context)) };
    const fail = () => {
      throw new Error('no seat for bob');
    };

    const outcomes = await Promise.allSettled(['ann', 'bob', 'cy'].map((name) => runner.run('seating-a', picky, { type: 'Seat', name })));

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await runner.loadRecorded('seating-a', seating)).state.seated).toEqual(['ann', 'cy']);
  });

  it('decides again a refusal that rested on events of its batch another process kept from being written', async () => {
    const afterAnn: typeof seating = {
      ...seating,
      decide: (command, state, context) => {
        if (command.name === 'bob' && state.seated.includes('ann')) throw new Error('bob will not sit after ann');
        return seating.decide(command, state, context);
      },
    };
    const original = store.appendToStream.bind(store);
    jest.spyOn(store, 'appendToStream').mockImplementationOnce(async (stream, events, options) => {
      await original(stream, [{ id: randomEventId(), type: 'Seated', data: { name: 'zed', seat: 1 }, metadata: { schema_version: 1 } }], { expectedRevision: 'any' });
      return original(stream, events, options);
    });

    const outcomes = await Promise.allSettled([
      runner.run('seating-a', afterAnn, { type: 'Seat', name: 'ann' }, { retries: 0 }),
      runner.run('seating-a', afterAnn, { type: 'Seat', name: 'bob' }, { retries: 3 }),
    ]);

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'fulfilled']);
    expect((await runner.loadRecorded('seating-a', seating)).state.seated).toEqual(['zed', 'bob']);
  });

  it('decides a batch again after another process wrote the stream, failing the commands with no retry left', async () => {
    const original = store.appendToStream.bind(store);
    let raced = false;
    jest.spyOn(store, 'appendToStream').mockImplementation(async (stream, events, options) => {
      if (events.length > 1 && !raced) {
        raced = true;
        await original(stream, [{ id: randomEventId(), type: 'Seated', data: { name: 'zed', seat: 0 }, metadata: { schema_version: 1 } }], { expectedRevision: 'any' });
      }
      return original(stream, events, options);
    });
    await runner.run('seating-a', seating, { type: 'Seat', name: 'ann' });

    const outcomes = await Promise.allSettled([
      runner.run('seating-a', seating, { type: 'Seat', name: 'bob' }, { retries: 1 }),
      runner.run('seating-a', seating, { type: 'Seat', name: 'cy' }, { retries: 0 }),
    ]);

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevision);
    expect((await runner.loadRecorded('seating-a', seating)).recorded.map((event) => event.data)).toEqual([
      { name: 'ann', seat: 1 },
      { name: 'zed', seat: 0 },
      { name: 'bob', seat: 3 },
    ]);
  });

  it('decides on the fold given as current without reading the stream, and reads it after a write since', async () => {
    await runner.run('seating-a', seating, { type: 'Seat', name: 'ann' });
    const current = await runner.loadRecorded('seating-a', seating);
    const readStream = jest.spyOn(store, 'readStream');

    await runner.run('seating-a', seating, { type: 'Seat', name: 'bob' }, { current });
    expect(readStream).not.toHaveBeenCalled();

    // Stale now: bob was seated since. The append is refused, and the retry reads.
    const result = await runner.run('seating-a', seating, { type: 'Seat', name: 'cy' }, { current, retries: 1 });
    expect(readStream).toHaveBeenCalled();
    expect(result.events).toEqual([{ type: 'Seated', data: { name: 'cy', seat: 3 } }]);
  });

  it('runs commands on different streams side by side', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const original = store.appendToStream.bind(store);
    jest.spyOn(store, 'appendToStream').mockImplementation(async (stream, events, options) => {
      if (stream === 'seating-slow') await held;
      return original(stream, events, options);
    });

    const waiting = runner.run('seating-slow', seating, { type: 'Seat', name: 'ann' });
    await expect(runner.run('seating-fast', seating, { type: 'Seat', name: 'bob' })).resolves.toMatchObject({ revision: 0n });
    release();
    await expect(waiting).resolves.toMatchObject({ revision: 0n });
  });

  it('goes on with the next command on the stream after one fails', async () => {
    jest.spyOn(store, 'appendToStream').mockRejectedValueOnce(new WrongExpectedRevision('seating-a', 'no_stream', 0n));

    const failing = runner.run('seating-a', seating, { type: 'Seat', name: 'ann' });
    await Promise.resolve();
    const next = runner.run('seating-a', seating, { type: 'Seat', name: 'bob' });

    const outcomes = await Promise.allSettled([failing, next]);

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'fulfilled']);
    expect((await runner.loadRecorded('seating-a', seating)).state.seated).toEqual(['bob']);
  });
});
