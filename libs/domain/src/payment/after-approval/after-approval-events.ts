import { DomainEvent } from '../../shared/event';

/**
 * Stripe's refund reasons. A reason outside them is refused (400): it is a value reports group
 * by, not a note; anything the merchant wants to say goes with their own records.
 */
export const REFUND_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'] as const;
export type RefundReason = (typeof REFUND_REASONS)[number];

/** Why a void was sent: the merchant asked, or the authorization outlived AUTHORIZATION_VALIDITY_MS. */
export type VoidReason = 'requested' | 'expired';

/** What every processor operation after the approval names. */
interface OperationRef {
  payment_id: string;
  /** The processor that approved: every operation goes there. */
  processor_id: string;
  /** Names this operation at the processor: derived from the operation's id, written before the call. */
  idempotency_key: string;
}

/** Why the processor refused an operation: nothing changed there. */
interface OperationFailure {
  code: string | null;
  message: string | null;
  failed_at: string;
}

export interface PaymentAuthorizedData {
  payment_id: string;
  checkout_session_id: string;
  tier: number;
  processor_id: string;
  /** The authorized amount: the tier's amount. */
  amount: number;
  currency: string;
  auth_code: string | null;
  /** The idempotency key of the approving call, which names the authorization at the processor. */
  authorization_key: string;
  route_id: string | null;
  route_revision: number | null;
  authorized_at: string;
}

/** The payment stream's events after the approval (API.md "After the approval"). */
export type AfterApprovalEvent =
  /** A manual payment's cascade ends here instead of PaymentSucceeded: the money is held, not taken. */
  | DomainEvent<'PaymentAuthorized', PaymentAuthorizedData>
  | DomainEvent<'PaymentCaptureRequested', OperationRef & { authorization_key: string; amount: number; currency: string; requested_at: string }>
  | DomainEvent<'PaymentCaptured', OperationRef & { amount: number; currency: string; captured_at: string }>
  | DomainEvent<'PaymentCaptureFailed', OperationRef & OperationFailure>
  | DomainEvent<'PaymentVoidRequested', OperationRef & { authorization_key: string; reason: VoidReason; requested_at: string }>
  | DomainEvent<'PaymentVoided', OperationRef & { voided_at: string }>
  /** The void of an authorization that outlived its validity succeeded: canceled like PaymentVoided. */
  | DomainEvent<'AuthorizationExpired', OperationRef & { authorized_at: string; expired_at: string }>
  | DomainEvent<'PaymentVoidFailed', OperationRef & { reason: VoidReason } & OperationFailure>
  | DomainEvent<
      'RefundRequested',
      OperationRef & { refund_id: string; authorization_key: string; amount: number; currency: string; reason: RefundReason | null; requested_at: string }
    >
  | DomainEvent<'RefundSucceeded', OperationRef & { refund_id: string; amount: number; currency: string; succeeded_at: string }>
  | DomainEvent<'RefundFailed', OperationRef & { refund_id: string; amount: number; currency: string } & OperationFailure>;

export type AfterApprovalEventType = AfterApprovalEvent['type'];

/** `<payment_id>:capture:<n>`: the n-th capture of the payment (a new one only after a refused one). */
export function captureKey(paymentId: string, n: number): string {
  return `${paymentId}:capture:${n}`;
}

/** `<payment_id>:void:<n>`: the n-th void of the payment (a new one only after a refused one). */
export function voidKey(paymentId: string, n: number): string {
  return `${paymentId}:void:${n}`;
}
