import { setTimeout as sleep } from 'node:timers/promises';
import { MemoryEventStore } from '@payments/event-store';
import { MemoryReadModelStore } from '@payments/read-models';
import { StreamCount, appendEvents, countingProjection } from '../../../read-models/test/counting-projection';
import { InProcessLeaseStore } from '../leases/in-process-lease-store';
import { LeaseKeeper } from '../leases/lease-keeper';
import { LeaseStore } from '../leases/lease-store';
import { loadSettings } from '../settings';
import { ProjectionsService } from './projections.service';

const TTL_MS = 300;
const settings = loadSettings({ LEASE_TTL: `${TTL_MS}ms` });

/** One process's connection to the deployment's lease store, which a test can cut (a partition, a process that froze). */
class Reachable implements LeaseStore {
  cut = false;

  constructor(private readonly store: LeaseStore) {}

  acquire(name: string, holder: string, ttlMs: number): Promise<boolean> {
    return this.cut ? Promise.reject(new Error('connection lost')) : this.store.acquire(name, holder, ttlMs);
  }

  release(name: string, holder: string): Promise<void> {
    return this.cut ? Promise.reject(new Error('connection lost')) : this.store.release(name, holder);
  }

  async close(): Promise<void> {}
}

/** Two services on one event store and one read-model store, sharing one lease store: two processes of a deployment. */
describe('projections run once per deployment, under their lease', () => {
  const counting = countingProjection('counting');
  let events: MemoryEventStore;
  let readModels: MemoryReadModelStore;
  let leases: InProcessLeaseStore;
  let services: { service: ProjectionsService; reach: Reachable }[];

  beforeEach(() => {
    events = new MemoryEventStore();
    readModels = new MemoryReadModelStore();
    leases = new InProcessLeaseStore({ now: () => new Date() });
    services = [0, 1].map(() => {
      const reach = new Reachable(leases);
      return { service: new ProjectionsService(events, readModels, [counting], settings, new LeaseKeeper(reach, settings)), reach };
    });
    for (const { service } of services) service.onApplicationBootstrap();
  });

  afterEach(async () => {
    for (const { reach } of services) reach.cut = false;
    await Promise.all(services.map(({ service }) => service.beforeApplicationShutdown()));
    await events.close();
  });

  const count = (stream: string) => readModels.get<StreamCount>('counting_counts', stream);
  /** Which of the two services' runners has applied events: the one that runs the projection. */
  const running = () => services.map(({ service }) => service.status()[0].position !== undefined);

  it('applies each event once, in one of the processes, and a wait in either sees it applied, also after events that gave no writes', async () => {
    await sleep(50);
    const counted = await appendEvents(events, 'a-1', 20);
    const quiet = await appendEvents(events, 'other-1', 3, 'Ignored');

    const waits = await Promise.all(services.map(({ service }) => service.waitFor(quiet, 3000)));

    expect(waits).toEqual([true, true]);
    expect(await count('a-1')).toMatchObject({ count: 20 });
    expect(running().filter(Boolean)).toHaveLength(1);
    expect(await readModels.checkpoint('counting')).toBe(quiet);
    expect(counted).toBeLessThan(quiet);
  });

  it('is taken over by the other process once its runner can no longer renew the lease, each event still applied once', async () => {
    await appendEvents(events, 'a-1', 5);
    await sleep(50);
    const holder = running().indexOf(true);
    expect(holder).not.toBe(-1);
    const other = 1 - holder;

    services[holder].reach.cut = true;
    await sleep(TTL_MS * 2);
    const later = await appendEvents(events, 'a-1', 5);

    expect(await services[other].service.waitFor(later, TTL_MS * 5)).toBe(true);
    const document = await count('a-1');
    expect(document?.count).toBe(10);
    expect(new Set(document?.positions).size).toBe(10);
    expect(running()[other]).toBe(true);
  });
});
