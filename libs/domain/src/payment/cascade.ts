import { ProcessorFailureKind } from '../tier-planning/route-policy';
import { PlanEntry } from '../tier-planning/tier-plan';
import { idempotencyKey, PaymentEvent, PaymentFailureReason, TierFailureReason } from './payment-events';
import { evolveRun, PaymentRun, TierRun } from './payment-state';

/**
 * How a tier's cascade moves, as the rest of this module applies it:
 *
 * - The plan is walked in order. A skipped entry is recorded when the cascade reaches it; a
 *   callable one is recorded as ProcessorAttempted and the cascade waits for its outcome.
 * - The first approval ends the payment (PaymentSucceeded).
 * - A hard decline (a code outside `failover.decline_codes`, when that list is set) ends the
 *   payment at once: TierFailed(hard_decline), PaymentFailed(hard_decline).
 * - A soft decline is retried once on the same processor with `optimized: true` when the route
 *   asks for optimized retries and that processor has not had its retry in this tier; the retry
 *   is the same processor, not a failover, so it happens whatever `failover.on` says.
 * - Otherwise a failure whose kind is in `failover.on` moves on to the next plan entry. One whose
 *   kind is not ends the tier (TierFailed(no_failover)), and the next tier starts: API.md ends
 *   the whole payment only on a hard decline, and `on` is about "the next processor".
 * - `failover.max_attempts` caps calls in the tier, optimized retries included (each is a call
 *   to a processor, with its latency and cost). Once reached, the tier fails (max_attempts)
 *   instead of reaching any further entry.
 * - A tier that ends without approval fails; after the last tier the payment fails
 *   (all_tiers_failed). The next tier is started by the saga, which resolves its route first.
 */

/** The events after `event`, given the state it leads to. */
function followedBy(run: PaymentRun, event: PaymentEvent, rest: (next: PaymentRun) => PaymentEvent[]): PaymentEvent[] {
  return [event, ...rest(evolveRun(run, event))];
}

export function currentTier(run: PaymentRun): TierRun {
  if (run.tier === null) throw new Error(`payment ${run.payment.payment_id} has no tier started`);
  return run.tier;
}

/** Whether the tier has made the `failover.max_attempts` calls it may. */
function atCallCap(tier: TierRun): boolean {
  return tier.failover.max_attempts !== null && tier.calls >= tier.failover.max_attempts;
}

/** Walks the running tier to its next call, recording skips on the way, or ends the tier. */
export function moveOn(run: PaymentRun, now: Date): PaymentEvent[] {
  const tier = currentTier(run);
  if (tier.cursor >= tier.plan.length) return failTier(run, 'exhausted', now);
  if (atCallCap(tier)) return failTier(run, 'max_attempts', now);
  const entry = tier.plan[tier.cursor];
  if (entry.skip_reason === null) return [attempted(run, entry, false)];
  const skipped: PaymentEvent = {
    type: 'ProcessorSkipped',
    data: { payment_id: run.payment.payment_id, tier: tier.index, processor_id: entry.processor_id, network: entry.network, reason: entry.skip_reason },
  };
  return followedBy(run, skipped, (next) => moveOn(next, now));
}

/** After a failed call: an optimized retry, the next entry, or the end of the tier. */
export function afterFailure(run: PaymentRun, kind: ProcessorFailureKind, softDecline: boolean, now: Date): PaymentEvent[] {
  const tier = currentTier(run);
  const last = tier.lastCall;
  if (softDecline && tier.optimized_retry && last !== null && !tier.optimizedProcessors.includes(last.processor_id) && !atCallCap(tier)) {
    return [attempted(run, { processor_id: last.processor_id, network: last.network, skip_reason: null }, true)];
  }
  return tier.failover.on.includes(kind) ? moveOn(run, now) : failTier(run, 'no_failover', now);
}

export function failTier(run: PaymentRun, reason: TierFailureReason, now: Date): PaymentEvent[] {
  const tier = currentTier(run);
  const failed: PaymentEvent = { type: 'TierFailed', data: { payment_id: run.payment.payment_id, tier: tier.index, reason } };
  if (reason === 'hard_decline') return [failed, paymentFailed(run, 'hard_decline', now)];
  const lastTier = tier.index === run.payment.tiers.length - 1;
  return lastTier ? [failed, paymentFailed(run, 'all_tiers_failed', now)] : [failed];
}

function attempted(run: PaymentRun, entry: PlanEntry, optimized: boolean): PaymentEvent {
  const tier = currentTier(run);
  const { payment_id, tiers } = run.payment;
  const attempt = tier.calls + 1;
  const revision = tier.processor_revisions?.[entry.processor_id];
  return {
    type: 'ProcessorAttempted',
    data: {
      payment_id,
      tier: tier.index,
      processor_id: entry.processor_id,
      network: entry.network,
      attempt,
      optimized,
      idempotency_key: idempotencyKey(payment_id, tier.index, attempt),
      amount: tiers[tier.index].amount,
      currency: tiers[tier.index].currency,
      ...(revision !== undefined && { processor_revision: revision }),
    },
  };
}

function paymentFailed(run: PaymentRun, failureReason: PaymentFailureReason, now: Date): PaymentEvent {
  const { payment_id, checkout_session_id } = run.payment;
  return {
    type: 'PaymentFailed',
    data: { payment_id, checkout_session_id, failure_reason: failureReason, tier: currentTier(run).index, completed_at: now.toISOString() },
  };
}
