import Redis from 'ioredis';
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

/**
 * Stores the charge unless its key exists; either way counts the request and returns
 * {1 when it existed, its fields}. KEYS: the charge, the key's and the payment's lists of
 * charges, the charge count. ARGV: the new charge's fields and values.
 */
const RECORD_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HINCRBY', KEYS[1], 'request_count', 1)
  return {1, redis.call('HGETALL', KEYS[1])}
end
redis.call('HSET', KEYS[1], unpack(ARGV))
redis.call('RPUSH', KEYS[2], KEYS[1])
redis.call('RPUSH', KEYS[3], KEYS[1])
redis.call('INCR', KEYS[4])
return {0, redis.call('HGETALL', KEYS[1])}`;

/**
 * decideSimulatorOperation's rules in Lua, so that the authorization is read, decided on and
 * changed with no other command in between; "redis-simulator-ledger.int-spec.ts" checks every
 * rule against decideSimulatorOperation. Returns {1 when the operation's key existed, its fields}.
 * KEYS: the operation, its authorization, the key's and the authorization's lists of operations.
 * ARGV: kind; the amount as JavaScript prints it ('' when absent); '1' when it is a positive safe
 * integer (decided in TypeScript, by Number.isSafeInteger); the currency and the auth code, each
 * '=' followed by it or '' when absent; '1' when refund_outcome is 'fail'; then the operation's
 * own fields and values, to which the script adds its outcome and code.
 */
const APPLY_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HINCRBY', KEYS[1], 'request_count', 1)
  return {1, redis.call('HGETALL', KEYS[1])}
end
local kind, amount, amount_valid, currency, auth_code, refund_fails = ARGV[1], ARGV[2], ARGV[3] == '1', ARGV[4], ARGV[5], ARGV[6] == '1'
local function decide()
  if redis.call('EXISTS', KEYS[2]) == 0 then return 'authorization_not_found' end
  local c = redis.call('HMGET', KEYS[2], 'approved', 'auth_code', 'currency', 'amount', 'captured_amount', 'voided', 'refunded_amount')
  local approved, charge_auth_code, charge_currency, authorized = c[1] == '1', c[2], c[3], tonumber(c[4])
  local captured, voided, refunded = tonumber(c[5]), c[6] == '1', tonumber(c[7])
  if not approved then return 'authorization_not_approved' end
  if auth_code ~= '' and (not charge_auth_code or auth_code ~= '=' .. charge_auth_code) then return 'auth_code_mismatch' end
  local function amount_error()
    if currency ~= '=' .. charge_currency then return 'currency_mismatch' end
    if not amount_valid then return 'invalid_amount' end
    return nil
  end
  if kind == 'capture' then
    if voided then return 'authorization_voided' end
    if captured > 0 then return 'already_captured' end
    local refused = amount_error()
    if refused then return refused end
    if tonumber(amount) > authorized then return 'amount_exceeds_authorized' end
    redis.call('HSET', KEYS[2], 'captured_amount', amount)
    return nil
  end
  if kind == 'void' then
    if voided then return 'already_voided' end
    if captured > 0 then return 'already_captured' end
    redis.call('HSET', KEYS[2], 'voided', '1')
    return nil
  end
  if voided then return 'authorization_voided' end
  if captured == 0 then return 'not_captured' end
  local refused = amount_error()
  if refused then return refused end
  if refunded + tonumber(amount) > captured then return 'amount_exceeds_captured' end
  if refund_fails then return 'refund_declined' end
  redis.call('HINCRBY', KEYS[2], 'refunded_amount', amount)
  return nil
end
local code = decide()
redis.call('HSET', KEYS[1], unpack(ARGV, 7))
if code then
  redis.call('HSET', KEYS[1], 'outcome', 'failed', 'code', code)
else
  redis.call('HSET', KEYS[1], 'outcome', 'succeeded')
end
redis.call('RPUSH', KEYS[3], KEYS[1])
redis.call('RPUSH', KEYS[4], KEYS[1])
return {0, redis.call('HGETALL', KEYS[1])}`;

/** The fields of every hash a list names, in the list's order, in one step. KEYS: the list. */
const READ_LIST_SCRIPT = `
local found = {}
for i, key in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do found[i] = redis.call('HGETALL', key) end
return found`;

