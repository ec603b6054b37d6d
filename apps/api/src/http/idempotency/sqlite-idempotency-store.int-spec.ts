import { ChildProcessByStdio, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { idempotencyStoreContract } from './idempotency-store.contract';
import { idempotencyDatabaseFile } from './sqlite-idempotency-database';
import { SqliteIdempotencyStore } from './sqlite-idempotency-store';

const REPO_ROOT = join(__dirname, '..', '..', '..', '..', '..');

describe('SqliteIdempotencyStore', () => {
  let dataDir: string;
  let store: SqliteIdempotencyStore;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'idempotency-store-'));
    store = new SqliteIdempotencyStore(dataDir);
  });
  afterAll(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  idempotencyStoreContract(() => store);

  it('keeps completed responses and running claims in a store opened again on the same directory', async () => {
    const done = await store.claim('account:acc_stg_restart', 'done', 'f1', 60_000);
    const held = await store.claim('account:acc_stg_restart', 'held', 'f2', 60_000);
    if (done.state !== 'claimed' || held.state !== 'claimed') throw new Error('the keys should be free');
    const response = { status: 201, contentType: 'application/json; charset=utf-8', body: Buffer.from('{"id":"proc_stg_1","name":"Zoë"}') };
    await store.complete(done.claim, response, 60_000);
    await store.close();

    store = new SqliteIdempotencyStore(dataDir);
    expect(await store.claim('account:acc_stg_restart', 'done', 'f1', 60_000)).toEqual({ state: 'completed', fingerprint: 'f1', response });
    expect(await store.claim('account:acc_stg_restart', 'held', 'f3', 60_000)).toEqual({ state: 'running', fingerprint: 'f2' });
  });

  it('deletes expired records from the file as later keys are claimed', async () => {
    const own = mkdtempSync(join(tmpdir(), 'idempotency-expiry-'));
    const expiring = new SqliteIdempotencyStore(own);
    try {
      const leased = await expiring.claim('account:acc_stg_expiry', 'leased', 'f', 20);
      const completed = await expiring.claim('account:acc_stg_expiry', 'completed', 'f', 60_000);
      if (leased.state !== 'claimed' || completed.state !== 'claimed') throw new Error('the keys should be free');
      await expiring.complete(completed.claim, { status: 201, body: Buffer.from('{}') }, 20);
      await sleep(60);

      await expiring.claim('account:acc_stg_expiry', 'later', 'f', 60_000);

      expect(keysInFile(own)).toEqual(['later']);
    } finally {
      await expiring.close();
      rmSync(own, { recursive: true, force: true });
    }
  });

  it('gives each key to exactly one of two processes claiming the same keys at once', async () => {
    const count = 100;
    // A race in which one process won every key (it ran ahead of the other throughout, as a loaded
    // machine may make it) shows exactly-once but not that the two met: then it is run again, on
    // new keys, and exactly-once is checked on every run.
    for (let run = 1; ; run++) {
      const scope = `account:acc_stg_race_${run}`;
      const racers = [0, 1].map(() => spawnClaimer(dataDir, count, scope));
      const outputs = racers.map((racer) => linesOf(racer.stdout));
      while (!outputs.every((lines) => lines.includes('ready'))) await sleep(10);
      const start = Date.now() + 50;
      racers.forEach((racer) => racer.stdin.write(`${start}\n`));
      const exits = await Promise.all(racers.map(exitOf));
      expect(exits).toEqual([0, 0]);

      const results = outputs.map((lines) => JSON.parse(lines[lines.length - 1]) as { claimed: string[]; running: string[] });
      const claimed = results.flatMap((result) => result.claimed);
      expect(claimed.sort()).toEqual(Array.from({ length: count }, (_, i) => `key-${i}`).sort());
      // Each found the keys it did not get held by the other, not by itself or by nobody.
      expect(results[0].running.every((fingerprint) => fingerprint === String(racers[1].pid))).toBe(true);
      expect(results[1].running.every((fingerprint) => fingerprint === String(racers[0].pid))).toBe(true);
      if (results.every((result) => result.claimed.length > 0)) return;
      if (run === 3) throw new Error('in three races one process won every key: the two never met');
    }
  }, 60_000);
});

function keysInFile(dataDir: string): string[] {
  const db = new Database(idempotencyDatabaseFile(dataDir), { readonly: true });
  try {
    return db.prepare('SELECT key FROM idempotency_records ORDER BY key').pluck().all() as string[];
  } finally {
    db.close();
  }
}

function spawnClaimer(dataDir: string, count: number, scope: string): ChildProcessByStdio<Writable, Readable, null> {
  return spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', join(__dirname, 'test', 'claim-keys.ts'), dataDir, String(count), scope],
    { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'inherit'] },
  );
}

function linesOf(output: Readable): string[] {
  const lines: string[] = [];
  let pending = '';
  output.setEncoding('utf8');
  output.on('data', (chunk: string) => {
    const parts = (pending + chunk).split('\n');
    pending = parts.pop() ?? '';
    lines.push(...parts);
  });
  return lines;
}

function exitOf(child: ChildProcessByStdio<Writable, Readable, null>): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}
