import { parseRoutingAttempts } from '../tier-planning/routing-attempts';
import { planTier, TierPlan } from '../tier-planning/tier-plan';
import { DecisionContext } from '../shared/decider';
import { conflict, invalid, notFound } from '../shared/errors';
import { decideAttemptResolution } from './attempt-resolution';
import { afterFailure, currentTier, failTier, moveOn } from './cascade';
import { paymentAuthorized } from './after-approval/payment-authorized';
import { PaymentCommand } from './payment-commands';
import { PaymentEvent, ProcessorOutcomeEvent } from './payment-events';
import { evolveRun, PaymentRun, PaymentState } from './payment-state';

type Command<T extends PaymentCommand['type']> = Extract<PaymentCommand, { type: T }>;

/**
 * Each command records everything up to the next processor call or the next tier, in one
 * append, so a stream only ever rests where `nextPaymentStep` can pick it up.
 */
export function decidePayment(command: PaymentCommand, state: PaymentState, { now }: DecisionContext): PaymentEvent[] {
  if (command.type === 'StartPayment') return startPayment(command, state, now);
  if (state.status === 'none') throw notFound(`no payment ${command.paymentId}`);
  switch (command.type) {
    case 'StartNextTier':
      return startNextTier(command, state, now);
    case 'RecordProcessorOutcome':
      return recordOutcome(command, state, now);
    case 'FailPayment':
      return failPayment(command, state, now);
    case 'RecordAttemptResolution':
    case 'RecordLateApprovalUndo':
      return decideAttemptResolution(command, state.payment.payment_id, state.inDoubt);
  }
}

function startPayment(command: Command<'StartPayment'>, state: PaymentState, now: Date): PaymentEvent[] {
  if (state.status !== 'none') throw conflict(`payment ${command.paymentId} has already started`);
  if (command.tiers.length === 0 || command.tiers.some((tier, index) => tier.index !== index)) {
    throw invalid('a payment needs its tiers, indexed from 0 in order');
  }
  const attempts = command.attempts === undefined ? null : parseRoutingAttempts(command.attempts, command.accountProcessorIds);
  return [
    {
      type: 'PaymentStarted',
      data: {
        payment_id: command.paymentId,
        checkout_session_id: command.checkoutSessionId,
        account_id: command.accountId,
        tiers: command.tiers.map((tier) => ({ ...tier })),
        card: { ...command.card },
        bin_country: command.binCountry,
        routing: attempts === null ? null : { attempts },
        started_at: now.toISOString(),
        ...(command.captureMethod !== undefined && { capture_method: command.captureMethod }),
      },
    },
  ];
}

function startNextTier(command: Command<'StartNextTier'>, run: PaymentRun, now: Date): PaymentEvent[] {
  // A saga that lost a race, or retries after a crash, asks again for a tier already started.
  if (run.tier !== null && run.tier.index >= command.tier) return [];
  const expected = run.tier === null ? 0 : run.tier.index + 1;
  if (run.status !== 'processing' || (run.tier !== null && !run.tier.failed) || command.tier !== expected) {
    throw conflict(`payment ${run.payment.payment_id} is not waiting for tier ${command.tier} to start`);
  }
  const tier = run.payment.tiers[command.tier];
  const routeId = command.routing.route?.route_id ?? null;
  if (routeId !== tier.route_id) {
    throw invalid(`tier ${tier.index} routes with ${tier.route_id ?? 'no route'}, not ${routeId ?? 'no route'}`);
  }
  const { card, bin_country, routing, payment_id } = run.payment;
  const plan = planTier(
    command.routing,
    { payment_id, amount: tier.amount, currency: tier.currency, card_network: card.network, bin: card.bin, bin_country },
    routing?.attempts ?? null,
  );
  const revisions = command.routing.processor_revisions && plannedRevisions(plan, command.routing.processor_revisions);
  const started: PaymentEvent = { type: 'TierStarted', data: { payment_id, tier: tier.index, ...plan, ...(revisions && { processor_revisions: revisions }) } };
  return [started, ...moveOn(evolveRun(run, started), now)];
}

