import type { CheckoutSession } from './checkout-session';

/** The placeholder a merchant puts in `success_url` to learn which session was paid (as Stripe's). */
export const CHECKOUT_SESSION_ID_PLACEHOLDER = '{CHECKOUT_SESSION_ID}';

/** Where the customer goes once the session is paid: its `success_url` with every placeholder replaced by the session's id. */
export function successUrlOf(session: Pick<CheckoutSession, 'id' | 'success_url'>): string {
  return session.success_url.split(CHECKOUT_SESSION_ID_PLACEHOLDER).join(encodeURIComponent(session.id));
}
