import Database from 'better-sqlite3';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventToAppend, RecordedEvent, SqliteEventStore, WrongExpectedRevision, randomEventId, readStreamToArray } from '@payments/event-store';
import { StoreUnderTest, eventStoreContract } from './contract';
import { exitOf, onEachLine, spawnTypeScript } from './processes/spawn-typescript';

async function sqliteStoreUnderTest(): Promise<StoreUnderTest> {
  const dataDir = mkdtempSync(join(tmpdir(), 'events-'));
  const store = new SqliteEventStore({ dataDir });
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
    reopen: async () => new SqliteEventStore({ dataDir }),
    another: sqliteStoreUnderTest,
  };
}

eventStoreContract('sqlite', sqliteStoreUnderTest, { reopen: true, another: true });

describe('sqlite group commit', () => {
  let dataDir: string;
  let store: SqliteEventStore;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'events-'));
    store = new SqliteEventStore({ dataDir });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('commits appends requested together, rolling back only the one that is refused', async () => {
    const outcomes = await Promise.allSettled([
      store.appendToStream('payment-pay_stg_a', [anEvent(), anEvent()], { expectedRevision: 'no_stream' }),
      store.appendToStream('payment-pay_stg_a', [anEvent(), anEvent(), anEvent()], { expectedRevision: 'no_stream' }),
      store.appendToStream('payment-pay_stg_b', [anEvent()], { expectedRevision: 'no_stream' }),
      store.appendToStream('payment-pay_stg_a', [anEvent()], { expectedRevision: 1n }),
    ]);

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedRevision);
    expect((await readStreamToArray(store, 'payment-pay_stg_a')).map((event) => event.revision)).toEqual([0n, 1n, 2n]);
    const positions: bigint[] = [];
    for await (const event of store.readAll()) positions.push(event.position);
    expect(positions).toHaveLength(4);
  });

  it('leaves nothing of an append that fails halfway, while the others in its commit are stored', async () => {
    const twice = anEvent();
    const outcomes = await Promise.allSettled([
      store.appendToStream('payment-pay_stg_a', [anEvent()], { expectedRevision: 'no_stream' }),
      store.appendToStream('payment-pay_stg_b', [anEvent(), twice, { ...twice, type: 'Again' }], { expectedRevision: 'no_stream' }),
      store.appendToStream('payment-pay_stg_c', [anEvent()], { expectedRevision: 'no_stream' }),
    ]);

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await readStreamToArray(store, 'payment-pay_stg_b')).toEqual([]);
    expect(await readStreamToArray(store, 'payment-pay_stg_c')).toHaveLength(1);
  });

  it('acknowledges nothing when the shared commit fails, and says the file was busy', async () => {
    const impatient = new SqliteEventStore({ dataDir, busyTimeoutMs: 20 });
    const otherProcess = new Database(join(dataDir, 'events.db'));
    otherProcess.exec('BEGIN IMMEDIATE');
    try {
      const outcomes = await Promise.allSettled([
        impatient.appendToStream('payment-pay_stg_a', [anEvent()], { expectedRevision: 'no_stream' }),
        impatient.appendToStream('payment-pay_stg_b', [anEvent()], { expectedRevision: 'no_stream' }),
      ]);
      expect(outcomes.map((outcome) => outcome.status === 'rejected' && (outcome.reason as { code?: string }).code)).toEqual(['SQLITE_BUSY', 'SQLITE_BUSY']);
    } finally {
      otherProcess.exec('ROLLBACK');
      otherProcess.close();
    }
    expect(await readStreamToArray(store, 'payment-pay_stg_a')).toEqual([]);
    expect(await readStreamToArray(store, 'payment-pay_stg_b')).toEqual([]);
    await impatient.close();
  });

  it('commits the appends requested before close', async () => {
    const appending = store.appendToStream('payment-pay_stg_a', [anEvent()], { expectedRevision: 'no_stream' });
    await store.close();
    await expect(appending).resolves.toEqual({ nextRevision: 0n, position: 1n });
    await expect(store.appendToStream('payment-pay_stg_a', [anEvent()], { expectedRevision: 0n })).rejects.toThrow('closed');
    store = new SqliteEventStore({ dataDir });
    expect(await readStreamToArray(store, 'payment-pay_stg_a')).toHaveLength(1);
  });
});

