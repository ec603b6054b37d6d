import { Pool, PoolClient } from 'pg';
import { Clock } from '@payments/domain';
import { Migration, inTransaction, migrate } from '@payments/event-store';
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

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'charges and their captures, voids and refunds',
    sql: `
      CREATE TABLE simulator_charges (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        processor_id text NOT NULL,
        idempotency_key text NOT NULL,
        payment_id text NOT NULL,
        amount bigint NOT NULL,
        currency text NOT NULL,
        outcome text NOT NULL,
        code text,
        auth_code text,
        created_at timestamptz NOT NULL,
        request_count integer NOT NULL,
        approved boolean NOT NULL,
        capture_method text NOT NULL,
        captured_amount bigint NOT NULL,
        voided boolean NOT NULL,
        refunded_amount bigint NOT NULL,
        UNIQUE (processor_id, idempotency_key));
      CREATE INDEX simulator_charges_by_key ON simulator_charges (idempotency_key);
      CREATE INDEX simulator_charges_by_payment ON simulator_charges (payment_id);
      CREATE TABLE simulator_operations (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        kind text NOT NULL,
        processor_id text NOT NULL,
        idempotency_key text NOT NULL,
        authorization_key text NOT NULL,
        -- numeric: a refused request keeps the amount it asked for, a fraction included.
        amount numeric,
        currency text,
        outcome text NOT NULL,
        code text,
        created_at timestamptz NOT NULL,
        request_count integer NOT NULL,
        UNIQUE (processor_id, kind, idempotency_key));
      CREATE INDEX simulator_operations_by_key ON simulator_operations (idempotency_key);
      CREATE INDEX simulator_operations_by_authorization ON simulator_operations (processor_id, authorization_key);`,
  },
];

/** bigint and numeric columns arrive as strings; amounts are safe integers (minor units), but for a refused request's. */
interface ChargeRow {
  processor_id: string;
  idempotency_key: string;
  payment_id: string;
  amount: string;
  currency: string;
  outcome: AuthorizationOutcome;
  code: string | null;
  auth_code: string | null;
  created_at: Date;
  request_count: number;
  approved: boolean;
  capture_method: CaptureMethod;
  captured_amount: string;
  voided: boolean;
  refunded_amount: string;
}

interface OperationRow {
  kind: SimulatorOperationKind;
  processor_id: string;
  idempotency_key: string;
  authorization_key: string;
  amount: string | null;
  currency: string | null;
  outcome: 'succeeded' | 'failed';
  code: string | null;
  created_at: Date;
  request_count: number;
}

function toCharge(row: ChargeRow): SimulatorCharge {
  return {
    processorId: row.processor_id,
    idempotencyKey: row.idempotency_key,
    paymentId: row.payment_id,
    amount: Number(row.amount),
    currency: row.currency,
    outcome: row.outcome,
    ...(row.code !== null && { code: row.code }),
    approved: row.approved,
    ...(row.auth_code !== null && { authCode: row.auth_code }),
    captureMethod: row.capture_method,
    createdAt: row.created_at.toISOString(),
    requestCount: row.request_count,
    capturedAmount: Number(row.captured_amount),
    voided: row.voided,
    refundedAmount: Number(row.refunded_amount),
  };
}

function toOperation(row: OperationRow): SimulatorOperation {
  return {
    kind: row.kind,
    processorId: row.processor_id,
    idempotencyKey: row.idempotency_key,
    authorizationKey: row.authorization_key,
    ...(row.amount !== null && { amount: Number(row.amount) }),
    ...(row.currency !== null && { currency: row.currency }),
    outcome: row.outcome,
    ...(row.code !== null && { code: row.code }),
    createdAt: row.created_at.toISOString(),
    requestCount: row.request_count,
  };
}

/**
 * A concurrent insert of the same (processor, key) waits on the first one's row and then takes the
 * UPDATE branch, so of two processes sending one key at once exactly one inserts the charge.
 */
const RECORD = `
  INSERT INTO simulator_charges
    (processor_id, idempotency_key, payment_id, amount, currency, outcome, code, auth_code, created_at, request_count,
     approved, capture_method, captured_amount, voided, refunded_amount)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $11, $12, false, 0)
  ON CONFLICT (processor_id, idempotency_key) DO UPDATE SET request_count = simulator_charges.request_count + 1
  RETURNING *`;

const BUMP_OPERATION = `
  UPDATE simulator_operations SET request_count = request_count + 1
  WHERE processor_id = $1 AND kind = $2 AND idempotency_key = $3
  RETURNING *`;

const INSERT_OPERATION = `
  INSERT INTO simulator_operations
    (kind, processor_id, idempotency_key, authorization_key, amount, currency, outcome, code, created_at, request_count)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1)
  RETURNING *`;

const UNIQUE_VIOLATION = '23505';
/** An operation loses a race on its key at most once (the second try finds the winner's row); more means something else is wrong. */
const APPLY_ATTEMPTS = 3;

/**
 * The ledger on the deployment's PostgreSQL (POSTGRES_URL), so every process of it answers a
 * key re-sent to any of them from the same record and a charge is made once across all.
 * An authorization is one upsert statement. A capture, void or refund runs in one transaction
 * that first locks its authorization's row (FOR UPDATE), so operations on one authorization take
 * turns across processes and each decides on the row as the one before left it; one whose key
 * another transaction inserted meanwhile (the same key on another authorization, or on none)
 * fails on the unique key, rolls back everything it changed, and is tried again, finding that
 * key's answer. The pool is the process's one pool, handed in and closed by its owner.
 */
