import { Decider, DecisionContext } from '../shared/decider';
import { DomainEvent } from '../shared/event';
import { conflict, gone, notFound } from '../shared/errors';
import { SessionTier, priceSession } from './priced-session';
import { CheckoutSessionReferences, SessionDiscount } from './session-references';
import { CheckoutSessionRequest, CustomFields, DEFAULT_EXPIRES_IN_HOURS, ParamsForSub } from './session-request';
import { effectiveStatus, isPastExpiry } from './session-status';
import { FailedPaymentsLimitReached, failedPaymentsOf, hasReachedFailedPaymentLimit } from './failed-payment-limits';
import { CaptureMethod, DEFAULT_CAPTURE_METHOD } from '../payment/after-approval/capture-method';

export type SessionStatus = 'open' | 'expired' | 'complete';
export type PaymentStatus = 'unpaid' | 'paid';
/** manual: `POST .../expire`; automatic: the service's sweeper, once `expires_at` has passed. */
export type ExpiryReason = 'manual' | 'automatic';
export type SessionPaymentOutcome = 'succeeded' | 'failed';

/** A session as created, in the shape API.md shows it. */
export interface CheckoutSessionFields {
  customer_id: string | null;
  tiers: SessionTier[];
  processor_route_id: string | null;
  discount: SessionDiscount | null;
  success_url: string;
  return_url: string | null;
  custom_fields: CustomFields;
  params_for_sub: ParamsForSub | null;
  expires_at: string;
  /** How its payment takes the money; absent in sessions created before capture methods existed: automatic. */
  capture_method?: CaptureMethod;
}

export type CheckoutSessionEvent =
  | DomainEvent<'CheckoutSessionCreated', { session_id: string; account_id: string; created_at: string } & CheckoutSessionFields>
  /** `expired_at` is when the session stopped taking payments: `expires_at` for automatic expiry. */
  | DomainEvent<'CheckoutSessionExpired', { session_id: string; reason: ExpiryReason; expired_at: string }>
  | DomainEvent<'SessionPaymentBegan', { session_id: string; payment_id: string }>
  | DomainEvent<'SessionPaymentFailed', { session_id: string; payment_id: string }>
  | DomainEvent<'CheckoutSessionCompleted', { session_id: string; payment_id: string; completed_at: string }>;

export type CheckoutSessionCommand =
  | {
      type: 'CreateCheckoutSession';
      sessionId: string;
      accountId: string;
      request: CheckoutSessionRequest;
      references: CheckoutSessionReferences;
    }
  | { type: 'ExpireCheckoutSession'; sessionId: string; accountId: string; reason: ExpiryReason }
  /** `maxFailedPayments`: SESSION_MAX_FAILED_PAYMENTS; a session with that many failed payments takes no more (429). */
  | { type: 'BeginSessionPayment'; sessionId: string; accountId: string; paymentId: string; maxFailedPayments: number }
  | { type: 'EndSessionPayment'; sessionId: string; accountId: string; paymentId: string; outcome: SessionPaymentOutcome };

export interface CheckoutSession extends CheckoutSessionFields {
  id: string;
  capture_method: CaptureMethod;
  accountId: string;
  createdAt: string;
  /** As recorded; `effectiveStatus` also reads an open session past `expires_at` as expired. */
  status: SessionStatus;
  paymentStatus: PaymentStatus;
  /** The payment running now: one at a time, so two concurrent pays cannot both charge. */
  activePaymentId: string | null;
  /** Every payment begun on the session, in order. */
  paymentIds: string[];
  completedAt: string | null;
  expiredAt: string | null;
}

export type CheckoutSessionState = { status: 'none' } | { status: 'created'; session: CheckoutSession };

const HOUR_MS = 3_600_000;

export const checkoutSessionDecider: Decider<CheckoutSessionCommand, CheckoutSessionEvent, CheckoutSessionState, DecisionContext> = {
  initialState: () => ({ status: 'none' }),

  decide(command, state, { now }) {
    if (command.type === 'CreateCheckoutSession') {
      if (state.status !== 'none') throw conflict(`checkout session ${command.sessionId} already exists`);
      return [create(command, now)];
    }
    const session = ownSession(state, command);
    switch (command.type) {
      case 'ExpireCheckoutSession':
        return command.reason === 'manual' ? expireManually(session, now) : expireAutomatically(session, now);
      case 'BeginSessionPayment':
        return beginPayment(session, command.paymentId, command.maxFailedPayments, now);
      case 'EndSessionPayment':
        return endPayment(session, command.paymentId, command.outcome, now);
    }
  },

  evolve(state, event) {
    if (event.type === 'CheckoutSessionCreated') {
      const { session_id, account_id, created_at, ...fields } = event.data;
      return {
        status: 'created',
        session: {
          id: session_id,
          accountId: account_id,
          ...fields,
          capture_method: fields.capture_method ?? DEFAULT_CAPTURE_METHOD,
          createdAt: created_at,
          status: 'open',
          paymentStatus: 'unpaid',
          activePaymentId: null,
          paymentIds: [],
          completedAt: null,
          expiredAt: null,
        },
      };
    }
    if (state.status === 'none') return state;
    const session = state.session;
    switch (event.type) {
      case 'CheckoutSessionExpired':
        return { status: 'created', session: { ...session, status: 'expired', expiredAt: event.data.expired_at } };
      case 'SessionPaymentBegan':
        return { status: 'created', session: { ...session, activePaymentId: event.data.payment_id, paymentIds: [...session.paymentIds, event.data.payment_id] } };
      case 'SessionPaymentFailed':
        return { status: 'created', session: { ...session, activePaymentId: null } };
      case 'CheckoutSessionCompleted':
        return {
          status: 'created',
          session: { ...session, status: 'complete', paymentStatus: 'paid', activePaymentId: null, completedAt: event.data.completed_at },
        };
    }
  },
};

