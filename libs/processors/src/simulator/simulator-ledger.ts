import { AuthorizationOutcome } from '../connector';

/** The answer the simulated processor decided for one idempotency key, as it is about to send it. */
export interface SimulatorAnswer {
  processorId: string;
  idempotencyKey: string;
  paymentId: string;
  amount: number;
  currency: string;
  outcome: AuthorizationOutcome;
  code?: string;
  authCode?: string;
}

/** A stored answer: one real charge attempt at the simulated processor. */
export interface SimulatorCharge extends SimulatorAnswer {
  /** ISO 8601, when the answer was decided. */
  createdAt: string;
  /** How often the key reached this processor: 1 plus every re-send answered from the ledger. */
  requestCount: number;
}

export interface RecordedAnswer {
  /** The answer that stands for the key: the first one ever recorded. */
  charge: SimulatorCharge;
  /** True when the key had been seen before and `charge` is the earlier answer. */
  replayed: boolean;
}

/**
 * The simulated processor's memory of idempotency keys, per processor. An answer is recorded
 * when it is decided, before it is sent, so a key re-sent after either side crashed gets the
 * same answer and is charged once.
 */
export interface SimulatorLedger {
  /** Stores `answer` unless the (processor, key) pair has one; either way returns the one that stands. */
  record(answer: SimulatorAnswer): Promise<RecordedAnswer>;
  /** Every charge made under the key, on any processor, oldest first. */
  chargesFor(idempotencyKey: string): Promise<SimulatorCharge[]>;
  /** How many charges the ledger holds in all. */
  countCharges(): Promise<number>;
  close(): Promise<void>;
}
