import type { PaymentEvent } from '../payment-events';
import { CaptureMethod, DEFAULT_CAPTURE_METHOD } from './capture-method';
import { RefundReason, VoidReason } from './after-approval-events';

/** The approval that operations after it act on, at the processor that gave it. */
export interface Authorization {
  processor_id: string;
  /** The approving call's idempotency key: capture, void and refund name the authorization by it. */
  authorization_key: string;
  auth_code: string | null;
  /** Authorized (and, for an automatic payment, captured with the approval), minor units. */
  amount: number;
  currency: string;
  authorized_at: string;
}

export type OperationStatus = 'pending' | 'succeeded' | 'failed';

/** A capture or void, from its request to its outcome. */
export interface CaptureOrVoid {
  kind: 'capture' | 'void';
  idempotency_key: string;
  /** A capture's amount; null for a void. */
  amount: number | null;
  /** A void's reason; null for a capture. */
  reason: VoidReason | null;
  status: OperationStatus;
  code: string | null;
  requested_at: string;
}

export interface Refund {
  refund_id: string;
  /** The refund id itself: one refund, one key. */
  idempotency_key: string;
  amount: number;
  currency: string;
  reason: RefundReason | null;
  status: OperationStatus;
  failure_code: string | null;
  processor_id: string;
  created_at: string;
}

/** Where a payment stands for what may follow its approval: API.md's payment statuses. */
export type AfterApprovalStatus = 'processing' | 'failed' | 'requires_capture' | 'succeeded' | 'canceled';

export interface PaymentAfterApproval {
  status: AfterApprovalStatus;
  payment_id: string;
  account_id: string;
  capture_method: CaptureMethod;
  /** The cascade's call keys by `<tier>:<attempt>`, to name the approved call; dropped once the cascade has ended. */
  callKeys: Readonly<Record<string, string>>;
  /** The approved call, between its ProcessorApproved and the end of the cascade in the same append. */
  approvedCall: { authorization_key: string; auth_code: string | null } | null;
  /** Null until the cascade ends with an approval. */
  authorization: Authorization | null;
  amount_captured: number;
  /** The sum of the refunds that succeeded. */
  amount_refunded: number;
  /** Every capture and void, in the order requested; at most one pending. */
  operations: CaptureOrVoid[];
  /** Every refund, in the order requested; pending ones are sent one at a time, in that order. */
  refunds: Refund[];
}

export type AfterApprovalState = { status: 'none' } | PaymentAfterApproval;

export const initialAfterApprovalState = (): AfterApprovalState => ({ status: 'none' });

/** The capture or void waiting for the processor's answer, if any. */
export function pendingOperation(payment: PaymentAfterApproval): CaptureOrVoid | undefined {
  return payment.operations.find((operation) => operation.status === 'pending');
}

/** What may still be refunded: captured, less what was refunded and what pending refunds hold. */
export function refundable(payment: PaymentAfterApproval): number {
  const pending = payment.refunds.reduce((sum, refund) => sum + (refund.status === 'pending' ? refund.amount : 0), 0);
  return payment.amount_captured - payment.amount_refunded - pending;
}

/** Folds every payment event: the cascade's for the approval, the rest for what followed it. */
export function evolveAfterApproval(state: AfterApprovalState, event: PaymentEvent): AfterApprovalState {
  if (event.type === 'PaymentStarted') {
    const { payment_id, account_id, capture_method } = event.data;
    return {
      status: 'processing',
      payment_id,
      account_id,
      capture_method: capture_method ?? DEFAULT_CAPTURE_METHOD,
      callKeys: {},
      approvedCall: null,
      authorization: null,
      amount_captured: 0,
      amount_refunded: 0,
      operations: [],
      refunds: [],
    };
  }
  if (state.status === 'none') return state;
  const payment = state;
  switch (event.type) {
    case 'ProcessorAttempted':
      return { ...payment, callKeys: { ...payment.callKeys, [`${event.data.tier}:${event.data.attempt}`]: event.data.idempotency_key } };
    case 'ProcessorApproved': {
      const key = payment.callKeys[`${event.data.tier}:${event.data.attempt}`];
      return key === undefined ? payment : { ...payment, approvedCall: { authorization_key: key, auth_code: event.data.auth_code } };
    }
    case 'PaymentSucceeded': {
      const { processor_id, amount, currency, auth_code, completed_at } = event.data;
      const authorization = payment.approvedCall && { processor_id, authorization_key: payment.approvedCall.authorization_key, auth_code, amount, currency, authorized_at: completed_at };
      return { ...ended(payment), status: 'succeeded', authorization, amount_captured: amount };
    }
    case 'PaymentAuthorized': {
      const { processor_id, authorization_key, auth_code, amount, currency, authorized_at } = event.data;
      return { ...ended(payment), status: 'requires_capture', authorization: { processor_id, authorization_key, auth_code, amount, currency, authorized_at } };
    }
    case 'PaymentFailed':
      return { ...ended(payment), status: 'failed' };
    case 'PaymentCaptureRequested':
      return withOperation(payment, { kind: 'capture', idempotency_key: event.data.idempotency_key, amount: event.data.amount, reason: null, status: 'pending', code: null, requested_at: event.data.requested_at });
    case 'PaymentVoidRequested':
      return withOperation(payment, { kind: 'void', idempotency_key: event.data.idempotency_key, amount: null, reason: event.data.reason, status: 'pending', code: null, requested_at: event.data.requested_at });
    case 'PaymentCaptured':
      return { ...answered(payment, event.data.idempotency_key, 'succeeded', null), status: 'succeeded', amount_captured: event.data.amount };
    case 'PaymentVoided':
    case 'AuthorizationExpired':
      return { ...answered(payment, event.data.idempotency_key, 'succeeded', null), status: 'canceled' };
    case 'PaymentCaptureFailed':
    case 'PaymentVoidFailed':
      return answered(payment, event.data.idempotency_key, 'failed', event.data.code);
    case 'RefundRequested': {
      const { refund_id, idempotency_key, amount, currency, reason, processor_id, requested_at } = event.data;
      const refund: Refund = { refund_id, idempotency_key, amount, currency, reason, status: 'pending', failure_code: null, processor_id, created_at: requested_at };
      return { ...payment, refunds: [...payment.refunds, refund] };
    }
    case 'RefundSucceeded':
      return { ...refunded(payment, event.data.refund_id, 'succeeded', null), amount_refunded: payment.amount_refunded + event.data.amount };
    case 'RefundFailed':
      return refunded(payment, event.data.refund_id, 'failed', event.data.code);
    default:
      // The rest of the cascade (tiers, skips, declines) and what resolves its unknown attempts: nothing an operation after the approval depends on.
      return payment;
  }
}

function ended(payment: PaymentAfterApproval): PaymentAfterApproval {
  return { ...payment, callKeys: {}, approvedCall: null };
}

function withOperation(payment: PaymentAfterApproval, operation: CaptureOrVoid): PaymentAfterApproval {
  return { ...payment, operations: [...payment.operations, operation] };
}

function answered(payment: PaymentAfterApproval, key: string, status: OperationStatus, code: string | null): PaymentAfterApproval {
  return { ...payment, operations: payment.operations.map((operation) => (operation.idempotency_key === key ? { ...operation, status, code } : operation)) };
}

function refunded(payment: PaymentAfterApproval, refundId: string, status: OperationStatus, failureCode: string | null): PaymentAfterApproval {
  return { ...payment, refunds: payment.refunds.map((refund) => (refund.refund_id === refundId ? { ...refund, status, failure_code: failureCode } : refund)) };
}
