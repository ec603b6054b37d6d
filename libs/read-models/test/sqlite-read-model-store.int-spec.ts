import Database from 'better-sqlite3';
import { SqliteReadModelStore } from '@payments/read-models';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readModelStoreContract } from './contract';

describe('SqliteReadModelStore', () => {
  readModelStoreContract(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'read-models-'));
    const store = new SqliteReadModelStore({ dataDir });
    return {
      store,
      async dispose() {
        await store.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  });

  it('keeps documents, checkpoints and the event store followed in <dataDir>/read-models.db across reopening', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'read-models-'));
    try {
      const first = new SqliteReadModelStore({ dataDir });
      await first.commit('test', undefined, 3n, [{ op: 'put', collection: 'things', id: 'a', doc: { id: 'a' }, indexes: [{ index: 'all', score: 1 }] }]);
      await first.followEventStore('store-one');
      await first.close();

      const second = new SqliteReadModelStore({ dataDir: join(dataDir, '.') });
      expect(await second.checkpoint('test')).toBe(3n);
      expect(await second.followedEventStore()).toBe('store-one');
      expect(await second.list('things', 'all', { order: 'asc', limit: 10, offset: 0 })).toEqual({ items: [{ id: 'a' }], total: 1 });
      await second.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('serves a published rebuild after reopening, with no row of the generation it replaced or of a discarded one left', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'read-models-'));
    try {
      const put = (id: string) => ({ op: 'put' as const, collection: 'things', id, doc: { id }, indexes: [{ index: 'all', score: 1 }] });
      const first = new SqliteReadModelStore({ dataDir });
      await first.commit('test', undefined, 3n, [put('old')]);
      const published = await first.beginRebuild('test', ['things']);
      await published.store.commit('test', undefined, 3n, [put('new')]);
      await published.publish();
      const discarded = await first.beginRebuild('test', ['things']);
      await discarded.store.commit('test', undefined, 3n, [put('discarded')]);
      await discarded.discard();
      await first.close();

      const second = new SqliteReadModelStore({ dataDir });
      expect(await second.list('things', 'all', { order: 'asc', limit: 10, offset: 0 })).toEqual({ items: [{ id: 'new' }], total: 1 });
      expect(await second.readCheckpoint('test')).toEqual({ position: 3n, generation: 1 });
      await second.close();
      const db = new Database(join(dataDir, 'read-models.db'), { readonly: true });
      expect(db.prepare('SELECT collection, id FROM documents UNION ALL SELECT collection, id FROM index_entries').all()).toEqual([
        { collection: 'things#1', id: 'new' },
        { collection: 'things#1', id: 'new' },
      ]);
      db.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('counts the lists of a file written before index sizes were kept, at its first opening', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'read-models-'));
    try {
      const first = new SqliteReadModelStore({ dataDir });
      const put = (id: string, score: number) => ({ op: 'put' as const, collection: 'things', id, doc: { id }, indexes: [{ index: 'all', score }] });
      await first.commit('test', undefined, 3n, [put('a', 1), put('b', 2), put('c', 3)]);
      await first.close();
      // As an earlier build left it: the entries, and no sizes or triggers.
      const old = new Database(join(dataDir, 'read-models.db'));
      old.exec('DROP TRIGGER index_entry_added; DROP TRIGGER index_entry_removed; DROP TABLE index_sizes;');
      old.close();

      const second = new SqliteReadModelStore({ dataDir });
      expect((await second.list('things', 'all', { order: 'asc', limit: 1, offset: 0 })).total).toBe(3);
      await second.commit('test', 3n, 4n, [{ op: 'delete', collection: 'things', id: 'a' }, put('d', 4), put('b', 5)]);
      expect(await second.list('things', 'all', { order: 'asc', limit: 10, offset: 0 })).toEqual({ items: [{ id: 'c' }, { id: 'd' }, { id: 'b' }], total: 3 });
      await second.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
