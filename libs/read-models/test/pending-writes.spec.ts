import { MemoryReadModelStore } from '@payments/read-models';
import { PendingWrites } from '@payments/read-models/pending-writes';

describe('the pending writes of a batch', () => {
  const put = (id: string, n: number) => ({ op: 'put' as const, collection: 'counters', id, doc: { n }, indexes: [{ index: 'all', score: n }] });

  it('commits only the last write of a document written by several events, in the order of the last writes', async () => {
    const pending = new PendingWrites(new MemoryReadModelStore());
    pending.add([put('a', 1)]);
    pending.add([put('b', 1)]);
    pending.add([put('a', 2)]);
    pending.add([put('c', 1), { op: 'delete', collection: 'counters', id: 'b' }]);

    expect(pending.writes).toEqual([put('a', 2), put('c', 1), { op: 'delete', collection: 'counters', id: 'b' }]);
    expect(await pending.get('counters', 'a')).toEqual({ n: 2 });
    expect(await pending.get('counters', 'b')).toBeUndefined();
  });

  it('leaves the store as applying every write in turn would', async () => {
    const writes = [[put('a', 1), put('b', 5)], [put('a', 2)], [{ op: 'delete' as const, collection: 'counters', id: 'b' }], [put('b', 7), put('a', 3)]];
    const everyWrite = new MemoryReadModelStore();
    await everyWrite.commit('p', undefined, 1n, writes.flat());
    const lastWrites = new MemoryReadModelStore();
    const pending = new PendingWrites(lastWrites);
    for (const batch of writes) pending.add(batch);
    await lastWrites.commit('p', undefined, 1n, pending.writes);

    for (const store of [everyWrite, lastWrites]) {
      expect(await store.getMany('counters', ['a', 'b'])).toEqual([{ n: 3 }, { n: 7 }]);
      expect((await store.list('counters', 'all', { limit: 10, offset: 0, order: 'asc' })).items).toEqual([{ n: 3 }, { n: 7 }]);
    }
  });
});
