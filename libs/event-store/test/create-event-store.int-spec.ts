import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStoreDbEventStore, SqliteEventStore, createEventStore } from '@payments/event-store';

describe('createEventStore', () => {
  let parent: string;
  beforeEach(() => {
    parent = mkdtempSync(join(tmpdir(), 'events-'));
  });
  afterEach(() => rmSync(parent, { recursive: true, force: true }));

  it('opens the sqlite file <dataDir>/events.db, creating the directory, when no connection string is set', async () => {
    const dataDir = join(parent, 'data');
    const store = createEventStore({ dataDir });
    try {
      expect(store).toBeInstanceOf(SqliteEventStore);
      expect(existsSync(join(dataDir, 'events.db'))).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('chooses EventStoreDB when a connection string is set', async () => {
    const store = createEventStore({ connectionString: 'esdb://127.0.0.1:1?tls=false', dataDir: parent });
    try {
      expect(store).toBeInstanceOf(EventStoreDbEventStore);
    } finally {
      await store.close();
    }
  });
});
