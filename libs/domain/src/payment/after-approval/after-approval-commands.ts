import { RefundReason } from './after-approval-events';

/** What the connector answered to a capture, void or refund: a definite answer (an unknown one is repeated, never recorded). */
export type OperationOutcome = 'succeeded' | 'failed';

/** The commands on a payment after its approval: the merchant's, the expiry sweeper's and the operation driver's. */
export type AfterApprovalCommand =
  /** `POST /v1/payments/{id}/capture`; amount absent: all that was authorized. */
  | { type: 'RequestCapture'; paymentId: string; accountId: string; amount?: number }
  /** `POST /v1/payments/{id}/void`. */
  | { type: 'RequestVoid'; paymentId: string; accountId: string }
  /** The sweeper's, for an authorization older than AUTHORIZATION_VALIDITY_MS. */
  | { type: 'ExpireAuthorization'; paymentId: string }
  /** `POST /v1/payments/{id}/refunds`; amount absent: all that is left to refund. */
  | { type: 'RequestRefund'; paymentId: string; accountId: string; refundId: string; amount?: number; reason: RefundReason | null }
  /** The driver's: the processor's definite answer to the pending operation sent under `idempotencyKey`. */
  | { type: 'RecordOperationOutcome'; paymentId: string; idempotencyKey: string; outcome: OperationOutcome; code?: string; message?: string };
