import { MemoryEventStore, RecordedEvent } from '@payments/event-store';
import { EventFeed, MemoryReadModelStore, Projection, ProjectionRunner, ProjectionRunnerOptions, rebuildProjections } from '@payments/read-models';
import { StreamCount, appendEvents, countingProjection } from './counting-projection';

describe('projection runners sharing one EventFeed', () => {
  let events: MemoryEventStore;
  let readModels: MemoryReadModelStore;
  let feed: EventFeed;
  const runners: ProjectionRunner[] = [];

  beforeEach(() => {
    events = new MemoryEventStore();
    readModels = new MemoryReadModelStore();
    feed = new EventFeed(events);
  });

  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.stop()));
    await events.close();
  });

  function shared(projection: Projection, options: ProjectionRunnerOptions = {}): ProjectionRunner {
    const runner = new ProjectionRunner(projection, events, readModels, { feed, retryDelayMs: 5, ...options });
    runners.push(runner);
    return runner;
  }

  const count = (projection: string, stream = 'a-1') => readModels.get<StreamCount>(`${projection}_counts`, stream);
  const counted = (stream: string, count: number): StreamCount => ({ stream, count, positions: Array.from({ length: count }, (_, i) => String(i + 1)) });
  const eventsRead = (read: jest.SpyInstance<RecordedEvent[]>) => read.mock.results.reduce((total, result) => total + (result.value as RecordedEvent[]).length, 0);

  it('reads each event from the log once and applies it once to every projection', async () => {
    const subscribe = jest.spyOn(events, 'subscribeToAll');
    const read = jest.spyOn(events, 'readAllPage');
    await appendEvents(events, 'a-1', 30);
    const following = ['one', 'two', 'three'].map((name) => shared(countingProjection(name), { batchSize: 7 }));
    following.forEach((runner) => runner.start());

    const last = await appendEvents(events, 'a-1', 30);

    for (const runner of following) expect(await runner.waitFor(last, 2000)).toBe(true);
    expect(subscribe).toHaveBeenCalledTimes(1);
    expect(eventsRead(read)).toBe(60);
    for (const name of ['one', 'two', 'three']) expect(await count(name)).toEqual(counted('a-1', 60));
  });

  it('starts after the lowest checkpoint and resumes each projection from its own', async () => {
    await appendEvents(events, 'a-1', 5);
    await new ProjectionRunner(countingProjection('behind'), events, readModels).catchUp();
    await appendEvents(events, 'a-1', 5);
    await new ProjectionRunner(countingProjection('ahead'), events, readModels).catchUp();
    await appendEvents(events, 'a-1', 5);
    const subscribe = jest.spyOn(events, 'subscribeToAll');
    const read = jest.spyOn(events, 'readAllPage');
    const following = [shared(countingProjection('behind')), shared(countingProjection('ahead'))];
    following.forEach((runner) => runner.start());

    const last = await appendEvents(events, 'a-1', 5);

    for (const runner of following) expect(await runner.waitFor(last, 2000)).toBe(true);
    expect(subscribe).toHaveBeenCalledTimes(1);
    expect(subscribe).toHaveBeenCalledWith(expect.objectContaining({ fromPosition: 5n }));
    expect(eventsRead(read)).toBe(15);
    expect(await count('behind')).toEqual(counted('a-1', 20));
    expect(await count('ahead')).toEqual(counted('a-1', 20));
  });

  it('goes back for a projection that joins behind it without repeating events for the others', async () => {
    const early = shared(countingProjection('early'));
    early.start();
    await early.waitFor(await appendEvents(events, 'a-1', 10), 2000);

    const late = shared(countingProjection('late'));
    late.start();
    const last = await appendEvents(events, 'a-1', 3);

    expect(await late.waitFor(last, 2000)).toBe(true);
    expect(await early.waitFor(last, 2000)).toBe(true);
    expect(await count('early')).toEqual(counted('a-1', 13));
    expect(await count('late')).toEqual(counted('a-1', 13));
  });

  it('keeps feeding the others while one projection throws, and that one catches up after', async () => {
    let broken = true;
    const counting = countingProjection('flaky');
    const flaky: Projection = {
      ...counting,
      project(event, reader) {
        if (broken && event.position === 5n) throw new Error('projection bug');
        return counting.project(event, reader);
      },
    };
    const errors: unknown[] = [];
    const healthy = shared(countingProjection('healthy'), { batchSize: 2 });
    const failing = shared(flaky, { batchSize: 2, onError: (error) => errors.push(error) });
    healthy.start();
    failing.start();

    const last = await appendEvents(events, 'a-1', 20);

    expect(await healthy.waitFor(last, 2000)).toBe(true);
    expect(errors.length).toBeGreaterThan(0);
    expect(failing.position).toBeLessThan(5n);
    broken = false;
    expect(await failing.waitFor(last, 2000)).toBe(true);
    const later = await appendEvents(events, 'a-1', 3);
    expect(await failing.waitFor(later, 2000)).toBe(true);
    expect(await healthy.waitFor(later, 2000)).toBe(true);
    expect(await count('flaky')).toEqual(counted('a-1', 23));
    expect(await count('healthy')).toEqual(counted('a-1', 23));
  });

  it('lets a slow projection hold the feed back without losing an event of the others', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const counting = countingProjection('slow');
    const slow: Projection = { ...counting, project: async (event, reader) => (await gate, counting.project(event, reader)) };
    const following = [shared(slow, { batchSize: 1 }), shared(countingProjection('fast'), { batchSize: 1 })];
    following.forEach((runner) => runner.start());

    const last = await appendEvents(events, 'a-1', 30);
    release();

    for (const runner of following) expect(await runner.waitFor(last, 2000)).toBe(true);
    expect(await count('slow')).toEqual(counted('a-1', 30));
    expect(await count('fast')).toEqual(counted('a-1', 30));
  });

  it('reports a log that cannot be read to every runner, and each resumes from its checkpoint', async () => {
    const errors: string[] = [];
    jest.spyOn(events, 'readAllPage').mockImplementationOnce(() => {
      throw new Error('log unreadable');
    });
    const following = ['one', 'two'].map((name) => shared(countingProjection(name), { onError: () => errors.push(name) }));
    await appendEvents(events, 'a-1', 4);
    following.forEach((runner) => runner.start());

    const last = await appendEvents(events, 'a-1', 4);

    for (const runner of following) expect(await runner.waitFor(last, 2000)).toBe(true);
    expect(errors.sort()).toEqual(['one', 'two']);
    expect(await count('one')).toEqual(counted('a-1', 8));
    expect(await count('two')).toEqual(counted('a-1', 8));
  });

  it('feeds a projection on in its rebuilt read model, and the others as before', async () => {
    const rebuilt = shared(countingProjection('rebuilt'));
    const other = shared(countingProjection('other'));
    rebuilt.start();
    other.start();
    await rebuilt.waitFor(await appendEvents(events, 'a-1', 5), 2000);

    await rebuildProjections([countingProjection('rebuilt')], events, readModels);
    const last = await appendEvents(events, 'a-1', 2);

    expect(await rebuilt.waitFor(last, 2000)).toBe(true);
    expect(await other.waitFor(last, 2000)).toBe(true);
    expect(await count('rebuilt')).toEqual(counted('a-1', 7));
    expect(await count('other')).toEqual(counted('a-1', 7));
  });

  it('keeps feeding the others after one runner stops', async () => {
    const stopped = shared(countingProjection('stopped'));
    const other = shared(countingProjection('other'));
    stopped.start();
    other.start();
    await stopped.waitFor(await appendEvents(events, 'a-1', 2), 2000);

    await stopped.stop();
    const last = await appendEvents(events, 'a-1', 3);

    expect(await other.waitFor(last, 2000)).toBe(true);
    expect(await count('other')).toEqual(counted('a-1', 5));
    expect(await count('stopped')).toEqual(counted('a-1', 2));
  });
});