function recordOutcome(command: Command<'RecordProcessorOutcome'>, run: PaymentRun, now: Date): PaymentEvent[] {
  const call = run.tier?.awaitingOutcome ? run.tier.lastCall : null;
  if (call === null || call.idempotency_key !== command.idempotencyKey) {
    // The same answer delivered twice (a retried append, a second saga worker) is recorded once.
    if (run.answeredKeys.includes(command.idempotencyKey)) return [];
    throw conflict(`payment ${run.payment.payment_id} is not waiting for the call ${command.idempotencyKey}`);
  }
  const { payment_id, tier, processor_id, attempt, optimized } = call;
  const ref = { payment_id, tier, processor_id, attempt, optimized };
  const code = command.code ?? null;
  const duration_ms = command.durationMs;
  const outcome: ProcessorOutcomeEvent = (() => {
    switch (command.outcome) {
      case 'approved':
        return { type: 'ProcessorApproved', data: { ...ref, code, auth_code: command.authCode ?? null, duration_ms } };
      case 'declined':
        return { type: 'ProcessorDeclined', data: { ...ref, code, hard: isHardDecline(run, code), duration_ms } };
      case 'timeout':
        return { type: 'ProcessorTimedOut', data: { ...ref, duration_ms, ...uncertainty(command) } };
      case 'error':
        return { type: 'ProcessorErrored', data: { ...ref, code, message: command.message ?? null, duration_ms, ...(command.uncertain !== undefined && { uncertain: command.uncertain }) } };
    }
  })();
  const next = evolveRun(run, outcome);
  return [outcome, ...eventsAfter(outcome, next, now)];
}

/** Whether a timeout may hide a charge, and why it happened, as far as the connector said. */
function uncertainty({ uncertain, message }: Command<'RecordProcessorOutcome'>) {
  return { ...(uncertain !== undefined && { uncertain }), ...(message !== undefined && { message }) };
}

/** The revisions of the processors the plan may call, read when the tier started. */
function plannedRevisions(plan: TierPlan, revisions: Readonly<Record<string, number>>): Record<string, number> {
  const called = plan.plan.flatMap((entry) => (entry.skip_reason === null && revisions[entry.processor_id] !== undefined ? [entry.processor_id] : []));
  return Object.fromEntries(called.map((id) => [id, revisions[id]]));
}

/**
 * Ends a payment that the saga cannot take further, at any step of its cascade: a call recorded
 * without its answer stays in doubt (attempt-resolution.ts), so the resolver learns whether it
 * charged. A payment that has ended already records nothing.
 */
function failPayment(command: Command<'FailPayment'>, run: PaymentRun, now: Date): PaymentEvent[] {
  if (run.status !== 'processing') return [];
  const { payment_id, checkout_session_id, tiers } = run.payment;
  // The tier the step was about: the running one, or the one it could not start.
  const tier = run.tier === null ? 0 : run.tier.failed ? Math.min(run.tier.index + 1, tiers.length - 1) : run.tier.index;
  return [
    {
      type: 'PaymentFailed',
      data: { payment_id, checkout_session_id, failure_reason: 'processing_error', tier, completed_at: now.toISOString(), failure_detail: command.detail },
    },
  ];
}

/**
 * With `decline_codes` set, only those codes are soft; any other decline, one without a code
 * included, is hard. Without the list every decline is soft.
 */
function isHardDecline(run: PaymentRun, code: string | null): boolean {
  const softCodes = currentTier(run).failover.decline_codes;
  return softCodes !== null && (code === null || !softCodes.includes(code));
}

function eventsAfter(outcome: ProcessorOutcomeEvent, run: PaymentRun, now: Date): PaymentEvent[] {
  switch (outcome.type) {
    case 'ProcessorApproved': {
      // A manual payment's approval only holds the money: the payment waits for its capture or void.
      if (run.payment.capture_method === 'manual') return [paymentAuthorized(run, outcome.data, now)];
      const tier = currentTier(run);
      const { payment_id, checkout_session_id, tiers } = run.payment;
      const { amount, currency } = tiers[tier.index];
      return [
        {
          type: 'PaymentSucceeded',
          data: {
            payment_id,
            checkout_session_id,
            tier: tier.index,
            processor_id: outcome.data.processor_id,
            amount,
            currency,
            auth_code: outcome.data.auth_code,
            route_id: tier.route_id,
            route_revision: tier.route_revision,
            completed_at: now.toISOString(),
          },
        },
      ];
    }
    case 'ProcessorDeclined':
      return outcome.data.hard ? failTier(run, 'hard_decline', now) : afterFailure(run, 'decline', true, now);
    case 'ProcessorTimedOut':
      return afterFailure(run, 'timeout', false, now);
    case 'ProcessorErrored':
      return afterFailure(run, 'error', false, now);
  }
}
