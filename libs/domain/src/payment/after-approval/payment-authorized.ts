import { currentTier } from '../cascade';
import { PaymentEvent } from '../payment-events';
import { PaymentRun } from '../payment-state';
import { AfterApprovalEvent } from './after-approval-events';

type Approved = Extract<PaymentEvent, { type: 'ProcessorApproved' }>['data'];

/**
 * How the cascade of a manual payment ends: its approval is an authorization that holds the tier's
 * amount at the approving processor, named there by the approving call's idempotency key.
 */
export function paymentAuthorized(run: PaymentRun, approved: Approved, now: Date): AfterApprovalEvent {
  const tier = currentTier(run);
  const { payment_id, checkout_session_id, tiers } = run.payment;
  const { amount, currency } = tiers[tier.index];
  return {
    type: 'PaymentAuthorized',
    data: {
      payment_id,
      checkout_session_id,
      tier: tier.index,
      processor_id: approved.processor_id,
      amount,
      currency,
      auth_code: approved.auth_code,
      authorization_key: tier.lastCall!.idempotency_key,
      route_id: tier.route_id,
      route_revision: tier.route_revision,
      authorized_at: now.toISOString(),
    },
  };
}
