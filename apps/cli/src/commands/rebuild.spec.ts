import { MemoryEventStore, randomEventId } from '@payments/event-store';
import { MemoryReadModelStore, Projection, accountsListing, listAccounts } from '@payments/read-models';
import { UsageError } from '../output';
import { rebuild } from './rebuild';

describe('rebuild', () => {
  let events: MemoryEventStore;
  let readModels: MemoryReadModelStore;
  let lines: string[];
  const out = async (line: string) => void lines.push(line);
  const marker: Projection = {
    name: 'markers',
    collections: ['markers'],
    project: (event) => [{ op: 'put', collection: 'markers', id: event.id, doc: { id: event.id }, indexes: [{ index: 'all', score: Number(event.position) }] }],
  };

  beforeEach(async () => {
    events = new MemoryEventStore();
    readModels = new MemoryReadModelStore();
    lines = [];
    for (const id of ['acc_a', 'acc_b']) {
      const data = { account_id: id, name: id, sandbox: false, opened_at: '2024-01-01T00:00:00.000Z' };
      await events.appendToStream(`account-${id}`, [{ id: randomEventId(), type: 'AccountOpened', data, metadata: { schema_version: 1 } }], { expectedRevision: 'no_stream' });
    }
    await readModels.commit('accounts_listing', undefined, 2n, [{ op: 'put', collection: 'accounts', id: 'acc_stale', doc: { id: 'acc_stale' }, indexes: [{ index: 'all', score: 1 }] }]);
  });

  afterEach(() => events.close());

  it('replays the named projection from position 0 and reports what it did', async () => {
    await rebuild('accounts_listing', { events, readModels, projections: [accountsListing, marker], out });

    expect((await listAccounts(readModels, { limit: 10, offset: 0 })).items.map((account) => account.id)).toEqual(['acc_b', 'acc_a']);
    expect(await readModels.checkpoint('markers')).toBeUndefined();
    expect(lines).toEqual([
      'rebuilding accounts_listing',
      expect.stringMatching(/^rebuilt accounts_listing: 2 events in \d+\.\d s, checkpoint 2$/),
      expect.stringMatching(/^2 events read once for 1 projection in \d+\.\d s: \d+ events\/s$/),
    ]);
  });

  it('prints progress while it replays, as plain lines where no terminal shows a bar', async () => {
    const progress: string[] = [];

    await rebuild('markers', { events, readModels, projections: [marker], out, progress: { isTTY: false, write: (text: string) => progress.push(text) > 0 }, head: 2n, progressEveryMs: 0 });

    expect(progress).toContainEqual(expect.stringMatching(/^rebuild: 2 events, at position 2 of 2 \(100 %\), \d+ events\/s\n$/));
  });

  it('leaves the read model it had serving when the rebuild fails halfway', async () => {
    const failing: Projection = { ...accountsListing, project: (event, reader) => (event.position === 2n ? Promise.reject(new Error('projection broke')) : accountsListing.project(event, reader)) };

    await expect(rebuild('accounts_listing', { events, readModels, projections: [failing], out })).rejects.toThrow('projection broke');

    expect((await listAccounts(readModels, { limit: 10, offset: 0 })).items.map((account) => account.id)).toEqual(['acc_stale']);
    expect(await readModels.checkpoint('accounts_listing')).toBe(2n);
  });

  it('replays every projection for all', async () => {
    await rebuild('all', { events, readModels, projections: [accountsListing, marker], out });

    expect(await readModels.checkpoint('accounts_listing')).toBe(2n);
    expect(await readModels.checkpoint('markers')).toBe(2n);
  });

  it('names the known projections when asked for an unknown one', async () => {
    const attempt = rebuild('nope', { events, readModels, projections: [accountsListing, marker], out });

    await expect(attempt).rejects.toThrow(UsageError);
    await expect(attempt).rejects.toThrow('no projection "nope"; known: all, accounts_listing, markers');
  });
});
