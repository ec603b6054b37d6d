import { setTimeout as sleep } from 'node:timers/promises';
import { MemoryEventStore } from '@payments/event-store';
import { MemoryReadModelStore, Projection } from '@payments/read-models';
import { StreamCount, appendEvents, countingProjection } from '../../../read-models/test/counting-projection';
import { InProcessLeaseStore } from '../leases/in-process-lease-store';
import { LeaseKeeper } from '../leases/lease-keeper';
import { LeaseStore } from '../leases/lease-store';
import { loadSettings } from '../settings';
import { ProjectionsService } from './projections.service';
import { Reachable } from '../../test/reachable-lease-store';

const TTL_MS = 300;
const settings = loadSettings({ LEASE_TTL: `${TTL_MS}ms` });


/** Two services on one event store and one read-model store, sharing one lease store: two processes of a deployment. */
describe('projections run once per deployment, under their lease', () => {
  const counting = countingProjection('counting');
  let events: MemoryEventStore;
  let readModels: MemoryReadModelStore;
  let leases: InProcessLeaseStore;
  let services: { service: ProjectionsService; reach: Reachable }[];
  let appliedBy: number[];

  beforeEach(() => {
    events = new MemoryEventStore();
    readModels = new MemoryReadModelStore();
    leases = new InProcessLeaseStore({ now: () => new Date() });
    appliedBy = [0, 0];
    services = [0, 1].map((i) => {
      const reach = new Reachable(leases);
      // The same projection in each process, counting the events this process applied.
      const projection: Projection = { ...counting, project: (event, reader) => (appliedBy[i]++, counting.project(event, reader)) };
      return { service: new ProjectionsService(events, readModels, [projection], settings, new LeaseKeeper(reach, settings)), reach };
    });
    for (const { service } of services) service.onApplicationBootstrap();
  });

  afterEach(async () => {
    for (const { reach } of services) reach.cut = false;
    await Promise.all(services.map(({ service }) => service.beforeApplicationShutdown()));
    await events.close();
  });

  const count = (stream: string) => readModels.get<StreamCount>('counting_counts', stream);
  /** Which of the two services has applied events since `before`: the one that runs the projection. */
  const applying = (before: number[]) => appliedBy.map((count, i) => count > before[i]);

  it('applies each event once, in one of the processes, and a wait in either sees it applied, also after events that gave no writes', async () => {
    await sleep(50);
    const counted = await appendEvents(events, 'a-1', 20);
    const quiet = await appendEvents(events, 'other-1', 3, 'Ignored');

    const waits = await Promise.all(services.map(({ service }) => service.waitFor(quiet, 3000)));

    expect(waits).toEqual([true, true]);
    expect(await count('a-1')).toMatchObject({ count: 20 });
    expect(applying([0, 0]).filter(Boolean)).toHaveLength(1);
    expect(await readModels.checkpoint('counting')).toBe(quiet);
    expect(counted).toBeLessThan(quiet);
  });

  it('reports in its status, in the process that does not run the projection, how far the other has got', async () => {
    await sleep(50);
    const last = await appendEvents(events, 'a-1', 3);
    await Promise.all(services.map(({ service }) => service.waitFor(last, 3000)));
    const notRunning = applying([0, 0]).indexOf(false);

    const deadline = Date.now() + 3000;
    while (services[notRunning].service.status()[0].position !== last && Date.now() < deadline) await sleep(50);

    expect(services[notRunning].service.status()).toEqual([{ projection: 'counting', position: last, lag: 0n }]);
  });

  it('is taken over by the other process once its runner can no longer renew the lease, each event still applied once', async () => {
    await sleep(50);
    await services[0].service.waitFor(await appendEvents(events, 'a-1', 5), 3000);
    const holder = applying([0, 0]).indexOf(true);
    expect(holder).not.toBe(-1);
    const other = 1 - holder;

    services[holder].reach.cut = true;
    await sleep(TTL_MS * 2);
    const before = [...appliedBy];
    const later = await appendEvents(events, 'a-1', 5);

    expect(await services[other].service.waitFor(later, TTL_MS * 5)).toBe(true);
    const document = await count('a-1');
    expect(document?.count).toBe(10);
    expect(new Set(document?.positions).size).toBe(10);
    expect(applying(before)).toEqual(holder === 0 ? [false, true] : [true, false]);
  });
});
