import { MemoryEventStore } from '@payments/event-store';
import { MemoryReadModelStore, Projection } from '@payments/read-models';
import { appendEvents, countingProjection } from '../../../read-models/test/counting-projection';
import { ProjectionsService } from './projections.service';

describe('ProjectionsService', () => {
  let events: MemoryEventStore;
  let release: () => void;
  let service: ProjectionsService;
  const fast = countingProjection('fast');
  const blocked = countingProjection('blocked');

  beforeEach(() => {
    events = new MemoryEventStore();
    const gate = new Promise<void>((resolve) => (release = resolve));
    const held: Projection = { ...blocked, project: async (event, reader) => (await gate, blocked.project(event, reader)) };
    service = new ProjectionsService(events, new MemoryReadModelStore(), [fast, held]);
    service.onApplicationBootstrap();
  });

  afterEach(async () => {
    release();
    await service.beforeApplicationShutdown();
    await events.close();
  });

  it('waits only for the projections named, not for one that is behind', async () => {
    const position = await appendEvents(events, 'a-1', 1);

    expect(await service.waitFor(position, 2000, [fast])).toBe(true);
    expect(await service.waitFor(position, 20, [blocked])).toBe(false);
  });

  it('waits for every projection when none is named', async () => {
    const position = await appendEvents(events, 'a-1', 1);

    expect(await service.waitFor(position, 20)).toBe(false);
    release();
    expect(await service.waitFor(position, 2000)).toBe(true);
  });

  it('refuses to wait for a projection it does not run', async () => {
    await expect(service.waitFor(1n, 20, [countingProjection('elsewhere')])).rejects.toThrow(/elsewhere is not run/);
  });
});
