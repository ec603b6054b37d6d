import { CardSummary } from '../card/card-summary';
import { SkipReason } from '../tier-planning/skip-reasons';
import { RoutingWhy } from '../tier-planning/candidate-order';
import { RoutePolicyStrategy } from '../tier-planning/route-policy';
import { PaymentEvent, PaymentFailureReason, PaymentStartedData, PaymentTier } from './payment-events';
import { lateApprovalUndo } from './attempt-resolution';
import { CaptureMethod, DEFAULT_CAPTURE_METHOD } from './after-approval/capture-method';

export interface PaymentAttemptView {
  tier: number;
  processor_id: string;
  kind: 'attempted' | 'skipped';
  /** Null while the call has no answer, and for a skip. */
  outcome: 'approved' | 'declined' | 'timeout' | 'error' | null;
  optimized: boolean;
  code: string | null;
  /**
   * Why a processor was skipped (a SkipReason), or why a call timed out or failed (the connector's
   * words, e.g. "could not reach the processor (ECONNREFUSED)"); null otherwise.
   */
  reason: SkipReason | string | null;
  duration_ms: number | null;
  /**
   * Of a call whose outcome may hide a charge (attempt-resolution.ts): `unresolved` until the
   * processor's status is known and any late approval is undone, then `not_charged` or
   * `late_approval_voided`. Null for every other attempt.
   */
  resolution: AttemptResolutionView;
}

export type AttemptResolutionView = null | 'unresolved' | 'not_charged' | 'late_approval_voided';

/** How one tier ordered its processors, and why (TierStarted). */
export interface TierRoutingView {
  tier: number;
  route_id: string | null;
  route_revision: number | null;
  strategy: RoutePolicyStrategy;
  /** The strategy's order, before the payer's routing.attempts and before any skip. */
  order: string[];
  /** Null for a tier started before the decision's reasons were recorded. */
  why: RoutingWhy | null;
}

/** The payment as API.md's "Payments" answers it. */
export interface PaymentView {
  id: string;
  object: 'payment';
  checkout_session_id: string;
  /** requires_capture: a manual payment's approval holds the money until captured (succeeded) or voided (canceled). */
  status: 'processing' | 'succeeded' | 'failed' | 'requires_capture' | 'canceled';
  /** Of the tier the payment is in, succeeded in, or last failed in. */
  amount: number;
  /** Taken from the card: the amount for an automatic approval, the captured amount once a manual one is captured, else 0. */
  amount_captured: number;
  /** The sum of the refunds that succeeded. */
  amount_refunded: number;
  capture_method: CaptureMethod;
  currency: string;
  tier: number;
  /** The approving processor, else the last one called. */
  processor_id: string | null;
  route_id: string | null;
  route_revision: number | null;
  auth_code: string | null;
  /** Of the last processor answer. */
  response_code: string | null;
  response_summary: string | null;
  failure_reason: PaymentFailureReason | null;
  source: { type: 'card' } & CardSummary;
  attempts: PaymentAttemptView[];
  /** One entry per tier started, in order. Absent in views stored before it existed (read as none). */
  routing?: TierRoutingView[];
  created_at: string;
  completed_at: string | null;
}

/** Folds a payment's events into its API view; null for a stream without PaymentStarted. */
export function paymentView(events: Iterable<PaymentEvent>): PaymentView | null {
  let tiers: readonly PaymentTier[] = [];
  let view: PaymentView | null = null;
  for (const event of events) {
    if (event.type === 'PaymentStarted') tiers = event.data.tiers;
    view = evolvePaymentView(view, event, tiers);
  }
  return view;
}

/**
 * The view after one more event, for a read model that applies events one at a time. `tiers`
 * are the payment's (PaymentStarted's), whose amounts a started tier shows.
 */
export function evolvePaymentView(view: PaymentView | null, event: PaymentEvent, tiers: readonly PaymentTier[]): PaymentView | null {
  if (event.type === 'PaymentStarted') return startedView(event.data);
  return view === null ? null : applyToView(view, event, tiers);
}

function startedView(data: PaymentStartedData): PaymentView {
  const first = data.tiers[0];
  return {
    id: data.payment_id,
    object: 'payment',
    checkout_session_id: data.checkout_session_id,
    status: 'processing',
    amount: first.amount,
    amount_captured: 0,
    amount_refunded: 0,
    capture_method: data.capture_method ?? DEFAULT_CAPTURE_METHOD,
    currency: first.currency,
    tier: first.index,
    processor_id: null,
    route_id: first.route_id,
    route_revision: null,
    auth_code: null,
    response_code: null,
    response_summary: null,
    failure_reason: null,
    source: { type: 'card', ...data.card },
    attempts: [],
    routing: [],
    created_at: data.started_at,
    completed_at: null,
  };
}

