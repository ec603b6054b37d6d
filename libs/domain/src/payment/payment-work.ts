import { CheckoutSessionEvent } from '../checkout-session/checkout-session';
import { DomainEvent } from '../shared/event';
import { AttemptsInDoubt, UnknownAttempt, evolveAttemptsInDoubt, needsResolution, noAttemptsInDoubt } from './attempt-resolution';
import { PaymentEvent } from './payment-events';

/**
 * What the service still owes a payment after a restart, folded from the log across the
 * payment's session and payment streams:
 * - a payment that began on its session but never started: end it on its session (after a grace);
 * - a started payment whose session has not been told it ended: drive the cascade on;
 * - an attempt whose outcome may hide a charge: resolve it (attempt-resolution.ts).
 * A payment with none of these is done, and is dropped from the fold.
 */
export interface OpenPayment {
  payment_id: string;
  checkout_session_id: string;
  /**
   * The global position of the event before the payment's first one (normally its
   * SessionPaymentBegan): a read of the log strictly after it sees all of the payment.
   */
  read_after: bigint;
  /** When that event was stored. */
  began_at: string;
  started: boolean;
  /** The session recorded the payment's end (completed, or open again): the cascade has nothing left to do. */
  session_ended: boolean;
  in_doubt: AttemptsInDoubt;
}

type WorkEvent = PaymentEvent | CheckoutSessionEvent;

/** Where an event sits in the log, as the store recorded it. */
export interface LogPlace {
  /** The position of the event read before this one (or where the reading started). */
  after: bigint;
  created_at: string;
}

/**
 * The payment after one more event of its session or payment stream; undefined for an event that
 * does not concern a payment the fold holds (only a beginning or a start introduces one).
 */
export function evolveOpenPayment(current: OpenPayment | undefined, event: WorkEvent, at: LogPlace): OpenPayment | undefined {
  const payment = current ?? firstSeen(event, at);
  if (payment === undefined) return undefined;
  switch (event.type) {
    case 'SessionPaymentBegan':
      return payment;
    case 'SessionPaymentFailed':
    case 'CheckoutSessionCompleted':
      return { ...payment, session_ended: true };
    case 'PaymentStarted':
      return { ...payment, started: true };
    case 'CheckoutSessionCreated':
    case 'CheckoutSessionExpired':
      return payment;
    default: {
      const in_doubt = evolveAttemptsInDoubt(payment.in_doubt, event);
      return in_doubt === payment.in_doubt ? payment : { ...payment, in_doubt };
    }
  }
}

function firstSeen(event: WorkEvent, at: LogPlace): OpenPayment | undefined {
  if (event.type !== 'SessionPaymentBegan' && event.type !== 'PaymentStarted') return undefined;
  const sessionId = event.type === 'PaymentStarted' ? event.data.checkout_session_id : event.data.session_id;
  return {
    payment_id: event.data.payment_id,
    checkout_session_id: sessionId,
    read_after: at.after,
    began_at: at.created_at,
    started: false,
    session_ended: false,
    in_doubt: noAttemptsInDoubt,
  };
}

/** The payment an event of a session or payment stream is about; undefined for the session's own events. */
export function paymentOfWorkEvent(event: WorkEvent): string | undefined {
  return 'payment_id' in event.data ? event.data.payment_id : undefined;
}

/** Attempts whose resolution has work left. */
export function attemptsToResolve(payment: OpenPayment): UnknownAttempt[] {
  return payment.in_doubt.attempts.filter(needsResolution);
}

/** Whether the service still owes the payment anything. */
export function isOpen(payment: OpenPayment): boolean {
  return !payment.session_ended || attemptsToResolve(payment).length > 0;
}

/**
 * The recovery stream's one event type: every open payment's first event lies after `position`
 * (exclusive), so a start that reads the log from there finds all the work it owes. Positions are
 * 64-bit, so kept as a decimal string.
 */
export type PaymentRecoveryEvent = DomainEvent<'PaymentWorkLowWaterMarkAdvanced', { position: string; open_payments: number; advanced_at: string }>;

export const PAYMENT_RECOVERY_STREAM = 'recovery-payments';