/** The scripts as client commands: ioredis sends EVALSHA and loads a script Redis does not know yet. */
interface LedgerCommands {
  simulatorLedgerRecord(keys: string[], args: string[]): Promise<[number, string[]]>;
  simulatorLedgerApply(keys: string[], args: string[]): Promise<[number, string[]]>;
  simulatorLedgerReadList(list: string): Promise<string[][]>;
}

type Fields = Record<string, string>;

/** HGETALL's reply inside a script is a flat list of fields and values. */
function toFields(flat: string[]): Fields {
  const fields: Fields = {};
  for (let i = 0; i < flat.length; i += 2) fields[flat[i]] = flat[i + 1];
  return fields;
}

function toCharge(fields: Fields): SimulatorCharge {
  return {
    processorId: fields.processor_id,
    idempotencyKey: fields.idempotency_key,
    paymentId: fields.payment_id,
    amount: Number(fields.amount),
    currency: fields.currency,
    outcome: fields.outcome as AuthorizationOutcome,
    ...(fields.code !== undefined && { code: fields.code }),
    approved: fields.approved === '1',
    ...(fields.auth_code !== undefined && { authCode: fields.auth_code }),
    captureMethod: fields.capture_method as CaptureMethod,
    createdAt: fields.created_at,
    requestCount: Number(fields.request_count),
    capturedAmount: Number(fields.captured_amount),
    voided: fields.voided === '1',
    refundedAmount: Number(fields.refunded_amount),
  };
}

function toOperation(fields: Fields): SimulatorOperation {
  return {
    kind: fields.kind as SimulatorOperationKind,
    processorId: fields.processor_id,
    idempotencyKey: fields.idempotency_key,
    authorizationKey: fields.authorization_key,
    ...(fields.amount !== undefined && { amount: Number(fields.amount) }),
    ...(fields.currency !== undefined && { currency: fields.currency }),
    outcome: fields.outcome as 'succeeded' | 'failed',
    ...(fields.code !== undefined && { code: fields.code }),
    createdAt: fields.created_at,
    requestCount: Number(fields.request_count),
  };
}

/** An optional string as a script argument: '' when absent, so that an empty string stays apart. */
const optional = (value: string | undefined): string => (value === undefined ? '' : `=${value}`);

/** Field-value pairs for HSET, leaving out the absent ones (a hash has no null). */
function pairs(fields: Record<string, string | undefined>): string[] {
  return Object.entries(fields).flatMap(([field, value]) => (value === undefined ? [] : [field, value]));
}

/** A processor id's length before it, so that ids and keys holding ':' cannot make two pairs one key. */
const scoped = (processorId: string, key: string): string => `${processorId.length}:${processorId}:${key}`;

const keys = {
  charge: (processorId: string, key: string) => `simulator:charge:${scoped(processorId, key)}`,
  chargesByKey: (key: string) => `simulator:charges-by-key:${key}`,
  chargesByPayment: (paymentId: string) => `simulator:charges-by-payment:${paymentId}`,
  chargeCount: 'simulator:charge-count',
  operation: (processorId: string, kind: SimulatorOperationKind, key: string) => `simulator:operation:${kind}:${scoped(processorId, key)}`,
  operationsByKey: (key: string) => `simulator:operations-by-key:${key}`,
  operationsOn: (processorId: string, authorizationKey: string) => `simulator:operations-on:${scoped(processorId, authorizationKey)}`,
};

/**
 * The ledger on the deployment's Redis (REDIS_URL, without POSTGRES_URL), so every process of it
 * answers a key re-sent to any of them from the same record and a charge is made once across all.
 * Each authorization and each capture, void or refund is one Lua script, which Redis runs with no
 * other command in between: of many processes sending one key at once, one stores it and the
 * others find it; operations on one authorization take turns, each deciding on the amounts the one
 * before left. Keys live under `simulator:` and the client's key prefix: a hash per charge and per
 * operation, and lists of them by key, payment and authorization in the order they were made.
 * Durability is Redis's: with `appendonly yes` (docker-compose) and the default fsync every
 * second, a killed API process loses nothing and a crashed Redis server at most its last second of
 * answers. The client is InfrastructureModule's and stays open.
 */
export class RedisSimulatorLedger implements SimulatorLedger {
  private readonly redis: Redis & LedgerCommands;

