import { CardSummary } from '../card/card-summary';
import { conflict, notFound } from '../shared/errors';
import { ProcessorAttemptedData } from './payment-events';
import { CaptureMethod } from './after-approval/capture-method';
import { PaymentState } from './payment-state';

/** What the saga does next for a payment, read from its stream alone. */
export type PaymentStep =
  /** Resolve the tier's route and the account's processors as they are now, then send StartNextTier. */
  | { kind: 'start_tier'; tier: number; route_id: string | null }
  /**
   * Call the processor with exactly this request and key, then send RecordProcessorOutcome.
   * A stream that rests here after a crash gives the same call, so the processor sees the
   * same idempotency key and answers it once.
   */
  | ({ kind: 'call'; card: Pick<CardSummary, 'bin' | 'last4' | 'network'>; /** Absent: automatic. */ capture_method?: CaptureMethod } & ProcessorAttemptedData)
  | { kind: 'finished'; status: 'succeeded' | 'failed' };

export function nextPaymentStep(state: PaymentState): PaymentStep {
  if (state.status === 'none') throw notFound('no payment in this stream');
  const run = state;
  if (run.status !== 'processing') return { kind: 'finished', status: run.status };
  const tier = run.tier;
  if (tier?.awaitingOutcome && tier.lastCall) {
    const { bin, last4 } = run.payment.card;
    // The call's network, not the card's: a network attempt routes the card over another one.
    // A manual payment's call only authorizes; an automatic one is a sale, as every call was before capture methods.
    const manual = run.payment.capture_method === 'manual' && { capture_method: run.payment.capture_method };
    return { kind: 'call', ...tier.lastCall, card: { bin, last4, network: tier.lastCall.network }, ...manual };
  }
  const next = tier === null ? 0 : tier.index + 1;
  if ((tier === null || tier.failed) && next < run.payment.tiers.length) {
    return { kind: 'start_tier', tier: next, route_id: run.payment.tiers[next].route_id };
  }
  // Deciders append each step whole, so only a stream written by something else rests here.
  throw conflict(`payment ${run.payment.payment_id} stream ends where the cascade cannot continue`);
}
