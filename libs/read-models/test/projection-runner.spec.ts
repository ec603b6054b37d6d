import { MemoryEventStore, RecordedEvent } from '@payments/event-store';
import { MemoryReadModelStore, Projection, ProjectionRunner, ProjectionRunnerOptions, rebuildProjections } from '@payments/read-models';
import { StreamCount, appendEvents, countingProjection } from './counting-projection';
import { CountingStore, withFailingCommits } from './store-faults';

describe('ProjectionRunner', () => {
  let events: MemoryEventStore;
  let readModels: MemoryReadModelStore;
  let store: CountingStore;
  const runners: ProjectionRunner[] = [];

  beforeEach(() => {
    events = new MemoryEventStore();
    readModels = new MemoryReadModelStore();
    store = withFailingCommits(readModels);
  });

  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.stop()));
    await events.close();
  });

  function runner(projection: Projection = countingProjection(), options: ProjectionRunnerOptions = {}, on = store): ProjectionRunner {
    const created = new ProjectionRunner(projection, events, on, { retryDelayMs: 5, ...options });
    runners.push(created);
    return created;
  }

  const count = (stream: string) => readModels.get<StreamCount>('counting_counts', stream);

  describe('following', () => {
    it('applies the stored events, then those appended later', async () => {
      await appendEvents(events, 'a-1', 3);
      const following = runner();
      following.start();
      const last = await appendEvents(events, 'a-1', 2);

      expect(await following.waitFor(last, 2000)).toBe(true);
      expect((await count('a-1'))?.count).toBe(5);
      expect(await readModels.checkpoint('counting')).toBe(last);
    });

    it('commits a backlog in batches, not event by event', async () => {
      const last = await appendEvents(events, 'a-1', 200);
      const following = runner(countingProjection(), { batchSize: 50 });
      following.start();

      await following.waitFor(last, 2000);
      expect((await count('a-1'))?.count).toBe(200);
      expect(store.commits).toBeLessThanOrEqual(8);
    });

    it('does not store a checkpoint for each event that gives no writes', async () => {
      await appendEvents(events, 'a-1', 1);
      const following = runner();
      following.start();
      await following.waitFor(1n, 2000);

      const quiet = await appendEvents(events, 'other-1', 20, 'Ignored');

      expect(await following.waitFor(quiet, 2000)).toBe(true);
      expect(following.position).toBe(quiet);
      expect(await readModels.checkpoint('counting')).toBe(1n);
    });

    it('stores the checkpoint of a long quiet stretch now and then', async () => {
      const quiet = await appendEvents(events, 'other-1', 1200, 'Ignored');
      const following = runner();
      following.start();

      await following.waitFor(quiet, 5000);
      expect(await readModels.checkpoint('counting')).toBeGreaterThanOrEqual(1000n);
    });

    it('with storeCheckpointWithinMs, stores the position of a quiet tail soon after it goes quiet, for processes that do not run the projection', async () => {
      await appendEvents(events, 'a-1', 1);
      const following = runner(countingProjection(), { storeCheckpointWithinMs: 20 });
      following.start();
      await following.waitFor(1n, 2000);

      const quiet = await appendEvents(events, 'other-1', 20, 'Ignored');
      await following.waitFor(quiet, 2000);

      const deadline = Date.now() + 2000;
      while ((await readModels.checkpoint('counting')) !== quiet && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(await readModels.checkpoint('counting')).toBe(quiet);
    });

    it('reports a failing projection and resumes from the checkpoint without repeating an event', async () => {
      let failures = 0;
      const projection = countingProjection();
      const flaky: Projection = {
        ...projection,
        project(event: RecordedEvent, reader) {
          if (event.position === 4n && failures++ === 0) throw new Error('projection bug');
          return projection.project(event, reader);
        },
      };
      const errors: unknown[] = [];
      const last = await appendEvents(events, 'a-1', 6);
      const following = runner(flaky, { batchSize: 2, onError: (error) => errors.push(error) });
      following.start();

      expect(await following.waitFor(last, 2000)).toBe(true);
      expect(errors).toEqual([new Error('projection bug')]);
      expect(await count('a-1')).toEqual({ stream: 'a-1', count: 6, positions: ['1', '2', '3', '4', '5', '6'] });
    });

    it('does not apply again a batch whose commit was acknowledged as failed after it was stored', async () => {
      store = withFailingCommits(readModels, (call) => (call === 1 ? 'after' : undefined));
      const last = await appendEvents(events, 'a-1', 10);
      const following = runner(countingProjection(), { batchSize: 4 });
      following.start();

      expect(await following.waitFor(last, 2000)).toBe(true);
      expect((await count('a-1'))?.positions).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    });

    it('shares the work with a competing runner, each event applied once', async () => {
      const first = runner(countingProjection(), { batchSize: 3 });
      const second = runner(countingProjection(), { batchSize: 5 });
      first.start();
      second.start();
      let last = 0n;
      for (let i = 0; i < 10; i++) last = await appendEvents(events, `a-${i % 3}`, 7);

      expect(await first.waitFor(last, 5000)).toBe(true);
      expect(await second.waitFor(last, 5000)).toBe(true);
      const counts = await Promise.all(['a-0', 'a-1', 'a-2'].map(count));
      expect(counts.map((c) => c?.count)).toEqual([28, 21, 21]);
      expect(counts.flatMap((c) => c?.positions ?? []).sort((a, b) => Number(a) - Number(b))).toEqual(
        Array.from({ length: 70 }, (_, i) => String(i + 1)),
      );
    });

    it('reads documents from the store again once a competing runner has committed in between', async () => {
      const projection = countingProjection();
      let hold: Promise<void> | undefined;
      const held: Projection = { ...projection, project: async (event, reader) => (await hold, projection.project(event, reader)) };
      const following = runner(held);
      following.start();
      await following.waitFor(await appendEvents(events, 'a-1', 1), 2000);

      let release!: () => void;
      hold = new Promise((resolve) => (release = resolve));
      await appendEvents(events, 'a-1', 1);
      // Another process applies the second event while this runner is still projecting it.
      await runner().catchUp();
      release();
      const last = await appendEvents(events, 'a-1', 1);

      expect(await following.waitFor(last, 2000)).toBe(true);
      expect((await count('a-1'))?.positions).toEqual(['1', '2', '3']);
    });

    it('shows the events seen but not yet applied as lag, and none once caught up', async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const projection = countingProjection();
      const slow: Projection = { ...projection, project: async (event, reader) => (await gate, projection.project(event, reader)) };
      const last = await appendEvents(events, 'a-1', 5);
      const following = runner(slow, { batchSize: 1 });
      following.start();

      await waitUntil(() => following.lag > 0n);
      expect(following.lag).toBeGreaterThanOrEqual(1n);
      release();
      await following.waitFor(last, 2000);
      expect(following.lag).toBe(0n);
    });

    it('waits for a position no event has reached, then answers false', async () => {
      const following = runner();
      following.start();

      expect(await following.waitFor(1n, 30)).toBe(false);
    });

    it('stops without applying more events', async () => {
      const following = runner();
      following.start();
      await following.waitFor(await appendEvents(events, 'a-1', 1), 2000);
      await following.stop();

      await appendEvents(events, 'a-1', 3);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect((await count('a-1'))?.count).toBe(1);
    });
  });

  describe('catching up', () => {
    it('applies every stored event in batches of the batch size, then returns', async () => {
      const last = await appendEvents(events, 'a-1', 100);
      const progress: bigint[] = [];

      await runner(countingProjection(), { batchSize: 40 }).catchUp((step) => progress.push(step.position));

      expect((await count('a-1'))?.count).toBe(100);
      expect(progress).toEqual([40n, 80n, 100n]);
      expect(store.commits).toBe(3);
      expect(await readModels.checkpoint('counting')).toBe(last);
    });

    it('stores the checkpoint of a quiet tail at the end', async () => {
      await appendEvents(events, 'a-1', 2);
      const last = await appendEvents(events, 'other-1', 5, 'Ignored');

      await runner().catchUp();

      expect(await readModels.checkpoint('counting')).toBe(last);
    });

    it('lets a projection read what an earlier event of the same batch wrote', async () => {
      await appendEvents(events, 'a-1', 30);

      await runner(countingProjection(), { batchSize: 30 }).catchUp();

      expect(store.commits).toBe(1);
      expect((await count('a-1'))?.count).toBe(30);
    });

    it('continues from the stored checkpoint', async () => {
      await appendEvents(events, 'a-1', 3);
      await runner().catchUp();
      await appendEvents(events, 'a-1', 2);

      await runner().catchUp();

      expect((await count('a-1'))?.positions).toEqual(['1', '2', '3', '4', '5']);
    });

    it('refuses to catch up while following', async () => {
      const following = runner();
      following.start();

      await expect(following.catchUp()).rejects.toThrow(/stop it first/);
    });
  });

  describe('catching up together', () => {
    it('reads each event of the log once for all the runners and applies it once to each', async () => {
      const read = jest.spyOn(events, 'readAllPage');
      await appendEvents(events, 'a-1', 30);
      await appendEvents(events, 'other-1', 5, 'Ignored');
      const together = ['one', 'two', 'three'].map((name) => runner(countingProjection(name), { batchSize: 7 }));
      const progress: number[] = [];

      await ProjectionRunner.catchUpTogether(together, ({ events: count }) => progress.push(count));

      const eventsRead = read.mock.results.reduce((total, result) => total + (result.value as RecordedEvent[]).length, 0);
      expect(eventsRead).toBe(35);
      expect(progress).toEqual([7, 14, 21, 28, 35]);
      for (const name of ['one', 'two', 'three']) {
        expect((await readModels.get<StreamCount>(`${name}_counts`, 'a-1'))?.positions).toEqual(Array.from({ length: 30 }, (_, i) => String(i + 1)));
        expect(await readModels.checkpoint(name)).toBe(35n);
      }
    });
  });

  describe('rebuilding', () => {
    it('follows on in the rebuilt read model once a rebuild beside it is published', async () => {
      const following = runner();
      following.start();
      await following.waitFor(await appendEvents(events, 'a-1', 3), 2000);
      await readModels.commit('counting', 3n, 3n, [{ op: 'put', collection: 'counting_counts', id: 'stray', doc: { stream: 'stray' }, indexes: [] }]);

      await rebuildProjections([countingProjection()], events, readModels);
      const last = await appendEvents(events, 'a-1', 1);

      expect(await following.waitFor(last, 2000)).toBe(true);
      expect(await count('a-1')).toEqual({ stream: 'a-1', count: 4, positions: ['1', '2', '3', '4'] });
      expect(await count('stray')).toBeUndefined();
    });
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
