import { randomUUID } from 'node:crypto';
import { ClaimOutcome, IdempotencyClaim, IdempotencyStore, StoredResponse } from './idempotency-store';

type StoredRecord =
  | { state: 'running'; fingerprint: string; claimId: string; expiresAt: number }
  | { state: 'completed'; fingerprint: string; response: StoredResponse; expiresAt: number };

/** Records of one process (no REDIS_URL): keys are idempotent only within the process that saw them. */
export class InProcessIdempotencyStore implements IdempotencyStore {
  /**
   * Insertion order is nearly expiry order (completions are re-inserted and share one TTL), so
   * expired records are dropped from the front; a lease left behind a later completion lingers
   * until that completion expires, which bounds memory to about one TTL of keys.
   */
  private readonly records = new Map<string, StoredRecord>();

  async claim(scope: string, key: string, fingerprint: string, leaseMs: number): Promise<ClaimOutcome> {
    const now = Date.now();
    this.dropExpired(now);
    const id = `${scope}\n${key}`;
    const existing = this.records.get(id);
    if (existing && existing.expiresAt > now) {
      return existing.state === 'running'
        ? { state: 'running', fingerprint: existing.fingerprint }
        : { state: 'completed', fingerprint: existing.fingerprint, response: existing.response };
    }
    const claim: IdempotencyClaim = { scope, key, fingerprint, id: randomUUID() };
    this.records.delete(id);
    this.records.set(id, { state: 'running', fingerprint, claimId: claim.id, expiresAt: now + leaseMs });
    return { state: 'claimed', claim };
  }

  async complete(claim: IdempotencyClaim, response: StoredResponse, ttlMs: number): Promise<void> {
    const id = this.ownedRecordId(claim);
    if (id === undefined) return;
    this.records.delete(id);
    this.records.set(id, { state: 'completed', fingerprint: claim.fingerprint, response, expiresAt: Date.now() + ttlMs });
  }

  async release(claim: IdempotencyClaim): Promise<void> {
    const id = this.ownedRecordId(claim);
    if (id !== undefined) this.records.delete(id);
  }

  private ownedRecordId(claim: IdempotencyClaim): string | undefined {
    const id = `${claim.scope}\n${claim.key}`;
    const record = this.records.get(id);
    return record?.state === 'running' && record.claimId === claim.id && record.expiresAt > Date.now() ? id : undefined;
  }

  private dropExpired(now: number): void {
    for (const [id, record] of this.records) {
      if (record.expiresAt > now) return;
      this.records.delete(id);
    }
  }
}
