/** A response as the client received it, kept to be replayed byte for byte. */
export interface StoredResponse {
  status: number;
  contentType?: string;
  body: Buffer;
}

/** Ownership of a running request's key, needed to complete or release it. */
export interface IdempotencyClaim {
  scope: string;
  key: string;
  fingerprint: string;
  /** Random per claim, so a request whose lease ran out cannot overwrite its successor's record. */
  id: string;
}

export type ClaimOutcome =
  /** Nobody used the key: run the request, then complete or release the claim. */
  | { state: 'claimed'; claim: IdempotencyClaim }
  /** A request with this key is running and its lease has not run out. */
  | { state: 'running'; fingerprint: string }
  | { state: 'completed'; fingerprint: string; response: StoredResponse };

/**
 * Idempotency records per scope (account, or admin token hash) and key. A claim holds the key
 * for `leaseMs`, so a process that dies mid-request blocks the key for at most the lease.
 */
export interface IdempotencyStore {
  claim(scope: string, key: string, fingerprint: string, leaseMs: number): Promise<ClaimOutcome>;
  /** Stores the response for `ttlMs`; no effect when the claim is no longer the current record. */
  complete(claim: IdempotencyClaim, response: StoredResponse, ttlMs: number): Promise<void>;
  /** Frees the key for a retry; no effect when the claim is no longer the current record. */
  release(claim: IdempotencyClaim): Promise<void>;
  /** Lets go of what the store holds of its own; called on application shutdown. */
  close(): Promise<void>;
}

export const IDEMPOTENCY_STORE = Symbol('IdempotencyStore');