function create(command: Extract<CheckoutSessionCommand, { type: 'CreateCheckoutSession' }>, now: Date): CheckoutSessionEvent {
  const { request } = command;
  const { tiers, discount } = priceSession(command.accountId, request, command.references);
  const hours = request.expires_in_hours ?? DEFAULT_EXPIRES_IN_HOURS;
  return {
    type: 'CheckoutSessionCreated',
    data: {
      session_id: command.sessionId,
      account_id: command.accountId,
      customer_id: request.customer_id ?? null,
      tiers,
      processor_route_id: request.processor_route_id ?? null,
      discount,
      success_url: request.success_url,
      return_url: request.return_url ?? null,
      custom_fields: request.custom_fields ?? {},
      params_for_sub: request.params_for_sub ?? null,
      expires_at: new Date(now.getTime() + hours * HOUR_MS).toISOString(),
      created_at: now.toISOString(),
      capture_method: request.capture_method ?? DEFAULT_CAPTURE_METHOD,
    },
  };
}

/** Another account's session reads as missing. */
function ownSession(state: CheckoutSessionState, command: { sessionId: string; accountId: string }): CheckoutSession {
  if (state.status === 'none' || state.session.accountId !== command.accountId) throw notFound(`no checkout session ${command.sessionId}`);
  return state.session;
}

function expireManually(session: CheckoutSession, now: Date): CheckoutSessionEvent[] {
  const status = effectiveStatus(session, now);
  if (status !== 'open') throw conflict(`checkout session ${session.id} is ${status}`);
  // Expiring under a running payment could leave a charged customer with an expired session.
  if (session.activePaymentId !== null) throw conflict(`payment ${session.activePaymentId} is running on checkout session ${session.id}`);
  return [{ type: 'CheckoutSessionExpired', data: { session_id: session.id, reason: 'manual', expired_at: now.toISOString() } }];
}

/**
 * The sweeper works from a projection that may lag: a session settled meanwhile needs nothing,
 * and one with a running payment waits for the payment's end (the sweeper comes back later).
 */
function expireAutomatically(session: CheckoutSession, now: Date): CheckoutSessionEvent[] {
  if (session.status !== 'open' || session.activePaymentId !== null) return [];
  if (!isPastExpiry(session, now)) throw conflict(`checkout session ${session.id} does not expire before ${session.expires_at}`);
  return [{ type: 'CheckoutSessionExpired', data: { session_id: session.id, reason: 'automatic', expired_at: session.expires_at } }];
}

function beginPayment(session: CheckoutSession, paymentId: string, maxFailedPayments: number, now: Date): CheckoutSessionEvent[] {
  if (session.status === 'complete') throw conflict(`checkout session ${session.id} is already paid`);
  // The same payment beginning again is a retried step of its saga.
  if (session.activePaymentId === paymentId) return [];
  if (session.activePaymentId !== null) throw conflict(`payment ${session.activePaymentId} is already running on checkout session ${session.id}`);
  if (session.paymentIds.includes(paymentId)) throw conflict(`payment ${paymentId} has already ended on checkout session ${session.id}`);
  if (effectiveStatus(session, now) === 'expired') throw gone(`checkout session ${session.id} expired at ${session.expiredAt ?? session.expires_at}`);
  // Counted from the session's own events, so the limit holds across processes and restarts.
  if (hasReachedFailedPaymentLimit(session, maxFailedPayments)) {
    throw new FailedPaymentsLimitReached('session', `checkout session ${session.id} has had ${failedPaymentsOf(session)} failed payments and takes no more; create a new checkout session`);
  }
  return [{ type: 'SessionPaymentBegan', data: { session_id: session.id, payment_id: paymentId } }];
}

/**
 * A payment that began in time ends normally even past `expires_at`: the customer may have been
 * charged, so a success still completes the session.
 */
function endPayment(session: CheckoutSession, paymentId: string, outcome: SessionPaymentOutcome, now: Date): CheckoutSessionEvent[] {
  if (session.activePaymentId !== paymentId) {
    // A payment that already ended reporting again is a retried step of its saga.
    if (session.paymentIds.includes(paymentId)) return [];
    throw conflict(`payment ${paymentId} is not running on checkout session ${session.id}`);
  }
  if (outcome === 'failed') return [{ type: 'SessionPaymentFailed', data: { session_id: session.id, payment_id: paymentId } }];
  return [{ type: 'CheckoutSessionCompleted', data: { session_id: session.id, payment_id: paymentId, completed_at: now.toISOString() } }];
}
