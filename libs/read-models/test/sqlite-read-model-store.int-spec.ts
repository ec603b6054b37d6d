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

  it('keeps documents and checkpoints in <dataDir>/read-models.db across reopening', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'read-models-'));
    try {
      const first = new SqliteReadModelStore({ dataDir });
      await first.commit('test', undefined, 3n, [{ op: 'put', collection: 'things', id: 'a', doc: { id: 'a' }, indexes: [{ index: 'all', score: 1 }] }]);
      await first.close();

      const second = new SqliteReadModelStore({ dataDir: join(dataDir, '.') });
      expect(await second.checkpoint('test')).toBe(3n);
      expect(await second.list('things', 'all', { order: 'asc', limit: 10, offset: 0 })).toEqual({ items: [{ id: 'a' }], total: 1 });
      await second.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
