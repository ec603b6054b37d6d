import type { CheckoutSession, SessionStatus } from './checkout-session';

/** At `expires_at` exactly the session no longer takes payments. */
export function isPastExpiry(session: Pick<CheckoutSession, 'expires_at'>, now: Date): boolean {
  return now.getTime() >= Date.parse(session.expires_at);
}

/**
 * The status a reader should see: an open session past `expires_at` is expired even before the
 * sweeper records it, unless a payment that began in time is still running and may complete it.
 */
export function effectiveStatus(session: Pick<CheckoutSession, 'status' | 'expires_at' | 'activePaymentId'>, now: Date): SessionStatus {
  return session.status === 'open' && session.activePaymentId === null && isPastExpiry(session, now) ? 'expired' : session.status;
}
