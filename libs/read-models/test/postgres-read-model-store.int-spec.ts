import { Pool } from 'pg';
import { PostgresReadModelStore, ReadModelWrite } from '@payments/read-models';
import { TestDatabase, createTestDatabase, describeWithPostgres, openTestPool } from '../../../test/support/test-postgres';
import { readModelStoreContract } from './contract';

function put(id: string, index = 'all', score = 1): ReadModelWrite {
  return { op: 'put', collection: 'things', id, doc: { id }, indexes: [{ index, score }] };
}

describeWithPostgres('PostgresReadModelStore', () => {
  readModelStoreContract(async () => {
    const database = await createTestDatabase();
    const pool = openTestPool(database.url);
    return {
      store: new PostgresReadModelStore(pool),
      async dispose() {
        await pool.end();
        await database.drop();
      },
    };
  });

  describe('on a database of its own', () => {
    let database: TestDatabase;
    const pools: Pool[] = [];
    const open = (config = {}) => {
      const pool = openTestPool(database.url, config);
      pools.push(pool);
      return pool;
    };

    beforeEach(async () => {
      database = await createTestDatabase();
    });

    afterEach(async () => {
      await Promise.all(pools.splice(0).map((pool) => (pool.ended ? undefined : pool.end())));
      await database.drop();
    });

    it('lets exactly one of two processes committing from the same checkpoint win, and keeps only its writes', async () => {
      const [one, two] = [new PostgresReadModelStore(open()), new PostgresReadModelStore(open())];
      await one.commit('test', undefined, 1n, []);
      await two.ping();

      for (let round = 0; round < 20; round++) {
        const expected = await one.checkpoint('test');
        const results = await Promise.all([
          one.commit('test', expected, expected! + 1n, [put(`one-${round}`), put('shared', `by-one-${round}`)]),
          two.commit('test', expected, expected! + 1n, [put(`two-${round}`), put('shared', `by-two-${round}`)]),
        ]);
        expect(results.filter(Boolean)).toHaveLength(1);
        const winner = results[0] ? 'one' : 'two';
        const loser = results[0] ? 'two' : 'one';
        expect(await one.get('things', `${winner}-${round}`)).toEqual({ id: `${winner}-${round}` });
        expect(await two.get('things', `${loser}-${round}`)).toBeUndefined();
        expect((await one.list('things', `by-${winner}-${round}`, { order: 'asc', limit: 10, offset: 0 })).total).toBe(1);
        expect((await one.list('things', `by-${loser}-${round}`, { order: 'asc', limit: 10, offset: 0 })).total).toBe(0);
      }
      expect(await two.checkpoint('test')).toBe(21n);
    });

    it('lets exactly one of two processes make the first commit of a projection', async () => {
      const [one, two] = [new PostgresReadModelStore(open()), new PostgresReadModelStore(open())];
      await Promise.all([one.ping(), two.ping()]);

      const results = await Promise.all([one.commit('test', undefined, 1n, [put('one')]), two.commit('test', undefined, 1n, [put('two')])]);

      expect(results.filter(Boolean)).toHaveLength(1);
      expect((await one.getMany('things', ['one', 'two'])).filter(Boolean)).toHaveLength(1);
    });

    it('refuses a commit of the read model a concurrent publish replaced, even when the commit took the checkpoint first', async () => {
      const service = new PostgresReadModelStore(open());
      const cli = new PostgresReadModelStore(open());
      await service.commit('test', undefined, 5n, [put('old')]);
      const read = await service.readCheckpoint('test');
      const rebuild = await cli.beginRebuild('test', ['things']);
      await rebuild.store.commit('test', undefined, 6n, [put('new')]);

      const [committed, published] = await Promise.all([service.commit('test', read.position, 6n, [put('stale')], read.generation), rebuild.publish()]);

      // Either order leaves a consistent read model: the commit first makes the publish wait and
      // then see the served model at its own position; the publish first refuses the commit.
      expect(published).toBe(true);
      const page = await service.list<{ id: string }>('things', 'all', { order: 'asc', limit: 10, offset: 0 });
      expect(page.items.map((item) => item.id)).toEqual(['new']);
      expect(await service.readCheckpoint('test')).toEqual({ position: 6n, generation: 1 });
      if (committed) expect(await service.get('things', 'stale')).toBeUndefined();
    });

    it('serves the old read model on while a rebuild is killed halfway, and the next rebuild starts afresh', async () => {
      const service = new PostgresReadModelStore(open());
      await service.commit('test', undefined, 5n, [put('old')]);
      const killedPool = open();
      const killed = await new PostgresReadModelStore(killedPool).beginRebuild('test', ['things']);
      await killed.store.commit('test', undefined, 3n, [put('half')]);
      // The rebuilding process dies: its connections go, its rebuild stays begun.
      await killedPool.end();

      expect(await service.list('things', 'all', { order: 'asc', limit: 10, offset: 0 })).toEqual({ items: [{ id: 'old' }], total: 1 });
      expect(await service.commit('test', 5n, 6n, [put('later')])).toBe(true);
      const next = await service.beginRebuild('test', ['things']);
      expect(await next.store.get('things', 'half')).toBeUndefined();
      const rows = await open().query('SELECT id FROM read_model_documents ORDER BY id');
      expect(rows.rows).toEqual([{ id: 'later' }, { id: 'old' }]);
    });

    it('keeps everything across reopening, with no row of a replaced or discarded generation left', async () => {
      const first = new PostgresReadModelStore(open());
      await first.commit('test', undefined, 3n, [put('old')]);
      await first.followEventStore('store-one');
      const published = await first.beginRebuild('test', ['things']);
      await published.store.commit('test', undefined, 3n, [put('new')]);
      await published.publish();
      const discarded = await first.beginRebuild('test', ['things']);
      await discarded.store.commit('test', undefined, 3n, [put('discarded')]);
      await discarded.discard();

      const pool = open();
      const second = new PostgresReadModelStore(pool);
      expect(await second.list('things', 'all', { order: 'asc', limit: 10, offset: 0 })).toEqual({ items: [{ id: 'new' }], total: 1 });
      expect(await second.readCheckpoint('test')).toEqual({ position: 3n, generation: 1 });
      expect(await second.followedEventStore()).toBe('store-one');
      const { rows } = await pool.query('SELECT collection, generation, id FROM read_model_documents UNION ALL SELECT collection, generation, id FROM read_model_index_entries');
      expect(rows).toEqual([
        { collection: 'things', generation: 1, id: 'new' },
        { collection: 'things', generation: 1, id: 'new' },
      ]);
      const sizes = await pool.query('SELECT collection, generation, index_name, size::int FROM read_model_index_sizes');
      expect(sizes.rows).toEqual([{ collection: 'things', generation: 1, index_name: 'all', size: 1 }]);
    });

    it('orders equal scores by id byte-wise, as the other adapters do, whatever the database locale', async () => {
      const store = new PostgresReadModelStore(open());
      await store.commit('test', undefined, 1n, ['b', 'B', 'a', 'A', '_'].map((id) => put(id)));

      const page = await store.list<{ id: string }>('things', 'all', { order: 'asc', limit: 10, offset: 0 });
      expect(page.items.map((item) => item.id)).toEqual(['A', 'B', '_', 'a', 'b']);
    });

    it('keeps documents and ids whatever characters they hold, the separators of its arguments among them', async () => {
      const store = new PostgresReadModelStore(open());
      const odd = 'we"ird,{id}\\ \u001e D \u00e9 😀';
      const doc = { id: odd, text: 'nul \u0000 rs \u001e quote " backslash \\ braces {} comma ,', only: 'D', nothing: null };
      await store.commit('test', undefined, 1n, [{ op: 'put', collection: 'things', id: odd, doc, indexes: [{ index: odd, score: -0.5 }] }, put('D')]);
      // A commit of one delete alone: its documents argument is the delete marker alone.
      await store.commit('test', 1n, 2n, [{ op: 'delete', collection: 'things', id: 'D' }]);

      expect(await store.get('things', odd)).toEqual(doc);
      expect(await store.list('things', odd, { order: 'asc', limit: 10, offset: 0 })).toEqual({ items: [doc], total: 1 });
      expect(await store.getMany('things', [odd, 'D'])).toEqual([doc, undefined]);
    });

    it('does not end the pool it was given', async () => {
      const store = new PostgresReadModelStore(open());
      await store.close();

      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('migrates once with several stores starting at the same moment', async () => {
      const stores = Array.from({ length: 4 }, () => new PostgresReadModelStore(open()));

      await Promise.all(stores.map((store, n) => store.commit(`p${n}`, undefined, 1n, [])));

      const { rows } = await open().query("SELECT version FROM schema_migrations WHERE component = 'read-models'");
      expect(rows).toEqual([{ version: 1 }]);
    });
  });
});
