import { RefundReason } from './after-approval-events';
import { AfterApprovalState, OperationStatus, Refund } from './after-approval-state';

/** A refund as API.md "After the approval" answers it. */
export interface RefundView {
  id: string;
  object: 'refund';
  payment_id: string;
  amount: number;
  currency: string;
  /** pending: recorded, not yet answered by the processor (or queued behind another refund of the payment). */
  status: OperationStatus;
  reason: RefundReason | null;
  processor_id: string;
  /** The processor's code when it refused the refund; null otherwise. */
  failure_code: string | null;
  created_at: string;
}

export function refundView(paymentId: string, refund: Refund): RefundView {
  return {
    id: refund.refund_id,
    object: 'refund',
    payment_id: paymentId,
    amount: refund.amount,
    currency: refund.currency,
    status: refund.status,
    reason: refund.reason,
    processor_id: refund.processor_id,
    failure_code: refund.failure_code,
    created_at: refund.created_at,
  };
}

/** The payment's refunds, newest first (as every list of the API). */
export function refundViews(state: AfterApprovalState): RefundView[] {
  if (state.status === 'none') return [];
  return state.refunds.map((refund) => refundView(state.payment_id, refund)).reverse();
}

/** One refund of the payment, or undefined. */
export function findRefund(state: AfterApprovalState, refundId: string): RefundView | undefined {
  if (state.status === 'none') return undefined;
  const refund = state.refunds.find((candidate) => candidate.refund_id === refundId);
  return refund && refundView(state.payment_id, refund);
}
