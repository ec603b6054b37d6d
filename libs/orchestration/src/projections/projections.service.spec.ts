import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryEventStore, SqliteEventStore, randomEventId } from '@payments/event-store';
import { MemoryReadModelStore, Projection, SqliteReadModelStore, accountsListing, allProjections, listAccounts } from '@payments/read-models';
import { appendEvents, countingProjection } from '../../../read-models/test/counting-projection';
import { InProcessLeaseStore } from '../leases/in-process-lease-store';
import { LeaseKeeper } from '../leases/lease-keeper';
import { systemClock } from '../random-ids';
import { loadSettings } from '../settings';
import { ProjectionsService } from './projections.service';

/** The leases of a service that is the only process of its deployment. */
const keeper = () => new LeaseKeeper(new InProcessLeaseStore(systemClock), loadSettings({}));

describe('ProjectionsService in this thread', () => {
  let events: MemoryEventStore;
  let release: () => void;
  let service: ProjectionsService;
  const fast = countingProjection('fast');
  const blocked = countingProjection('blocked');

  beforeEach(() => {
    events = new MemoryEventStore();
    const gate = new Promise<void>((resolve) => (release = resolve));
    const held: Projection = { ...blocked, project: async (event, reader) => (await gate, blocked.project(event, reader)) };
    service = new ProjectionsService(events, new MemoryReadModelStore(), [fast, held], loadSettings({}), keeper());
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

describe('ProjectionsService on the SQLite event store', () => {
  let dataDir: string;
  let events: SqliteEventStore;
  let readModels: SqliteReadModelStore;
  let service: ProjectionsService;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'projections-service-'));
    events = new SqliteEventStore({ dataDir });
    readModels = new SqliteReadModelStore({ dataDir });
    service = new ProjectionsService(events, readModels, allProjections, loadSettings({ DATA_DIR: dataDir }), keeper());
    service.onApplicationBootstrap();
  });

  afterEach(async () => {
    await service.beforeApplicationShutdown();
    await Promise.all([events.close(), readModels.close()]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  const openAccount = async (id: string) => {
    const data = { account_id: id, name: 'Shop', sandbox: false, opened_at: '2026-11-21T00:00:00.000Z' };
    const appended = await events.appendToStream(`account-${id}`, [{ id: randomEventId(), type: 'AccountOpened', data, metadata: { schema_version: 1 } }], {
      expectedRevision: 'no_stream',
    });
    return appended.position;
  };

  it('applies each append in the projection thread, and a read next sees it', async () => {
    for (const id of ['acc_stg_a', 'acc_stg_b']) {
      expect(await service.waitFor(await openAccount(id), 5000, [accountsListing])).toBe(true);
    }

    const { items } = await listAccounts(readModels, { limit: 10, offset: 0 });
    expect(items.map((account) => account.id).sort()).toEqual(['acc_stg_a', 'acc_stg_b']);
    expect(service.status().map(({ projection }) => projection).sort()).toEqual(allProjections.map(({ name }) => name).sort());
    expect(service.status().find(({ projection }) => projection === accountsListing.name)).toMatchObject({ lag: 0n });
  });

  it('follows the log again when started after a stop', async () => {
    await service.waitFor(await openAccount('acc_stg_a'), 5000, [accountsListing]);
    await service.beforeApplicationShutdown();
    const later = await openAccount('acc_stg_b');

    service.onApplicationBootstrap();

    expect(await service.waitFor(later, 5000, [accountsListing])).toBe(true);
    expect((await listAccounts(readModels, { limit: 10, offset: 0 })).total).toBe(2);
  });

  it('stops once, however often it is asked', async () => {
    await service.waitFor(await openAccount('acc_stg_a'), 5000, [accountsListing]);

    await Promise.all([service.beforeApplicationShutdown(), service.beforeApplicationShutdown()]);

    const later = await openAccount('acc_stg_b');
    expect(await service.waitFor(later, 50, [accountsListing])).toBe(false);
  });
});
