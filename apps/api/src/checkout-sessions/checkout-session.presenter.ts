import { CheckoutSession, SessionTier, effectiveStatus } from '@payments/domain';
import { CheckoutSessionLinks } from '@payments/orchestration';
import { Expandable } from './checkout-session.dto';

/** How a session is shown to a secret token; `now` decides whether an open session reads as expired. */
export function presentCheckoutSession(session: CheckoutSession, now: Date, links: CheckoutSessionLinks, expand: readonly Expandable[] = []) {
  return {
    id: session.id,
    object: 'checkout_session' as const,
    status: effectiveStatus(session, now),
    payment_status: session.paymentStatus,
    secure_token: links.secureToken(session.id),
    url: links.url(session.id),
    customer_id: session.customer_id,
    tiers: session.tiers.map(presentTier),
    processor_route_id: session.processor_route_id,
    capture_method: session.capture_method,
    success_url: session.success_url,
    return_url: session.return_url,
    expires_at: session.expires_at,
    created_at: session.createdAt,
    ...(expand.includes('custom_fields') && { custom_fields: session.custom_fields, params_for_sub: session.params_for_sub }),
  };
}

/**
 * How a session is shown to a publishable token, which lives in browsers: what a payment page
 * needs to show and pay the session and where to send the customer after. No customer, custom
 * fields, routing (route ids) or secure link: the page that holds the token already has it.
 */
export function presentCheckoutSessionToPublishable(session: CheckoutSession, now: Date) {
  return {
    id: session.id,
    object: 'checkout_session' as const,
    status: effectiveStatus(session, now),
    payment_status: session.paymentStatus,
    tiers: session.tiers.map(presentTierAmounts),
    success_url: session.success_url,
    return_url: session.return_url,
    expires_at: session.expires_at,
    created_at: session.createdAt,
  };
}

function presentTier(tier: SessionTier) {
  return { ...presentTierAmounts(tier), processor_route_id: tier.processor_route_id };
}

function presentTierAmounts(tier: SessionTier) {
  return {
    index: tier.index,
    line_items: tier.line_items.map(({ price_id, product_id, quantity, unit_amount, amount_subtotal }) => ({ price_id, product_id, quantity, unit_amount, amount_subtotal })),
    amount_subtotal: tier.amount_subtotal,
    amount_discount: tier.amount_discount,
    amount_total: tier.amount_total,
    currency: tier.currency,
  };
}
