import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { Clock } from '@payments/domain';
import { AuthorizationOutcome } from '../connector';
import { RecordedAnswer, SimulatorAnswer, SimulatorCharge, SimulatorLedger } from './simulator-ledger';

/** Where the service keeps the ledger: beside the event store under DATA_DIR. */
export function simulatorLedgerPath(dataDir: string): string {
  return join(dataDir, 'simulator.db');
}

interface ChargeRow {
  processor_id: string;
  idempotency_key: string;
  payment_id: string;
  amount: number;
  currency: string;
  outcome: AuthorizationOutcome;
  code: string | null;
  auth_code: string | null;
  created_at: string;
  request_count: number;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS simulator_charges (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    processor_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    payment_id TEXT NOT NULL,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    outcome TEXT NOT NULL,
    code TEXT,
    auth_code TEXT,
    created_at TEXT NOT NULL,
    request_count INTEGER NOT NULL,
    UNIQUE (processor_id, idempotency_key)
  );
  CREATE INDEX IF NOT EXISTS simulator_charges_by_key ON simulator_charges (idempotency_key);
`;

function toCharge(row: ChargeRow): SimulatorCharge {
  return {
    processorId: row.processor_id,
    idempotencyKey: row.idempotency_key,
    paymentId: row.payment_id,
    amount: row.amount,
    currency: row.currency,
    outcome: row.outcome,
    ...(row.code !== null && { code: row.code }),
    ...(row.auth_code !== null && { authCode: row.auth_code }),
    createdAt: row.created_at,
    requestCount: row.request_count,
  };
}

/**
 * The ledger in its own SQLite file. Every answer is committed before the simulator sends it, and
 * several processes may share the file: the unique (processor, key) pair and a single upsert
 * statement make the first answer win without a read-then-insert race. WAL with
 * synchronous=NORMAL survives a killed process, which is the failure a simulated processor has
 * to outlive; only a power cut could lose its last answers, and that is a real processor's job.
 */
export class SqliteSimulatorLedger implements SimulatorLedger {
  private readonly upsert: Database.Statement<unknown[], ChargeRow>;
  private readonly selectByKey: Database.Statement<unknown[], ChargeRow>;
  private readonly count: Database.Statement<unknown[], { n: number }>;

  static open(path: string, clock?: Clock): SqliteSimulatorLedger {
    mkdirSync(dirname(path), { recursive: true });
    return new SqliteSimulatorLedger(new Database(path), clock);
  }

  private constructor(
    private readonly db: Database.Database,
    private readonly clock: Clock = { now: () => new Date() },
  ) {
    // Set first so that another process holding the write lock makes us wait, not fail.
    db.pragma('busy_timeout = 5000');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(SCHEMA);
    this.upsert = db.prepare(`
      INSERT INTO simulator_charges
        (processor_id, idempotency_key, payment_id, amount, currency, outcome, code, auth_code, created_at, request_count)
      VALUES
        (@processorId, @idempotencyKey, @paymentId, @amount, @currency, @outcome, @code, @authCode, @createdAt, 1)
      ON CONFLICT (processor_id, idempotency_key) DO UPDATE SET request_count = request_count + 1
      RETURNING *`);
    this.selectByKey = db.prepare('SELECT * FROM simulator_charges WHERE idempotency_key = ? ORDER BY seq');
    this.count = db.prepare('SELECT COUNT(*) AS n FROM simulator_charges');
  }

  async record(answer: SimulatorAnswer): Promise<RecordedAnswer> {
    const row = this.upsert.get({
      ...answer,
      code: answer.code ?? null,
      authCode: answer.authCode ?? null,
      createdAt: this.clock.now().toISOString(),
    });
    if (!row) throw new Error('simulator ledger upsert returned no row');
    return { charge: toCharge(row), replayed: row.request_count > 1 };
  }

  async chargesFor(idempotencyKey: string): Promise<SimulatorCharge[]> {
    return this.selectByKey.all(idempotencyKey).map(toCharge);
  }

  async countCharges(): Promise<number> {
    return this.count.get()?.n ?? 0;
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