describe('sqlite event stores sharing one file', () => {
  let dataDir: string;
  let first: SqliteEventStore;
  let second: SqliteEventStore;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'events-'));
    first = new SqliteEventStore({ dataDir });
    second = new SqliteEventStore({ dataDir });
  });
  afterEach(async () => {
    await Promise.all([first.close(), second.close()]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reads what the other store appended', async () => {
    await first.appendToStream('payment-pay_stg_a', [anEvent(), anEvent()], { expectedRevision: 'no_stream' });
    expect((await readStreamToArray(second, 'payment-pay_stg_a')).map((event) => event.revision)).toEqual([0n, 1n]);
  });

  it('delivers the other store’s appends to a caught-up subscription', async () => {
    const received: RecordedEvent[] = [];
    const subscription = second.subscribeToAll({ onEvent: (event) => void received.push(event) });
    try {
      const { position } = await first.appendToStream('payment-pay_stg_a', [anEvent()], { expectedRevision: 'no_stream' });
      const deadline = Date.now() + 2_000;
      while (received.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(received.map((event) => event.position)).toEqual([position]);
    } finally {
      await subscription.stop();
    }
  });

  it('checks expected revisions against the other store’s appends', async () => {
    const stream = 'payment-pay_stg_a';
    await first.appendToStream(stream, [anEvent()], { expectedRevision: 'no_stream' });
    await expect(second.appendToStream(stream, [anEvent()], { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(WrongExpectedRevision);
    await second.appendToStream(stream, [anEvent()], { expectedRevision: 0n });
    await expect(first.appendToStream(stream, [anEvent()], { expectedRevision: 0n })).rejects.toMatchObject({ actual: 1n });
  });

  it('lets two processes race on one stream without losing or doubling an append', async () => {
    const stream = 'payment-pay_stg_race';
    const rounds = 150;
    await first.appendToStream(stream, [anEvent()], { expectedRevision: 'no_stream' });
    const racers = [0, 1].map(() => spawnTypeScript('race-on-stream.ts', [dataDir, stream, String(rounds)]));
    const outputs = racers.map((racer) => {
      const lines: string[] = [];
      onEachLine(racer.stdout, (line) => lines.push(line));
      return lines;
    });
    while (!outputs.every((lines) => lines.includes('ready'))) await new Promise((resolve) => setTimeout(resolve, 10));
    racers.forEach((racer) => racer.stdin.write('go\n'));
    const exits = await Promise.all(racers.map(exitOf));
    expect(exits).toEqual([{ code: 0, signal: null }, { code: 0, signal: null }]);

    const results = outputs.map((lines) => JSON.parse(lines[lines.length - 1]) as { won: string[]; conflicts: number });
    const won = results.flatMap((result) => result.won.map(BigInt));
    const events = await readStreamToArray(first, stream);
    expect(events.map((event) => event.revision)).toEqual(events.map((_, index) => BigInt(index)));
    expect(events.slice(1).map((event) => event.position).sort(byValue)).toEqual(won.sort(byValue));
    expect(results.map((result) => result.won.length + result.conflicts)).toEqual([rounds, rounds]);
    // Without conflicts the two never overlapped, and this test would have shown nothing.
    expect(results[0].conflicts + results[1].conflicts).toBeGreaterThan(0);
  }, 20_000);
});

describe('a read-only sqlite event store', () => {
  let dataDir: string;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'events-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('reads what a writer appended while both are open, and refuses to append', async () => {
    const writer = new SqliteEventStore({ dataDir });
    await writer.appendToStream('payment-pay_stg_a', [anEvent()], { expectedRevision: 'no_stream' });
    const reader = new SqliteEventStore({ dataDir, readOnly: true });
    await writer.appendToStream('payment-pay_stg_a', [anEvent()], { expectedRevision: 0n });

    expect((await readStreamToArray(reader, 'payment-pay_stg_a')).map((event) => event.revision)).toEqual([0n, 1n]);
    await expect(reader.appendToStream('payment-pay_stg_b', [anEvent()], { expectedRevision: 'no_stream' })).rejects.toThrow('opened read-only');
    await Promise.all([reader.close(), writer.close()]);
  });

  it('does not open, nor create, a store where there is none', () => {
    expect(() => new SqliteEventStore({ dataDir, readOnly: true })).toThrow(expect.objectContaining({ code: 'SQLITE_CANTOPEN' }));
    expect(readdirSync(dataDir)).toEqual([]);
  });
});

function anEvent(): EventToAppend {
  return { id: randomEventId(), type: 'SharingTested', data: {}, metadata: { schema_version: 1 } };
}

function byValue(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
