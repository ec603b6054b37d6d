import { MemoryReadModelStore } from '@payments/read-models';
import { PendingWrites } from '@payments/read-models/pending-writes';

describe('documents held in front of the store', () => {
  const put = (id: string, doc: unknown) => ({ op: 'put' as const, collection: 'tallies', id, doc, indexes: [] });

  it('hands each read a copy of its own, so a projection changing what it read changes nothing held', async () => {
    const pending = new PendingWrites(new MemoryReadModelStore());
    pending.add([put('a', { counts: { approved: 1 } })]);

    const read = await pending.get<{ counts: { approved: number } }>('tallies', 'a');
    read!.counts.approved = 99;

    expect(await pending.get('tallies', 'a')).toEqual({ counts: { approved: 1 } });
  });

  it('reads back and commits what was written as JSON would keep it', async () => {
    const store = new MemoryReadModelStore();
    const pending = new PendingWrites(store);
    pending.add([put('a', { counts: [1, undefined], at: new Date('2026-01-02T00:00:00.000Z'), gone: undefined, nan: NaN })]);

    await store.commit('p', undefined, 1n, pending.writes);

    const expected = { counts: [1, null], at: '2026-01-02T00:00:00.000Z', nan: null };
    expect(await pending.get('tallies', 'a')).toStrictEqual(expected);
    expect(await store.get('tallies', 'a')).toStrictEqual(expected);
  });

  it('refuses a document JSON cannot hold when it is written, before any commit', () => {
    expect(() => new PendingWrites(new MemoryReadModelStore()).add([put('a', undefined)])).toThrow('document tallies/a is not JSON');
  });
});
