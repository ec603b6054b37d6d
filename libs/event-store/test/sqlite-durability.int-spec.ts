import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordedEvent, SqliteEventStore } from '@payments/event-store';
import { exitOf, onEachLine, spawnTypeScript } from './processes/spawn-typescript';

interface Acknowledged {
  stream: string;
  revision: string;
  position: string;
}

describe('sqlite event store durability', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'events-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps every acknowledged append, with no gap in positions, when the writing process is killed', async () => {
    const writer = spawnTypeScript('append-until-killed.ts', [dataDir]);
    const acknowledged: Acknowledged[] = [];
    onEachLine(writer.stdout, (line) => acknowledged.push(JSON.parse(line)));
    const exited = exitOf(writer);
    const deadline = Date.now() + 8_000;
    while (acknowledged.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(acknowledged.length).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 700));
    writer.kill('SIGKILL');
    expect(await exited).toEqual({ code: null, signal: 'SIGKILL' });

    const store = new SqliteEventStore({ dataDir });
    const events: RecordedEvent[] = [];
    try {
      for await (const event of store.readAll()) events.push(event);
    } finally {
      await store.close();
    }
    expect(events.map((event) => event.position)).toEqual(events.map((_, index) => BigInt(index + 1)));
    const byPosition = new Map(events.map((event) => [String(event.position), event]));
    const missing = acknowledged.filter(({ stream, revision, position }) => {
      const stored = byPosition.get(position);
      return stored?.streamId !== stream || String(stored.revision) !== revision;
    });
    expect(missing).toEqual([]);
  }, 15_000);
});
