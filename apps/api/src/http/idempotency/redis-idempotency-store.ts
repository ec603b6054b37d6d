import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { ClaimOutcome, IdempotencyClaim, IdempotencyStore, StoredResponse } from './idempotency-store';

type RunningRecord = { state: 'running'; fingerprint: string; claim: string };
type CompletedRecord = { state: 'completed'; fingerprint: string; status: number; content_type?: string; body: string };

/** Replaces (or, with an empty ARGV[2], deletes) the record only while it is still the caller's claim. */
const REPLACE_OWN_CLAIM = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 1`;

function redisKey(scope: string, key: string): string {
  return `idempotency:${scope}:${key}`;
}

/** The exact string a claim wrote, which completing and releasing compare against. */
function runningRecord(claim: IdempotencyClaim): string {
  const record: RunningRecord = { state: 'running', fingerprint: claim.fingerprint, claim: claim.id };
  return JSON.stringify(record);
}

function outcomeOf(stored: string): ClaimOutcome {
  const record = JSON.parse(stored) as RunningRecord | CompletedRecord;
  if (record.state === 'running') return { state: 'running', fingerprint: record.fingerprint };
  const response: StoredResponse = { status: record.status, contentType: record.content_type, body: Buffer.from(record.body, 'base64') };
  return { state: 'completed', fingerprint: record.fingerprint, response };
}

/**
 * Records shared by every API process: a claim is `SET NX PX <lease>`, so it expires by itself
 * if its process dies; completing or releasing is a compare-and-set on the claim's own record.
 */
export class RedisIdempotencyStore implements IdempotencyStore {
  constructor(private readonly redis: Redis) {}

  async claim(scope: string, key: string, fingerprint: string, leaseMs: number): Promise<ClaimOutcome> {
    const id = redisKey(scope, key);
    for (;;) {
      const claim: IdempotencyClaim = { scope, key, fingerprint, id: randomUUID() };
      if ((await this.redis.set(id, runningRecord(claim), 'PX', leaseMs, 'NX')) === 'OK') return { state: 'claimed', claim };
      const existing = await this.redis.get(id);
      // null: the record expired between SET and GET, so the key is free again.
      if (existing !== null) return outcomeOf(existing);
    }
  }

  async complete(claim: IdempotencyClaim, response: StoredResponse, ttlMs: number): Promise<void> {
    const record: CompletedRecord = {
      state: 'completed',
      fingerprint: claim.fingerprint,
      status: response.status,
      content_type: response.contentType,
      body: response.body.toString('base64'),
    };
    await this.redis.eval(REPLACE_OWN_CLAIM, 1, redisKey(claim.scope, claim.key), runningRecord(claim), JSON.stringify(record), ttlMs);
  }

  async release(claim: IdempotencyClaim): Promise<void> {
    await this.redis.eval(REPLACE_OWN_CLAIM, 1, redisKey(claim.scope, claim.key), runningRecord(claim), '', 0);
  }

  /** Nothing of its own: the Redis client is InfrastructureModule's, which closes it. */
  async close(): Promise<void> {}
}