  constructor(
    redis: Redis,
    private readonly clock: Clock = { now: () => new Date() },
  ) {
    redis.defineCommand('simulatorLedgerRecord', { numberOfKeys: 4, lua: RECORD_SCRIPT });
    redis.defineCommand('simulatorLedgerApply', { numberOfKeys: 4, lua: APPLY_SCRIPT });
    redis.defineCommand('simulatorLedgerReadList', { numberOfKeys: 1, lua: READ_LIST_SCRIPT });
    this.redis = redis as Redis & LedgerCommands;
  }

  async record(answer: SimulatorAnswer): Promise<RecordedAnswer> {
    const fields = pairs({
      processor_id: answer.processorId,
      idempotency_key: answer.idempotencyKey,
      payment_id: answer.paymentId,
      amount: String(answer.amount),
      currency: answer.currency,
      outcome: answer.outcome,
      code: answer.code,
      auth_code: answer.authCode,
      created_at: this.clock.now().toISOString(),
      request_count: '1',
      approved: answer.approved ? '1' : '0',
      capture_method: answer.captureMethod,
      captured_amount: String(answer.approved && answer.captureMethod === 'automatic' ? answer.amount : 0),
      voided: '0',
      refunded_amount: '0',
    });
    const [existed, stored] = await this.redis.simulatorLedgerRecord(
      [keys.charge(answer.processorId, answer.idempotencyKey), keys.chargesByKey(answer.idempotencyKey), keys.chargesByPayment(answer.paymentId), keys.chargeCount],
      fields,
    );
    return { charge: toCharge(toFields(stored)), replayed: existed === 1 };
  }

  async apply(request: SimulatorOperationRequest): Promise<RecordedOperation> {
    const amount = request.amount === undefined ? undefined : String(request.amount);
    const fields = pairs({
      kind: request.kind,
      processor_id: request.processorId,
      idempotency_key: request.idempotencyKey,
      authorization_key: request.authorizationKey,
      amount,
      currency: request.currency,
      created_at: this.clock.now().toISOString(),
      request_count: '1',
    });
    const [existed, stored] = await this.redis.simulatorLedgerApply(
      [
        keys.operation(request.processorId, request.kind, request.idempotencyKey),
        keys.charge(request.processorId, request.authorizationKey),
        keys.operationsByKey(request.idempotencyKey),
        keys.operationsOn(request.processorId, request.authorizationKey),
      ],
      [
        request.kind,
        amount ?? '',
        Number.isSafeInteger(request.amount) && (request.amount as number) > 0 ? '1' : '0',
        optional(request.currency),
        optional(request.authCode),
        request.refundOutcome === 'fail' ? '1' : '0',
        ...fields,
      ],
    );
    return { operation: toOperation(toFields(stored)), replayed: existed === 1 };
  }

  async authorization(processorId: string, idempotencyKey: string): Promise<SimulatorCharge | undefined> {
    const fields = await this.redis.hgetall(keys.charge(processorId, idempotencyKey));
    return Object.keys(fields).length === 0 ? undefined : toCharge(fields);
  }

  async chargesFor(idempotencyKey: string): Promise<SimulatorCharge[]> {
    return (await this.redis.simulatorLedgerReadList(keys.chargesByKey(idempotencyKey))).map((flat) => toCharge(toFields(flat)));
  }

  async chargesForPayment(paymentId: string): Promise<SimulatorCharge[]> {
    return (await this.redis.simulatorLedgerReadList(keys.chargesByPayment(paymentId))).map((flat) => toCharge(toFields(flat)));
  }

  async operationsFor(idempotencyKey: string): Promise<SimulatorOperation[]> {
    return (await this.redis.simulatorLedgerReadList(keys.operationsByKey(idempotencyKey))).map((flat) => toOperation(toFields(flat)));
  }

  async operationsOn(processorId: string, authorizationKey: string): Promise<SimulatorOperation[]> {
    return (await this.redis.simulatorLedgerReadList(keys.operationsOn(processorId, authorizationKey))).map((flat) => toOperation(toFields(flat)));
  }

  async countCharges(): Promise<number> {
    return Number((await this.redis.get(keys.chargeCount)) ?? 0);
  }

  /** Opened nothing of its own: the client is InfrastructureModule's. */
  async close(): Promise<void> {}
}
