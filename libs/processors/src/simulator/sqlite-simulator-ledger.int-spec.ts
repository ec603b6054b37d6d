import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { SimulatorConnector } from './simulator-connector';
import { simulatorProfile, tryOnce, visaRequest } from './simulator-fixtures';
import { describeSimulatorIdempotency } from './simulator-idempotency.contract';
import { SimulatorCharge } from './simulator-ledger';
import { SqliteSimulatorLedger, simulatorLedgerPath } from './sqlite-simulator-ledger';

const REPO_ROOT = resolve(__dirname, '../../../..');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'simulator-ledger-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describeSimulatorIdempotency('sqlite', () => SqliteSimulatorLedger.open(simulatorLedgerPath(join(dir, 'data'))));

describe('SqliteSimulatorLedger', () => {
  it('keeps the file in WAL mode so other processes can read it while the service writes', async () => {
    const file = simulatorLedgerPath(dir);
    await SqliteSimulatorLedger.open(file).close();

    const db = new Database(file, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('answers a key re-sent after the process that took it was killed mid-call with the same answer, charged once', async () => {
    const file = simulatorLedgerPath(dir);
    const ledger = SqliteSimulatorLedger.open(file);
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'libs/processors/test/authorize-with-long-latency.ts', file, 'key_1'],
      { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    try {
      const [stored] = await waitForCharges(() => ledger.chargesFor('key_1'));
      await kill(child);

      const resent = await new SimulatorConnector(ledger).authorize(
        simulatorProfile({ outcome: 'decline', decline_code: '14' }),
        visaRequest,
        tryOnce('key_1'),
      );

      expect(resent).toMatchObject({ outcome: 'approved', authCode: stored?.authCode });
      expect(await ledger.chargesFor('key_1')).toEqual([expect.objectContaining({ outcome: 'approved', requestCount: 2 })]);
    } finally {
      child.kill('SIGKILL');
      await ledger.close();
    }
  });
});

async function waitForCharges(read: () => Promise<SimulatorCharge[]>, timeoutMs = 20_000): Promise<SimulatorCharge[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const charges = await read();
    if (charges.length > 0) return charges;
    if (Date.now() > deadline) throw new Error('the child process never recorded a charge');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