export class PostgresSimulatorLedger implements SimulatorLedger {
  private constructor(
    private readonly pool: Pool,
    private readonly clock: Clock,
  ) {}

  /** Brings the ledger's tables to this build's schema first, as every process does at start. */
  static async open(pool: Pool, clock: Clock = { now: () => new Date() }): Promise<PostgresSimulatorLedger> {
    await migrate(pool, 'simulator-ledger', MIGRATIONS);
    return new PostgresSimulatorLedger(pool, clock);
  }

  async record(answer: SimulatorAnswer): Promise<RecordedAnswer> {
    const { rows } = await this.pool.query<ChargeRow>(RECORD, [
      answer.processorId,
      answer.idempotencyKey,
      answer.paymentId,
      answer.amount,
      answer.currency,
      answer.outcome,
      answer.code ?? null,
      answer.authCode ?? null,
      this.clock.now(),
      answer.approved,
      answer.captureMethod,
      answer.approved && answer.captureMethod === 'automatic' ? answer.amount : 0,
    ]);
    const row = rows[0];
    if (!row) throw new Error('simulator ledger upsert returned no row');
    return { charge: toCharge(row), replayed: row.request_count > 1 };
  }

  async apply(request: SimulatorOperationRequest): Promise<RecordedOperation> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await inTransaction(this.pool, (client) => this.applyOnce(client, request));
      } catch (error) {
        if ((error as { code?: string }).code !== UNIQUE_VIOLATION || attempt >= APPLY_ATTEMPTS) throw error;
      }
    }
  }

  private async applyOnce(client: PoolClient, request: SimulatorOperationRequest): Promise<RecordedOperation> {
    // The lock first: a concurrent operation on this authorization has committed by the time the look-up below runs.
    const { rows: charges } = await client.query<ChargeRow>('SELECT * FROM simulator_charges WHERE processor_id = $1 AND idempotency_key = $2 FOR UPDATE', [
      request.processorId,
      request.authorizationKey,
    ]);
    const { rows: seen } = await client.query<OperationRow>(BUMP_OPERATION, [request.processorId, request.kind, request.idempotencyKey]);
    if (seen[0]) return { operation: toOperation(seen[0]), replayed: true };
    const charge = charges[0] && toCharge(charges[0]);
    const decision = decideSimulatorOperation(charge, request);
    if (charge && decision.outcome === 'succeeded') {
      const changed = { ...charge, ...decision.change };
      await client.query('UPDATE simulator_charges SET captured_amount = $1, voided = $2, refunded_amount = $3 WHERE processor_id = $4 AND idempotency_key = $5', [
        changed.capturedAmount,
        changed.voided,
        changed.refundedAmount,
        request.processorId,
        request.authorizationKey,
      ]);
    }
    const { rows } = await client.query<OperationRow>(INSERT_OPERATION, [
      request.kind,
      request.processorId,
      request.idempotencyKey,
      request.authorizationKey,
      request.amount ?? null,
      request.currency ?? null,
      decision.outcome,
      decision.outcome === 'failed' ? decision.code : null,
      this.clock.now(),
    ]);
    if (!rows[0]) throw new Error('simulator ledger insert returned no row');
    return { operation: toOperation(rows[0]), replayed: false };
  }

  async authorization(processorId: string, idempotencyKey: string): Promise<SimulatorCharge | undefined> {
    const { rows } = await this.pool.query<ChargeRow>('SELECT * FROM simulator_charges WHERE processor_id = $1 AND idempotency_key = $2', [processorId, idempotencyKey]);
    return rows[0] && toCharge(rows[0]);
  }

  async chargesFor(idempotencyKey: string): Promise<SimulatorCharge[]> {
    const { rows } = await this.pool.query<ChargeRow>('SELECT * FROM simulator_charges WHERE idempotency_key = $1 ORDER BY seq', [idempotencyKey]);
    return rows.map(toCharge);
  }

  async chargesForPayment(paymentId: string): Promise<SimulatorCharge[]> {
    const { rows } = await this.pool.query<ChargeRow>('SELECT * FROM simulator_charges WHERE payment_id = $1 ORDER BY seq', [paymentId]);
    return rows.map(toCharge);
  }

  async operationsFor(idempotencyKey: string): Promise<SimulatorOperation[]> {
    const { rows } = await this.pool.query<OperationRow>('SELECT * FROM simulator_operations WHERE idempotency_key = $1 ORDER BY seq', [idempotencyKey]);
    return rows.map(toOperation);
  }

  async operationsOn(processorId: string, authorizationKey: string): Promise<SimulatorOperation[]> {
    const { rows } = await this.pool.query<OperationRow>('SELECT * FROM simulator_operations WHERE processor_id = $1 AND authorization_key = $2 ORDER BY seq', [
      processorId,
      authorizationKey,
    ]);
    return rows.map(toOperation);
  }

  async countCharges(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM simulator_charges');
    return Number(rows[0]?.n ?? 0);
  }

  /** Opened nothing of its own: the pool is InfrastructureModule's. */
  async close(): Promise<void> {}
}
