import { IndexEntry, ReadModelRebuild, ReadModelStore, ReadModelWrite } from '@payments/read-models';

export interface OpenedStore {
  store: ReadModelStore;
  /** Closes the store and removes everything it stored. */
  dispose(): Promise<void>;
}

/** The behaviour every ReadModelStore adapter shares; each adapter's spec calls this once. */
export function readModelStoreContract(open: () => Promise<OpenedStore>): void {
  let opened: OpenedStore;
  let store: ReadModelStore;

  beforeEach(async () => {
    opened = await open();
    store = opened.store;
  });

  afterEach(async () => {
    await opened.dispose();
  });

  /** Commits as the one writer of projection `test` would: from its checkpoint to the next. */
  async function write(...writes: ReadModelWrite[]): Promise<void> {
    const current = await store.checkpoint('test');
    const committed = await store.commit('test', current, (current ?? 0n) + 1n, writes);
    if (!committed) throw new Error('commit refused');
  }

  function put(collection: string, id: string, doc: unknown, ...indexes: IndexEntry[]): ReadModelWrite {
    return { op: 'put', collection, id, doc, indexes };
  }

  function entry(index: string, score: number): IndexEntry {
    return { index, score };
  }

  async function ids(collection: string, index: string, order: 'asc' | 'desc' = 'asc', limit = 100, offset = 0) {
    const page = await store.list<{ id: string }>(collection, index, { order, limit, offset });
    return { ids: page.items.map((item) => item.id), total: page.total };
  }

  describe('documents', () => {
    it('reads back a put document as JSON would', async () => {
      await write(put('things', 'a', { id: 'a', at: new Date('2024-01-02T03:04:05.000Z'), gone: undefined, list: [], nested: { n: 1.5 } }));

      expect(await store.get('things', 'a')).toEqual({ id: 'a', at: '2024-01-02T03:04:05.000Z', list: [], nested: { n: 1.5 } });
    });

    it('reads a missing document as undefined', async () => {
      expect(await store.get('things', 'nope')).toBeUndefined();
    });

    it('replaces a document on a second put', async () => {
      await write(put('things', 'a', { id: 'a', v: 1, old: true }));
      await write(put('things', 'a', { id: 'a', v: 2 }));

      expect(await store.get('things', 'a')).toEqual({ id: 'a', v: 2 });
    });

    it('deletes a document', async () => {
      await write(put('things', 'a', { id: 'a' }));
      await write({ op: 'delete', collection: 'things', id: 'a' });

      expect(await store.get('things', 'a')).toBeUndefined();
    });

    it('commits the delete of a missing document as a no-op', async () => {
      await write({ op: 'delete', collection: 'things', id: 'never' });

      expect(await store.checkpoint('test')).toBe(1n);
    });

    it('reads many documents in the order asked, undefined where missing', async () => {
      await write(put('things', 'a', { id: 'a' }), put('things', 'b', { id: 'b' }));

      expect(await store.getMany('things', ['b', 'missing', 'a'])).toEqual([{ id: 'b' }, undefined, { id: 'a' }]);
      expect(await store.getMany('things', [])).toEqual([]);
    });

    it('applies the writes of one commit in order', async () => {
      await write(put('things', 'a', { id: 'a' }), { op: 'delete', collection: 'things', id: 'a' }, put('things', 'b', { id: 'b', v: 1 }), put('things', 'b', { id: 'b', v: 2 }));

      expect(await store.get('things', 'a')).toBeUndefined();
      expect(await store.get('things', 'b')).toEqual({ id: 'b', v: 2 });
    });

    it('keeps documents of the same id in different collections apart', async () => {
      await write(put('things', 'a', { id: 'a', kind: 'thing' }), put('others', 'a', { id: 'a', kind: 'other' }));
      await write({ op: 'delete', collection: 'others', id: 'a' });

      expect(await store.get('things', 'a')).toEqual({ id: 'a', kind: 'thing' });
      expect(await store.get('others', 'a')).toBeUndefined();
    });
  });

  describe('lists', () => {
    beforeEach(async () => {
      await write(
        put('things', 'c', { id: 'c' }, entry('all', 2)),
        put('things', 'a', { id: 'a' }, entry('all', 3)),
        put('things', 'd', { id: 'd' }, entry('all', 1)),
        put('things', 'b', { id: 'b' }, entry('all', 2)),
      );
    });

    it('lists an index by ascending score, equal scores by id', async () => {
      expect(await ids('things', 'all', 'asc')).toEqual({ ids: ['d', 'b', 'c', 'a'], total: 4 });
    });

    it('lists descending as the exact reverse, equal scores by id descending', async () => {
      expect(await ids('things', 'all', 'desc')).toEqual({ ids: ['a', 'c', 'b', 'd'], total: 4 });
    });

    it('pages by limit and offset with the total of the whole index', async () => {
      expect(await ids('things', 'all', 'desc', 2, 0)).toEqual({ ids: ['a', 'c'], total: 4 });
      expect(await ids('things', 'all', 'desc', 2, 2)).toEqual({ ids: ['b', 'd'], total: 4 });
      expect(await ids('things', 'all', 'asc', 3, 1)).toEqual({ ids: ['b', 'c', 'a'], total: 4 });
    });

    it('gives no items but the total past the end', async () => {
      expect(await ids('things', 'all', 'asc', 10, 4)).toEqual({ ids: [], total: 4 });
    });

    it('gives only the total for a limit of 0', async () => {
      expect(await ids('things', 'all', 'asc', 0, 0)).toEqual({ ids: [], total: 4 });
    });

    it.each([
      ['a negative limit', -1, 0],
      ['a negative offset', 10, -1],
      ['a fractional limit', 1.5, 0],
    ])('refuses %s', async (_, limit, offset) => {
      await expect(store.list('things', 'all', { order: 'asc', limit, offset })).rejects.toThrow(RangeError);
    });

    it('lists an index nobody wrote as empty', async () => {
      expect(await ids('things', 'nothing')).toEqual({ ids: [], total: 0 });
    });

    it('orders fractional, negative and large scores numerically', async () => {
      await write(
        put('scores', 'big', { id: 'big' }, entry('all', 1_700_000_000_123)),
        put('scores', 'neg', { id: 'neg' }, entry('all', -5)),
        put('scores', 'half', { id: 'half' }, entry('all', 0.5)),
        put('scores', 'ten', { id: 'ten' }, entry('all', 10)),
      );

      expect((await ids('scores', 'all')).ids).toEqual(['neg', 'half', 'ten', 'big']);
    });

    it('moves a document between indexes when a put lists other indexes', async () => {
      await write(put('things', 'x', { id: 'x' }, entry('status:open', 5), entry('all', 5)));
      await write(put('things', 'x', { id: 'x' }, entry('status:complete', 5), entry('all', 0)));

      expect(await ids('things', 'status:open')).toEqual({ ids: [], total: 0 });
      expect(await ids('things', 'status:complete')).toEqual({ ids: ['x'], total: 1 });
      expect((await ids('things', 'all')).ids).toEqual(['x', 'd', 'b', 'c', 'a']);
    });

    it('takes a document out of every list when a put lists no index', async () => {
      await write(put('things', 'a', { id: 'a' }));

      expect(await ids('things', 'all')).toEqual({ ids: ['d', 'b', 'c'], total: 3 });
      expect(await store.get('things', 'a')).toEqual({ id: 'a' });
    });

    it('takes a deleted document out of its lists', async () => {
      await write({ op: 'delete', collection: 'things', id: 'c' });

      expect(await ids('things', 'all')).toEqual({ ids: ['d', 'b', 'a'], total: 3 });
    });

    it('keeps the last score when a put lists one index twice', async () => {
      await write(put('things', 'x', { id: 'x' }, entry('all', 100), entry('all', 0)));

      expect(await ids('things', 'all')).toEqual({ ids: ['x', 'd', 'b', 'c', 'a'], total: 5 });
    });

    it('lists the current document, not the one indexed first', async () => {
      await write(put('things', 'a', { id: 'a', v: 2 }, entry('all', 3)));

      const page = await store.list<{ id: string; v?: number }>('things', 'all', { order: 'desc', limit: 1, offset: 0 });
      expect(page.items).toEqual([{ id: 'a', v: 2 }]);
    });

    it('keeps indexes of the same name in different collections apart', async () => {
      await write(put('others', 'z', { id: 'z' }, entry('all', 1)));

      expect(await ids('others', 'all')).toEqual({ ids: ['z'], total: 1 });
      expect((await ids('things', 'all')).total).toBe(4);
    });
  });

  it('takes a commit of many thousand writes whole', async () => {
    await write(...Array.from({ length: 3000 }, (_, n) => put('things', `t${n}`, { id: `t${n}` }, entry('all', n))));

    expect((await ids('things', 'all')).total).toBe(3000);
    expect(await store.checkpoint('test')).toBe(1n);
  });

  describe('checkpoints', () => {
    it('has no checkpoint before the first commit', async () => {
      expect(await store.checkpoint('test')).toBeUndefined();
    });

    it('moves the checkpoint to the committed position, exactly beyond 2^53', async () => {
      const far = 2n ** 60n + 7n;
      expect(await store.commit('test', undefined, 5n, [])).toBe(true);
      expect(await store.commit('test', 5n, far, [])).toBe(true);

      expect(await store.checkpoint('test')).toBe(far);
    });

    it('refuses a stale expected checkpoint and writes nothing', async () => {
      await store.commit('test', undefined, 5n, []);

      const committed = await store.commit('test', 4n, 6n, [put('things', 'a', { id: 'a' }, entry('all', 1)), { op: 'delete', collection: 'things', id: 'b' }]);

      expect(committed).toBe(false);
      expect(await store.checkpoint('test')).toBe(5n);
      expect(await store.get('things', 'a')).toBeUndefined();
      expect(await ids('things', 'all')).toEqual({ ids: [], total: 0 });
    });

    it('refuses to start a checkpoint that another runner started', async () => {
      await store.commit('test', undefined, 1n, []);

      expect(await store.commit('test', undefined, 2n, [put('things', 'a', { id: 'a' })])).toBe(false);
      expect(await store.get('things', 'a')).toBeUndefined();
    });

    it('refuses an expected checkpoint when there is none yet', async () => {
      expect(await store.commit('test', 3n, 4n, [])).toBe(false);
      expect(await store.checkpoint('test')).toBeUndefined();
    });

    it('keeps each projection its own checkpoint', async () => {
      await store.commit('one', undefined, 10n, []);
      await store.commit('two', undefined, 20n, []);

      expect(await store.checkpoint('one')).toBe(10n);
      expect(await store.checkpoint('two')).toBe(20n);
    });

    it.each([
      ['a score that is not a finite number', put('things', 'b', { id: 'b' }, entry('all', Number.NaN))],
      ['a document JSON cannot hold', put('things', 'b', undefined)],
      ['a collection name with a colon', put('thing:s', 'b', { id: 'b' })],
    ])('rejects a commit with %s and writes none of it', async (_, bad) => {
      await expect(store.commit('test', undefined, 1n, [put('things', 'a', { id: 'a' }, entry('all', 1)), bad])).rejects.toThrow();

      expect(await store.checkpoint('test')).toBeUndefined();
      expect(await store.get('things', 'a')).toBeUndefined();
    });
  });

  describe('the event store followed', () => {
    it('follows no event store until one is recorded', async () => {
      expect(await store.followedEventStore()).toBeUndefined();
    });

    it('reads back the identity recorded last', async () => {
      await store.followEventStore('store-one');
      expect(await store.followedEventStore()).toBe('store-one');
      await store.followEventStore('store-two');
      expect(await store.followedEventStore()).toBe('store-two');
    });

    it('keeps the identity through a reset of the projections, which is how read models of another store are rebuilt', async () => {
      await store.followEventStore('store-one');
      await write(put('things', 'a', { id: 'a' }, entry('all', 1)));
      await store.reset('test', ['things']);
      expect(await store.followedEventStore()).toBe('store-one');
    });
  });

  describe('reset', () => {
    beforeEach(async () => {
      await write(
        put('things', 'a', { id: 'a' }, entry('all', 1), entry('status:open', 1)),
        put('others', 'b', { id: 'b' }, entry('all', 1)),
        put('kept', 'c', { id: 'c' }, entry('all', 1)),
      );
      await store.commit('neighbour', undefined, 9n, []);
      await store.reset('test', ['things', 'others']);
    });

    it('deletes the collections, their indexes and the checkpoint', async () => {
      expect(await store.checkpoint('test')).toBeUndefined();
      expect(await store.getMany('things', ['a'])).toEqual([undefined]);
      expect(await store.get('others', 'b')).toBeUndefined();
      expect(await ids('things', 'all')).toEqual({ ids: [], total: 0 });
      expect(await ids('things', 'status:open')).toEqual({ ids: [], total: 0 });
      expect(await ids('others', 'all')).toEqual({ ids: [], total: 0 });
    });

    it('leaves other collections and other checkpoints alone', async () => {
      expect(await ids('kept', 'all')).toEqual({ ids: ['c'], total: 1 });
      expect(await store.checkpoint('neighbour')).toBe(9n);
    });

    it('lets the projection start again from no checkpoint', async () => {
      expect(await store.commit('test', undefined, 1n, [put('things', 'a', { id: 'a' }, entry('all', 1))])).toBe(true);

      expect(await ids('things', 'all')).toEqual({ ids: ['a'], total: 1 });
      expect(await ids('things', 'status:open')).toEqual({ ids: [], total: 0 });
    });
  });

  describe('rebuilds', () => {
    /** A rebuild's commit, from its checkpoint to the next position. */
    async function rebuildWrite(rebuild: ReadModelRebuild, next: bigint, ...writes: ReadModelWrite[]): Promise<void> {
      if (!(await rebuild.store.commit('test', await rebuild.store.checkpoint('test'), next, writes))) throw new Error('rebuild commit refused');
    }

    beforeEach(async () => {
      await store.commit('test', undefined, 5n, [put('things', 'old', { id: 'old' }, entry('all', 1), entry('status:open', 1)), put('others', 'o', { id: 'o' }, entry('all', 1))]);
      await store.commit('neighbour', undefined, 9n, [put('kept', 'k', { id: 'k' }, entry('all', 1))]);
    });

    it('builds beside the served read model, which readers keep seeing until it is published', async () => {
      const rebuild = await store.beginRebuild('test', ['things', 'others']);
      await rebuildWrite(rebuild, 6n, put('things', 'new', { id: 'new', v: 1 }, entry('all', 2)));

      expect(await store.get('things', 'new')).toBeUndefined();
      expect(await ids('things', 'all')).toEqual({ ids: ['old'], total: 1 });
      expect(await store.checkpoint('test')).toBe(5n);
      expect(await rebuild.store.get('things', 'new')).toEqual({ id: 'new', v: 1 });
      expect(await rebuild.store.getMany('things', ['old', 'new'])).toEqual([undefined, { id: 'new', v: 1 }]);
      expect(await rebuild.store.list('things', 'all', { order: 'asc', limit: 10, offset: 0 })).toEqual({ items: [{ id: 'new', v: 1 }], total: 1 });
      expect(await rebuild.store.readCheckpoint('test')).toEqual({ position: 6n, generation: 1 });
    });

    it('starts from no checkpoint and nothing written', async () => {
      const rebuild = await store.beginRebuild('test', ['things', 'others']);

      expect(await rebuild.store.checkpoint('test')).toBeUndefined();
      expect(await rebuild.store.list('things', 'all', { order: 'asc', limit: 10, offset: 0 })).toEqual({ items: [], total: 0 });
    });

    it('publishes the new documents, indexes and checkpoint at once and deletes the old ones', async () => {
      const rebuild = await store.beginRebuild('test', ['things', 'others']);
      await rebuildWrite(rebuild, 5n, put('things', 'new', { id: 'new' }, entry('all', 2)));
      await rebuildWrite(rebuild, 7n, put('things', 'newer', { id: 'newer' }, entry('all', 3), entry('status:done', 3)));

      expect(await rebuild.publish()).toBe(true);

      expect(await ids('things', 'all')).toEqual({ ids: ['new', 'newer'], total: 2 });
      expect(await ids('things', 'status:done')).toEqual({ ids: ['newer'], total: 1 });
      expect(await ids('things', 'status:open')).toEqual({ ids: [], total: 0 });
      expect(await ids('others', 'all')).toEqual({ ids: [], total: 0 });
      expect(await store.getMany('things', ['old', 'new'])).toEqual([undefined, { id: 'new' }]);
      expect(await store.readCheckpoint('test')).toEqual({ position: 7n, generation: 1 });
    });

    it('leaves other projections alone', async () => {
      const rebuild = await store.beginRebuild('test', ['things', 'others']);
      await rebuildWrite(rebuild, 6n);
      await rebuild.publish();

      expect(await ids('kept', 'all')).toEqual({ ids: ['k'], total: 1 });
      expect(await store.readCheckpoint('neighbour')).toEqual({ position: 9n, generation: 0 });
    });

    it('publishes an empty rebuild of an empty log as no checkpoint', async () => {
      await store.reset('test', ['things', 'others']);
      const rebuild = await store.beginRebuild('test', ['things']);

      expect(await rebuild.publish()).toBe(true);
      expect(await store.readCheckpoint('test')).toEqual({ position: undefined, generation: 1 });
    });

    it('refuses to publish behind the served checkpoint and changes nothing', async () => {
      const rebuild = await store.beginRebuild('test', ['things', 'others']);
      await rebuildWrite(rebuild, 4n, put('things', 'new', { id: 'new' }, entry('all', 2)));

      expect(await rebuild.publish()).toBe(false);
      expect(await ids('things', 'all')).toEqual({ ids: ['old'], total: 1 });
      expect(await store.readCheckpoint('test')).toEqual({ position: 5n, generation: 0 });

      await rebuildWrite(rebuild, 5n);
      expect(await rebuild.publish()).toBe(true);
      expect(await ids('things', 'all')).toEqual({ ids: ['new'], total: 1 });
    });

    it('refuses a commit made against the read model a published rebuild replaced, even at the same position', async () => {
      const before = await store.readCheckpoint('test');
      const rebuild = await store.beginRebuild('test', ['things', 'others']);
      await rebuildWrite(rebuild, 5n, put('things', 'new', { id: 'new' }, entry('all', 2)));
      await rebuild.publish();

      expect(await store.commit('test', before.position, 6n, [put('things', 'stale', { id: 'stale' }, entry('all', 9))], before.generation)).toBe(false);
      expect(await store.get('things', 'stale')).toBeUndefined();

      const after = await store.readCheckpoint('test');
      expect(await store.commit('test', after.position, 6n, [put('things', 'fresh', { id: 'fresh' }, entry('all', 9))], after.generation)).toBe(true);
      expect(await ids('things', 'all')).toEqual({ ids: ['new', 'fresh'], total: 2 });
    });

    it('deletes what a rebuild wrote when it is discarded, and serves the old read model on', async () => {
      const rebuild = await store.beginRebuild('test', ['things', 'others']);
      await rebuildWrite(rebuild, 6n, put('things', 'new', { id: 'new' }, entry('all', 2)));

      await rebuild.discard();

      expect(await ids('things', 'all')).toEqual({ ids: ['old'], total: 1 });
      expect(await store.readCheckpoint('test')).toEqual({ position: 5n, generation: 0 });
      const next = await store.beginRebuild('test', ['things', 'others']);
      expect(await next.store.get('things', 'new')).toBeUndefined();
      expect(await next.store.checkpoint('test')).toBeUndefined();
    });

    it('starts a rebuild afresh over one that was abandoned halfway', async () => {
      const abandoned = await store.beginRebuild('test', ['things', 'others']);
      await rebuildWrite(abandoned, 6n, put('things', 'half', { id: 'half' }, entry('all', 2)));

      const next = await store.beginRebuild('test', ['things', 'others']);

      expect(await next.store.checkpoint('test')).toBeUndefined();
      expect(await next.store.get('things', 'half')).toBeUndefined();
      await rebuildWrite(next, 6n, put('things', 'whole', { id: 'whole' }, entry('all', 2)));
      expect(await next.publish()).toBe(true);
      expect(await ids('things', 'all')).toEqual({ ids: ['whole'], total: 1 });
    });

    it('fails the commits and the publish of a rebuild another one has superseded', async () => {
      const first = await store.beginRebuild('test', ['things', 'others']);
      await rebuildWrite(first, 6n);
      await store.beginRebuild('test', ['things', 'others']);

      await expect(first.store.commit('test', 6n, 7n, [put('things', 'late', { id: 'late' })])).rejects.toMatchObject({ name: 'RebuildSuperseded' });
      await expect(first.publish()).rejects.toMatchObject({ name: 'RebuildSuperseded' });
      expect(await ids('things', 'all')).toEqual({ ids: ['old'], total: 1 });
    });

    it('refuses a commit to a collection the rebuild was not begun with, and writes none of it', async () => {
      const rebuild = await store.beginRebuild('test', ['things']);

      await expect(rebuild.store.commit('test', undefined, 6n, [put('things', 'a', { id: 'a' }), put('kept', 'x', { id: 'x' })])).rejects.toThrow(/kept is not one of/);
      expect(await rebuild.store.checkpoint('test')).toBeUndefined();
      expect(await rebuild.store.get('things', 'a')).toBeUndefined();
    });

    it('refuses a stale expected checkpoint of the rebuild', async () => {
      const rebuild = await store.beginRebuild('test', ['things']);
      await rebuildWrite(rebuild, 6n);

      expect(await rebuild.store.commit('test', undefined, 7n, [put('things', 'a', { id: 'a' })])).toBe(false);
      expect(await rebuild.store.get('things', 'a')).toBeUndefined();
    });

    it('takes a rebuild commit of many thousand documents whole', async () => {
      const rebuild = await store.beginRebuild('test', ['things', 'others']);
      const many = Array.from({ length: 3000 }, (_, n) => put('things', `t${n}`, { id: `t${n}` }, entry('all', n), entry(`group:${n % 7}`, n)));

      await rebuildWrite(rebuild, 6n, ...many);

      expect(await rebuild.store.checkpoint('test')).toBe(6n);
      expect((await rebuild.store.list('things', 'group:3', { order: 'asc', limit: 1, offset: 0 })).total).toBe(429);
      expect(await rebuild.publish()).toBe(true);
      expect((await ids('things', 'all', 'desc', 1)).ids).toEqual(['t2999']);
      expect((await ids('things', 'all')).total).toBe(3000);
    });

    it('rebuilds a published rebuild again, generation after generation', async () => {
      for (const [generation, id] of [[1, 'one'], [2, 'two']] as const) {
        const rebuild = await store.beginRebuild('test', ['things', 'others']);
        await rebuildWrite(rebuild, 5n + BigInt(generation), put('things', id, { id }, entry('all', generation)));
        expect(await rebuild.publish()).toBe(true);
        expect(await store.readCheckpoint('test')).toEqual({ position: 5n + BigInt(generation), generation });
      }

      expect(await ids('things', 'all')).toEqual({ ids: ['two'], total: 1 });
      await store.reset('test', ['things', 'others']);
      expect(await ids('things', 'all')).toEqual({ ids: [], total: 0 });
    });
  });

  it('answers a ping', async () => {
    await expect(store.ping()).resolves.toBeUndefined();
  });
}
