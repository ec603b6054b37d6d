import { AuthorizationOutcome, CaptureMethod, SimulatorRefundOutcomeSetting } from '../connector';

/** The answer the simulated processor decided for one authorization key, as it is about to send it. */
export interface SimulatorAnswer {
  processorId: string;
  idempotencyKey: string;
  paymentId: string;
  amount: number;
  currency: string;
  /** What authorize answers, now and to every re-send of the key. */
  outcome: AuthorizationOutcome;
  code?: string;
  /** Whether the processor approved: also true when the answer it sends is lost (`charge_on_timeout`). */
  approved: boolean;
  /** Set when approved. */
  authCode?: string;
  /** 'automatic' captures the whole amount with the approval. */
  captureMethod: CaptureMethod;
}

/** A stored authorization: one real charge attempt at the simulated processor, and where it stands. */
export interface SimulatorCharge extends SimulatorAnswer {
  /** ISO 8601, when the answer was decided. */
  createdAt: string;
  /** How often the key reached this processor: 1 plus every re-send answered from the ledger. */
  requestCount: number;
  /** 0 until captured (at once for an automatic capture). */
  capturedAmount: number;
  voided: boolean;
  /** The sum of the refunds that succeeded. */
  refundedAmount: number;
}

/**
 * Whether the processor holds the customer's money, or a hold on it, under this charge: approved,
 * not voided, and not refunded in full. "Exactly one live charge" is what a payment must end with.
 */
export function isLiveCharge(charge: SimulatorCharge): boolean {
  if (!charge.approved || charge.voided) return false;
  return charge.capturedAmount === 0 || charge.refundedAmount < charge.capturedAmount;
}

export interface RecordedAnswer {
  /** The answer that stands for the key: the first one ever recorded. */
  charge: SimulatorCharge;
  /** True when the key had been seen before and `charge` is the earlier answer. */
  replayed: boolean;
}

export type SimulatorOperationKind = 'capture' | 'void' | 'refund';

/** A capture, void or refund as it reaches the simulated processor. */
export interface SimulatorOperationRequest {
  kind: SimulatorOperationKind;
  processorId: string;
  /** The operation's own key; capture, void and refund keys are apart from one another. */
  idempotencyKey: string;
  /** The authorization it acts on. */
  authorizationKey: string;
  /** Capture and refund. */
  amount?: number;
  currency?: string;
  /** Capture and void: checked against the authorization's when given. */
  authCode?: string;
  /** Refund: the processor's `refund_outcome` at the call. */
  refundOutcome?: SimulatorRefundOutcomeSetting;
}

/** A stored capture, void or refund, and the answer that stands for its key. */
export interface SimulatorOperation {
  kind: SimulatorOperationKind;
  processorId: string;
  idempotencyKey: string;
  authorizationKey: string;
  amount?: number;
  currency?: string;
  outcome: 'succeeded' | 'failed';
  /** Why it failed. */
  code?: string;
  createdAt: string;
  requestCount: number;
}

export interface RecordedOperation {
  operation: SimulatorOperation;
  /** True when the key had been seen before: `operation` is the first answer and nothing changed again. */
  replayed: boolean;
}

/**
 * The simulated processor's memory, per processor: its authorizations by idempotency key and
 * what became of them, and its captures, voids and refunds by theirs. An answer is recorded when
 * it is decided, before it is sent, so a key re-sent after either side crashed gets the same
 * answer and acts once. Implementations apply an operation's rules and its effect atomically.
 */
export interface SimulatorLedger {
  /** Stores `answer` unless the (processor, key) pair has one; either way returns the one that stands. */
  record(answer: SimulatorAnswer): Promise<RecordedAnswer>;
  /**
   * Decides `request` by the rules of `decideSimulatorOperation` against the authorization as it
   * stands, stores the answer with its effect, and returns it; a key seen before gets its first
   * answer and changes nothing.
   */
  apply(request: SimulatorOperationRequest): Promise<RecordedOperation>;
  /** The authorization made under the key at the processor, as it stands. */
  authorization(processorId: string, idempotencyKey: string): Promise<SimulatorCharge | undefined>;
  /** Every charge made under the key, on any processor, oldest first. */
  chargesFor(idempotencyKey: string): Promise<SimulatorCharge[]>;
  /** Every charge of the payment, on any processor, oldest first (for tests: it reads the whole ledger). */
  chargesForPayment(paymentId: string): Promise<SimulatorCharge[]>;
  /** Every capture, void and refund made under the key, on any processor, oldest first. */
  operationsFor(idempotencyKey: string): Promise<SimulatorOperation[]>;
  /** Every capture, void and refund of the authorization at the processor, oldest first. */
  operationsOn(processorId: string, authorizationKey: string): Promise<SimulatorOperation[]>;
  /** How many charges (authorizations) the ledger holds in all. */
  countCharges(): Promise<number>;
  close(): Promise<void>;
}
