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

  it('never refunds more than captured when two processes sharing the file refund one charge at once, 1 % at a time', async () => {
    const file = simulatorLedgerPath(dir);
    const ledger = SqliteSimulatorLedger.open(file);
    await new SimulatorConnector(ledger).authorize(simulatorProfile({ outcome: 'approve' }), { ...visaRequest, amount: 1000 }, tryOnce('sale_1'));
    const children = ['a', 'b'].map((prefix) =>
      spawn(
        process.execPath,
        ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'libs/processors/test/refund-from-another-process.ts', file, 'sale_1', '100', '10', `re_${prefix}`],
        { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'inherit'] },
      ),
    );
    try {
      const outputs = children.map((child) => linesOf(child));
      await Promise.all(outputs.map((output) => output.ready));
      // Both are loaded and waiting: let them go together.
      for (const child of children) child.stdin?.write('go\n');
      const answers = (await Promise.all(outputs.map((output) => output.done))).flat();

      expect(answers.filter((outcome) => outcome === 'succeeded')).toHaveLength(100);
      expect(answers.filter((outcome) => outcome === 'failed')).toHaveLength(100);
      expect(await ledger.authorization('proc_stg_sim', 'sale_1')).toMatchObject({ capturedAmount: 1000, refundedAmount: 1000 });
      const refunds = await ledger.operationsOn('proc_stg_sim', 'sale_1');
      expect(refunds.filter((refund) => refund.outcome === 'succeeded').reduce((sum, refund) => sum + (refund.amount ?? 0), 0)).toBe(1000);
      expect(new Set(refunds.filter((refund) => refund.outcome === 'failed').map((refund) => refund.code))).toEqual(new Set(['amount_exceeds_captured']));
    } finally {
      for (const child of children) child.kill('SIGKILL');
      await ledger.close();
    }
  }, 60_000);

  it('opens a file made before captures existed, taking its approvals as sales', async () => {
    const file = simulatorLedgerPath(dir);
    const old = new Database(file);
    old.exec(`
      CREATE TABLE simulator_charges (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, processor_id TEXT NOT NULL, idempotency_key TEXT NOT NULL, payment_id TEXT NOT NULL,
        amount INTEGER NOT NULL, currency TEXT NOT NULL, outcome TEXT NOT NULL, code TEXT, auth_code TEXT, created_at TEXT NOT NULL,
        request_count INTEGER NOT NULL, UNIQUE (processor_id, idempotency_key));
      INSERT INTO simulator_charges (processor_id, idempotency_key, payment_id, amount, currency, outcome, code, auth_code, created_at, request_count) VALUES
        ('proc_stg_sim', 'old_approved', 'pay_stg_old', 1500, 'USD', 'approved', NULL, 'OLD001', '2026-11-01T00:00:00.000Z', 1),
        ('proc_stg_sim', 'old_declined', 'pay_stg_old', 1500, 'USD', 'declined', '51', NULL, '2026-11-01T00:00:00.000Z', 2);
    `);
    old.close();

    const ledger = SqliteSimulatorLedger.open(file);
    try {
      expect(await ledger.chargesForPayment('pay_stg_old')).toEqual([
        expect.objectContaining({ idempotencyKey: 'old_approved', authCode: 'OLD001', approved: true, captureMethod: 'automatic', capturedAmount: 1500, voided: false, refundedAmount: 0 }),
        expect.objectContaining({ idempotencyKey: 'old_declined', code: '51', approved: false, capturedAmount: 0, requestCount: 2 }),
      ]);
      const simulator = new SimulatorConnector(ledger);
      const profile = simulatorProfile({ outcome: 'approve' });
      expect(await simulator.refund(profile, { authorizationKey: 'old_approved', amount: 500, currency: 'USD' }, { idempotencyKey: 're_1', timeoutMs: 1000 })).toMatchObject({ outcome: 'succeeded' });
      // A second process opening the file finds nothing left to add.
      await SqliteSimulatorLedger.open(file).close();
    } finally {
      await ledger.close();
    }
  });
});

/** A child's stdout by lines: ready once it says so, done with every later line once it exits. */
function linesOf(child: ChildProcess): { ready: Promise<void>; done: Promise<string[]> } {
  let text = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
    if (text.startsWith('ready\n')) markReady();
  });
  const done = new Promise<string[]>((resolve, reject) => {
    child.once('exit', (code) => (code === 0 ? resolve(text.split('\n').slice(1).filter(Boolean)) : reject(new Error(`the child exited with ${code}`))));
  });
  return { ready, done };
}

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
