import { RefundView } from '@payments/domain';

/** The refund of API.md "After the approval", field by field. */
export function presentRefund(view: RefundView) {
  return {
    id: view.id,
    object: view.object,
    payment_id: view.payment_id,
    amount: view.amount,
    currency: view.currency,
    status: view.status,
    reason: view.reason,
    processor_id: view.processor_id,
    failure_code: view.failure_code,
    created_at: view.created_at,
  };
}
