import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { Clock } from '@payments/domain';
import { AuthorizationOutcome, CaptureMethod } from '../connector';
import {
  RecordedAnswer,
  RecordedOperation,
  SimulatorAnswer,
  SimulatorCharge,
  SimulatorLedger,
  SimulatorOperation,
  SimulatorOperationKind,
  SimulatorOperationRequest,
} from './simulator-ledger';
import { decideSimulatorOperation } from './simulator-operations';

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
  approved: number;
  capture_method: CaptureMethod;
  captured_amount: number;
  voided: number;
  refunded_amount: number;
}

interface OperationRow {
  kind: SimulatorOperationKind;
  processor_id: string;
  idempotency_key: string;
  authorization_key: string;
  amount: number | null;
  currency: string | null;
  outcome: 'succeeded' | 'failed';
  code: string | null;
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
  CREATE TABLE IF NOT EXISTS simulator_operations (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    processor_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    authorization_key TEXT NOT NULL,
    amount INTEGER,
    currency TEXT,
    outcome TEXT NOT NULL,
    code TEXT,
    created_at TEXT NOT NULL,
    request_count INTEGER NOT NULL,
    UNIQUE (processor_id, kind, idempotency_key)
  );
  CREATE INDEX IF NOT EXISTS simulator_operations_by_key ON simulator_operations (idempotency_key);
  CREATE INDEX IF NOT EXISTS simulator_operations_by_authorization ON simulator_operations (processor_id, authorization_key);
`;

/**
 * Columns a charge got when captures, voids and refunds came, added to a file made before. Its
 * charges were all sales: an approval then meant the money was taken.
 */
const CHARGE_STATE_COLUMNS: ReadonlyArray<{ name: string; definition: string; backfill?: string }> = [
  { name: 'approved', definition: 'INTEGER NOT NULL DEFAULT 0', backfill: "outcome = 'approved'" },
  { name: 'capture_method', definition: "TEXT NOT NULL DEFAULT 'automatic'" },
  { name: 'captured_amount', definition: 'INTEGER NOT NULL DEFAULT 0', backfill: "CASE WHEN outcome = 'approved' THEN amount ELSE 0 END" },
  { name: 'voided', definition: 'INTEGER NOT NULL DEFAULT 0' },
  { name: 'refunded_amount', definition: 'INTEGER NOT NULL DEFAULT 0' },
];

function createSchema(db: Database.Database): void {
  db.exec(SCHEMA);
  const present = new Set((db.pragma('table_info(simulator_charges)') as Array<{ name: string }>).map((column) => column.name));
  for (const column of CHARGE_STATE_COLUMNS.filter(({ name }) => !present.has(name))) {
    db.exec(`ALTER TABLE simulator_charges ADD COLUMN ${column.name} ${column.definition}`);
    if (column.backfill) db.exec(`UPDATE simulator_charges SET ${column.name} = ${column.backfill}`);
  }
}

function toCharge(row: ChargeRow): SimulatorCharge {
  return {
    processorId: row.processor_id,
    idempotencyKey: row.idempotency_key,
    paymentId: row.payment_id,
    amount: row.amount,
    currency: row.currency,
    outcome: row.outcome,
    ...(row.code !== null && { code: row.code }),
    approved: row.approved === 1,
    ...(row.auth_code !== null && { authCode: row.auth_code }),
    captureMethod: row.capture_method,
    createdAt: row.created_at,
    requestCount: row.request_count,
    capturedAmount: row.captured_amount,
    voided: row.voided === 1,
    refundedAmount: row.refunded_amount,
  };
}

function toOperation(row: OperationRow): SimulatorOperation {
  return {
    kind: row.kind,
    processorId: row.processor_id,
    idempotencyKey: row.idempotency_key,
    authorizationKey: row.authorization_key,
    ...(row.amount !== null && { amount: row.amount }),
    ...(row.currency !== null && { currency: row.currency }),
    outcome: row.outcome,
    ...(row.code !== null && { code: row.code }),
    createdAt: row.created_at,
    requestCount: row.request_count,
  };
}

/**
 * The ledger in its own SQLite file. Every answer is committed before the simulator sends it, and
 * several processes may share the file: the unique (processor, key) pair and a single upsert
 * statement make the first authorization answer win without a read-then-insert race, and a
 * capture, void or refund reads and changes its authorization inside one IMMEDIATE transaction,
 * which holds the file's write lock from its start. WAL with synchronous=NORMAL survives a killed
 * process, which is the failure a simulated processor has to outlive; only a power cut could lose
 * its last answers, and that is a real processor's job.
 */
export class SqliteSimulatorLedger implements SimulatorLedger {
  private readonly upsert: Database.Statement<unknown[], ChargeRow>;
  private readonly selectAuthorization: Database.Statement<unknown[], ChargeRow>;
  private readonly selectByKey: Database.Statement<unknown[], ChargeRow>;
  private readonly selectByPayment: Database.Statement<unknown[], ChargeRow>;
  private readonly count: Database.Statement<unknown[], { n: number }>;
  private readonly bumpOperation: Database.Statement<unknown[], OperationRow>;
  private readonly insertOperation: Database.Statement<unknown[], OperationRow>;
  private readonly updateCharge: Database.Statement<unknown[], unknown>;
  private readonly selectOperationsByKey: Database.Statement<unknown[], OperationRow>;
  private readonly selectOperationsOn: Database.Statement<unknown[], OperationRow>;
  private readonly applyAtomically: (request: SimulatorOperationRequest, createdAt: string) => RecordedOperation;

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
    // Immediate, so that two processes opening an older file at once do not both add its columns.
    db.transaction(() => createSchema(db)).immediate();
    this.upsert = db.prepare(`
      INSERT INTO simulator_charges
        (processor_id, idempotency_key, payment_id, amount, currency, outcome, code, auth_code, created_at, request_count,
         approved, capture_method, captured_amount, voided, refunded_amount)
      VALUES
        (@processorId, @idempotencyKey, @paymentId, @amount, @currency, @outcome, @code, @authCode, @createdAt, 1,
         @approved, @captureMethod, @capturedAmount, 0, 0)
      ON CONFLICT (processor_id, idempotency_key) DO UPDATE SET request_count = request_count + 1
      RETURNING *`);
    this.selectAuthorization = db.prepare('SELECT * FROM simulator_charges WHERE processor_id = ? AND idempotency_key = ?');
    this.selectByKey = db.prepare('SELECT * FROM simulator_charges WHERE idempotency_key = ? ORDER BY seq');
    this.selectByPayment = db.prepare('SELECT * FROM simulator_charges WHERE payment_id = ? ORDER BY seq');
    this.count = db.prepare('SELECT COUNT(*) AS n FROM simulator_charges');
    this.bumpOperation = db.prepare(`
      UPDATE simulator_operations SET request_count = request_count + 1
      WHERE processor_id = ? AND kind = ? AND idempotency_key = ?
      RETURNING *`);
    this.insertOperation = db.prepare(`
      INSERT INTO simulator_operations
        (kind, processor_id, idempotency_key, authorization_key, amount, currency, outcome, code, created_at, request_count)
      VALUES
        (@kind, @processorId, @idempotencyKey, @authorizationKey, @amount, @currency, @outcome, @code, @createdAt, 1)
      RETURNING *`);
    this.updateCharge = db.prepare(`
      UPDATE simulator_charges SET captured_amount = @capturedAmount, voided = @voided, refunded_amount = @refundedAmount
      WHERE processor_id = @processorId AND idempotency_key = @idempotencyKey`);
    this.selectOperationsByKey = db.prepare('SELECT * FROM simulator_operations WHERE idempotency_key = ? ORDER BY seq');
    this.selectOperationsOn = db.prepare('SELECT * FROM simulator_operations WHERE processor_id = ? AND authorization_key = ? ORDER BY seq');

    const apply = db.transaction((request: SimulatorOperationRequest, createdAt: string): RecordedOperation => {
      const seen = this.bumpOperation.get(request.processorId, request.kind, request.idempotencyKey);
      if (seen) return { operation: toOperation(seen), replayed: true };
      const row = this.selectAuthorization.get(request.processorId, request.authorizationKey);
      const charge = row && toCharge(row);
      const decision = decideSimulatorOperation(charge, request);
      if (charge && decision.outcome === 'succeeded') {
        const changed = { ...charge, ...decision.change };
        this.updateCharge.run({ ...changed, voided: changed.voided ? 1 : 0 });
      }
      const inserted = this.insertOperation.get({
        kind: request.kind,
        processorId: request.processorId,
        idempotencyKey: request.idempotencyKey,
        authorizationKey: request.authorizationKey,
        amount: request.amount ?? null,
        currency: request.currency ?? null,
        outcome: decision.outcome,
        code: decision.outcome === 'failed' ? decision.code : null,
        createdAt,
      });
      if (!inserted) throw new Error('simulator ledger insert returned no row');
      return { operation: toOperation(inserted), replayed: false };
    });
    this.applyAtomically = (request, createdAt) => apply.immediate(request, createdAt);
  }

  async record(answer: SimulatorAnswer): Promise<RecordedAnswer> {
    const row = this.upsert.get({
      ...answer,
      code: answer.code ?? null,
      authCode: answer.authCode ?? null,
      createdAt: this.clock.now().toISOString(),
      approved: answer.approved ? 1 : 0,
      capturedAmount: answer.approved && answer.captureMethod === 'automatic' ? answer.amount : 0,
    });
    if (!row) throw new Error('simulator ledger upsert returned no row');
    return { charge: toCharge(row), replayed: row.request_count > 1 };
  }

  async apply(request: SimulatorOperationRequest): Promise<RecordedOperation> {
    return this.applyAtomically(request, this.clock.now().toISOString());
  }

  async authorization(processorId: string, idempotencyKey: string): Promise<SimulatorCharge | undefined> {
    const row = this.selectAuthorization.get(processorId, idempotencyKey);
    return row && toCharge(row);
  }

  async chargesFor(idempotencyKey: string): Promise<SimulatorCharge[]> {
    return this.selectByKey.all(idempotencyKey).map(toCharge);
  }

  async chargesForPayment(paymentId: string): Promise<SimulatorCharge[]> {
    return this.selectByPayment.all(paymentId).map(toCharge);
  }

  async operationsFor(idempotencyKey: string): Promise<SimulatorOperation[]> {
    return this.selectOperationsByKey.all(idempotencyKey).map(toOperation);
  }

  async operationsOn(processorId: string, authorizationKey: string): Promise<SimulatorOperation[]> {
    return this.selectOperationsOn.all(processorId, authorizationKey).map(toOperation);
  }

  async countCharges(): Promise<number> {
    return this.count.get()?.n ?? 0;
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
