import { DomainError } from '../shared/errors';
import type { CheckoutSession } from './checkout-session';

/**
 * What stops card testing on the public ways to pay (the hosted page, publishable tokens): a
 * session takes a bounded number of failed payments, and so do a card (by fingerprint) and a
 * client address per window. Named in the refusal, the metrics and the dashboard.
 */
export type FailedPaymentLimit = 'session' | 'fingerprint' | 'address';

/** A pay refused because one of the limits on failed payments is reached (429). */
export class FailedPaymentsLimitReached extends DomainError {
  constructor(
    readonly limit: FailedPaymentLimit,
    message: string,
    /** When the limit's window ends; undefined for the session's, which never lifts. */
    retryAfterMs?: number,
  ) {
    super('too_many', message, [], retryAfterMs);
    this.name = 'FailedPaymentsLimitReached';
  }
}

/**
 * How many payments failed on the session: one SessionPaymentFailed each. Every payment begun
 * on it (`paymentIds`) has failed, is running, or completed the session, so the count is read
 * off the fold and holds for a session stored by an earlier version too.
 */
export function failedPaymentsOf(session: Pick<CheckoutSession, 'paymentIds' | 'activePaymentId' | 'status'>): number {
  return session.paymentIds.length - (session.activePaymentId === null ? 0 : 1) - (session.status === 'complete' ? 1 : 0);
}

/** True once the session has had as many failed payments as it takes. */
export function hasReachedFailedPaymentLimit(session: Pick<CheckoutSession, 'paymentIds' | 'activePaymentId' | 'status'>, maxFailedPayments: number): boolean {
  return failedPaymentsOf(session) >= maxFailedPayments;
}
