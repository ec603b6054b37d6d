import {
  ApprovalSegment,
  ApprovalStats,
  CardNetwork,
  PaymentEvent,
  PaymentStartedData,
  PaymentState,
  ProcessorOutcome,
  ProcessorSnapshot,
  RoutePolicy,
  decidePayment,
  evolvePayment,
  initialPaymentState,
  nextPaymentStep,
} from '@payments/domain';

/** What a processor answered to one call of a past payment. */
export interface RecordedAnswer {
  outcome: ProcessorOutcome;
  code: string | null;
  authCode: string | null;
  message: string | null;
  durationMs: number;
}

/** A past payment as the backtest replays it: its start, the account's processors then, and every answer it got. */
export interface PastPayment {
  started: PaymentStartedData;
  /** The account's processors in connection order, as they stood when the payment started. */
  processors: ProcessorSnapshot[];
  defaultProcessorId: string | null;
  /** By answerKey. */
  answers: Map<string, RecordedAnswer>;
}

/** A call is answered as history answered it only when it is the same call: same tier (amount), processor, network and kind. */
export function answerKey(tier: number, processorId: string, network: CardNetwork, optimized: boolean): string {
  return `${tier}|${processorId}|${network}|${optimized ? 'optimized' : 'first'}`;
}

export type CandidateResult = { kind: 'approved'; processorId: string } | { kind: 'failed' } | { kind: 'unknown'; processorId: string };

export interface Simulated {
  result: CandidateResult;
  /** The calls the candidate makes whose answer history knows, in order, each in its segment (network and the tier's currency). */
  calls: { processorId: string; outcome: ProcessorOutcome; segment: ApprovalSegment }[];
}

/** For an auth_rate candidate: the listed processors' latest attempts in a segment, as the candidate would have seen them. */
export type ApprovalStatsSource = (segment: ApprovalSegment) => Record<string, ApprovalStats>;

/** The id the candidate route takes in a replayed payment: it stands in for the route of every tier. */
export const CANDIDATE_ROUTE_ID = 'candidate';

/** More steps than any cascade takes (ten tiers of twenty calls); a bound, not a limit anyone meets. */
const MAX_STEPS = 1000;

/**
 * Runs a past payment again with the candidate route on every tier, through the deciders the
 * saga runs (tier planning, skips, failover, optimized retries, hard declines, max attempts),
 * answering each call as history answered the same call. It stops as unknown at the first
 * call history never made: what that processor would have answered nobody knows.
 */
export function simulate(payment: PastPayment, route: RoutePolicy, approvalStats?: ApprovalStatsSource): Simulated {
  const started: PaymentStartedData = { ...payment.started, tiers: payment.started.tiers.map((tier) => ({ ...tier, route_id: route.route_id })) };
  const now = new Date(started.started_at);
  const paymentId = started.payment_id;
  const calls: Simulated['calls'] = [];
  let state: PaymentState = evolvePayment(initialPaymentState(), { type: 'PaymentStarted', data: started });
  let approvedBy: string | null = null;
  for (let steps = 0; steps < MAX_STEPS; steps++) {
    const step = nextPaymentStep(state);
    let events: PaymentEvent[];
    switch (step.kind) {
      case 'finished':
        return { result: step.status === 'succeeded' && approvedBy !== null ? { kind: 'approved', processorId: approvedBy } : { kind: 'failed' }, calls };
      case 'start_tier': {
        const segment = { network: started.card.network, currency: started.tiers[step.tier].currency };
        const routing = { route, processors: payment.processors, default_processor_id: payment.defaultProcessorId, ...(approvalStats && { approval_stats: approvalStats(segment) }) };
        events = decidePayment({ type: 'StartNextTier', paymentId, tier: step.tier, routing }, state, { now });
        break;
      }
      case 'call': {
        const answer = payment.answers.get(answerKey(step.tier, step.processor_id, step.network, step.optimized));
        if (answer === undefined) return { result: { kind: 'unknown', processorId: step.processor_id }, calls };
        calls.push({ processorId: step.processor_id, outcome: answer.outcome, segment: { network: step.network, currency: started.tiers[step.tier].currency } });
        if (answer.outcome === 'approved') approvedBy = step.processor_id;
        events = decidePayment(
          {
            type: 'RecordProcessorOutcome',
            paymentId,
            idempotencyKey: step.idempotency_key,
            outcome: answer.outcome,
            code: answer.code ?? undefined,
            authCode: answer.authCode ?? undefined,
            message: answer.message ?? undefined,
            durationMs: answer.durationMs,
          },
          state,
          { now },
        );
        break;
      }
    }
    state = events.reduce(evolvePayment, state);
  }
  throw new Error(`payment ${paymentId}: the replay took more than ${MAX_STEPS} steps`);
}