function applyToView(view: PaymentView, event: PaymentEvent, tiers: readonly PaymentTier[]): PaymentView {
  switch (event.type) {
    case 'TierStarted': {
      const { tier, route_id, route_revision, strategy, candidate_order, why } = event.data;
      const { amount, currency } = tiers[tier];
      const routing = [...(view.routing ?? []), { tier, route_id, route_revision, strategy, order: candidate_order, why: why ?? null }];
      return { ...view, tier, amount, currency, route_id, route_revision, routing };
    }
    case 'ProcessorSkipped':
      return withAttempt(view, {
        tier: event.data.tier,
        processor_id: event.data.processor_id,
        kind: 'skipped',
        outcome: null,
        optimized: false,
        code: null,
        reason: event.data.reason,
        duration_ms: null,
        resolution: null,
      });
    case 'ProcessorAttempted':
      return withAttempt(
        { ...view, processor_id: event.data.processor_id },
        { tier: event.data.tier, processor_id: event.data.processor_id, kind: 'attempted', outcome: null, optimized: event.data.optimized, code: null, reason: null, duration_ms: null, resolution: null },
      );
    case 'ProcessorApproved':
      return answered(view, 'approved', event.data.code, event.data.duration_ms, 'Approved');
    case 'ProcessorDeclined': {
      const { code, hard, duration_ms } = event.data;
      const summary = `${hard ? 'Hard decline' : 'Declined'}${code === null ? '' : ` with code ${code}`}`;
      return answered(view, 'declined', code, duration_ms, summary);
    }
    case 'ProcessorTimedOut':
      return answered(view, 'timeout', null, event.data.duration_ms, 'The processor did not answer in time', unknownAnswer(event.data, 'the processor did not answer in time'));
    case 'ProcessorErrored':
      return answered(view, 'error', event.data.code, event.data.duration_ms, 'The processor failed to answer', unknownAnswer(event.data, 'the processor answered with an error'));
    case 'ProcessorAttemptResolved': {
      const { tier, attempt } = event.data;
      const live = lateApprovalUndo({ amount: tiers[tier]?.amount ?? 0 }, event.data) !== null;
      return resolved(view, tier, attempt, live ? 'unresolved' : 'not_charged');
    }
    case 'LateApprovalVoided':
      return resolved(view, event.data.tier, event.data.attempt, 'late_approval_voided');
    // The processor refused to undo it: the charge stands, for an operator (the events say why).
    case 'LateApprovalVoidFailed':
      return view;
    // A later PaymentStarted cannot happen (the decider refuses a second start); a failed tier changes nothing shown.
    case 'PaymentStarted':
    case 'TierFailed':
      return view;
    case 'PaymentSucceeded':
      return { ...view, status: 'succeeded', amount_captured: event.data.amount, processor_id: event.data.processor_id, auth_code: event.data.auth_code, completed_at: event.data.completed_at };
    case 'PaymentAuthorized':
      return { ...view, status: 'requires_capture', processor_id: event.data.processor_id, auth_code: event.data.auth_code, completed_at: event.data.authorized_at };
    case 'PaymentCaptured':
      return { ...view, status: 'succeeded', amount_captured: event.data.amount };
    case 'PaymentVoided':
    case 'AuthorizationExpired':
      return { ...view, status: 'canceled' };
    case 'RefundSucceeded':
      return { ...view, amount_refunded: view.amount_refunded + event.data.amount };
    // Requests and refusals show in the payment's refunds and events, not in its fields.
    case 'PaymentCaptureRequested':
    case 'PaymentCaptureFailed':
    case 'PaymentVoidRequested':
    case 'PaymentVoidFailed':
    case 'RefundRequested':
    case 'RefundFailed':
      return view;
    case 'PaymentFailed':
      // A call still without its answer when the payment ended may have charged (attempt-resolution.ts).
      return {
        ...withUnansweredCallsInDoubt(view),
        status: 'failed',
        failure_reason: event.data.failure_reason,
        completed_at: event.data.completed_at,
      };
  }
}

function withAttempt(view: PaymentView, attempt: PaymentAttemptView): PaymentView {
  return { ...view, attempts: [...view.attempts, attempt] };
}

/** Fills in the answer of the last call, which is always the last `attempted` entry. */
function answered(
  view: PaymentView,
  outcome: NonNullable<PaymentAttemptView['outcome']>,
  code: string | null,
  durationMs: number,
  summary: string,
  doubt: Pick<PaymentAttemptView, 'reason' | 'resolution'> = { reason: null, resolution: null },
): PaymentView {
  const index = view.attempts.map((attempt) => attempt.kind).lastIndexOf('attempted');
  const attempts = view.attempts.map((attempt, i) => (i === index ? { ...attempt, outcome, code, duration_ms: durationMs, ...doubt } : attempt));
  return { ...view, attempts, response_code: code, response_summary: summary };
}

/** Why a timeout or error happened, and whether it is to be resolved (uncertain unless the connector said otherwise). */
function unknownAnswer(data: { message?: string | null; uncertain?: boolean }, fallback: string): Pick<PaymentAttemptView, 'reason' | 'resolution'> {
  return { reason: data.message ?? fallback, resolution: data.uncertain === false ? null : 'unresolved' };
}

/** Sets the resolution of the tier's `attempt`-th call (attempt numbers count the tier's calls, skips apart). */
function resolved(view: PaymentView, tier: number, attempt: number, resolution: AttemptResolutionView): PaymentView {
  let calls = 0;
  const attempts = view.attempts.map((entry) => (entry.tier === tier && entry.kind === 'attempted' && ++calls === attempt ? { ...entry, resolution } : entry));
  return { ...view, attempts };
}

function withUnansweredCallsInDoubt(view: PaymentView): PaymentView {
  if (!view.attempts.some((attempt) => attempt.kind === 'attempted' && attempt.outcome === null)) return view;
  const attempts = view.attempts.map((attempt) =>
    attempt.kind === 'attempted' && attempt.outcome === null ? { ...attempt, reason: 'the payment ended before the call was answered', resolution: 'unresolved' as const } : attempt,
  );
  return { ...view, attempts };
}
