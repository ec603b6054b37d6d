import { MemoryEventStore } from '@payments/event-store';
import { MemoryReadModelStore, ProjectionRunner, ReadModelsFollowAnotherStore, checkFollowedEventStore } from '@payments/read-models';
import { StreamCount, appendEvents, countingProjection } from './counting-projection';

/** Read models filled from `old`, the way a Redis that served an earlier DATA_DIR holds them. */
async function readModelsOf(old: MemoryEventStore, events: number) {
  const projection = countingProjection();
  const readModels = new MemoryReadModelStore();
  await checkFollowedEventStore(old, readModels, [projection], 'refuse');
  await appendEvents(old, 'counter-old', events);
  await new ProjectionRunner(projection, old, readModels).catchUp();
  return { projection, readModels };
}

describe('checking which event store the read models follow', () => {
  it('takes over a read-model store that follows none, and then finds it the same', async () => {
    const events = new MemoryEventStore();
    const readModels = new MemoryReadModelStore();

    expect(await checkFollowedEventStore(events, readModels, [countingProjection()], 'refuse')).toEqual({ outcome: 'adopted', identity: await events.identity() });
    expect(await checkFollowedEventStore(events, readModels, [countingProjection()], 'refuse')).toEqual({ outcome: 'same', identity: await events.identity() });
  });

  it('refuses read models of another event store, saying which store each is, and changes nothing', async () => {
    const old = new MemoryEventStore();
    const { projection, readModels } = await readModelsOf(old, 3);
    const fresh = new MemoryEventStore();

    const refusal = checkFollowedEventStore(fresh, readModels, [projection], 'refuse');

    await expect(refusal).rejects.toThrow(ReadModelsFollowAnotherStore);
    await expect(refusal).rejects.toThrow(`the read models follow event store ${await old.identity()}, not this one (${await fresh.identity()})`);
    expect(await readModels.followedEventStore()).toBe(await old.identity());
    expect(await readModels.checkpoint(projection.name)).toBe(3n);
  });

  it('rebuilds read models of another event store from the new one when told to: none of the old documents stay, none of the new events is skipped', async () => {
    const old = new MemoryEventStore();
    const { projection, readModels } = await readModelsOf(old, 5);
    const fresh = new MemoryEventStore();
    await appendEvents(fresh, 'counter-new', 2);

    expect(await checkFollowedEventStore(fresh, readModels, [projection], 'rebuild')).toEqual({ outcome: 'rebuilt', identity: await fresh.identity(), followed: await old.identity() });
    await new ProjectionRunner(projection, fresh, readModels).catchUp();

    expect(await readModels.followedEventStore()).toBe(await fresh.identity());
    expect(await readModels.get<StreamCount>('counting_counts', 'counter-old')).toBeUndefined();
    expect(await readModels.get<StreamCount>('counting_counts', 'counter-new')).toMatchObject({ count: 2 });
  });

  it('refuses checkpoints recorded before identities were, beside an event store that is empty', async () => {
    const projection = countingProjection();
    const readModels = new MemoryReadModelStore();
    await readModels.commit(projection.name, undefined, 7n, []);

    await expect(checkFollowedEventStore(new MemoryEventStore(), readModels, [projection], 'refuse')).rejects.toThrow(/hold checkpoints but this event store .* is empty/);
  });

  it('takes over checkpoints recorded before identities were, beside an event store that has events', async () => {
    const events = new MemoryEventStore();
    const { projection, readModels } = await readModelsOf(events, 2);
    const unrecorded = new MemoryReadModelStore();
    await unrecorded.commit(projection.name, undefined, await readModels.checkpoint(projection.name) as bigint, []);

    expect((await checkFollowedEventStore(events, unrecorded, [projection], 'refuse')).outcome).toBe('adopted');
  });
});
