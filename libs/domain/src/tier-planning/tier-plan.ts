import { CardNetwork } from '../card/networks';
import { ApprovalStats } from './approval-rates';
import { RoutingDecision, RoutingWhy, noRouteOrder, routingDecision } from './candidate-order';
import { ResolvedFailover, resolveFailover, RoutePolicy, RoutePolicyStrategy, RoutingFacts } from './route-policy';
import { attemptSlots, AttemptSlot, RoutingAttempt } from './routing-attempts';
import { ProcessorSnapshot, SkipReason, skipReason } from './skip-reasons';

/** One step of a tier's cascade: call the processor over the network, or record why it is skipped. */
export interface PlanEntry {
  processor_id: string;
  network: CardNetwork;
  skip_reason: SkipReason | null;
}

/** Everything a tier decided when it started; the cascade needs nothing else to run it to its end. */
export interface TierPlan {
  route_id: string | null;
  route_revision: number | null;
  strategy: RoutePolicyStrategy;
  /** The strategy's order of the tier's processors. */
  candidate_order: string[];
  /** What decided that order (the matched rule, the costs, the rates used, the draw). */
  why: RoutingWhy;
  /** The cascade's steps in the order it takes them. */
  plan: PlanEntry[];
  failover: ResolvedFailover;
  optimized_retry: boolean;
}

/** A plan as TierStarted records it: `why` is absent in tiers started before it was recorded. */
export type RecordedTierPlan = Omit<TierPlan, 'why'> & { why?: RoutingWhy };

/** What the service resolves when a tier starts. */
export interface TierRouting {
  /** The tier's route at its current revision, or null when the tier has none. */
  route: RoutePolicy | null;
  /** Every processor of the account, in connection order. */
  processors: readonly ProcessorSnapshot[];
  default_processor_id: string | null;
  /**
   * Each processor's stream revision as read, which the tier records (TierStarted) so that its
   * calls use the settings it was planned with; absent where the reader does not know them.
   */
  processor_revisions?: Readonly<Record<string, number>>;
  /**
   * For an auth_rate route: each listed processor's latest attempts in the payment's segment
   * (card network and currency), as far back as the route's window, read when the tier starts.
   * The tier records them (TierStarted's `why.rates`), so a replay orders from the same numbers.
   */
  approval_stats?: Readonly<Record<string, ApprovalStats>>;
}

/**
 * Plans a tier: the strategy orders the processors, the payment's attempts (when given) choose
 * and reorder them, and each step is checked against the processor's state now. Processors that
 * no attempt uses come first, skipped as `not_in_attempts`, so they are recorded at the tier's
 * start; every other skip is recorded when the cascade reaches it, so events follow the plan.
 */
export function planTier(routing: TierRouting, facts: RoutingFacts, attempts: readonly RoutingAttempt[] | null): TierPlan {
  const processors = new Map(routing.processors.map((processor) => [processor.id, processor]));
  const { route } = routing;
  const { order, why }: RoutingDecision =
    route === null
      ? { order: noRouteOrder(routing.processors, routing.default_processor_id), why: { default_processor_id: routing.default_processor_id } }
      : routingDecision(route, facts, processors, routing.approval_stats);
  const slots: AttemptSlot[] = attempts === null ? order.map((id) => ({ processor_id: id, network: facts.card_network })) : attemptSlots(attempts, order, facts.card_network, processors);
  const notAttempted: PlanEntry[] = order
    .filter((id) => !slots.some((slot) => slot.processor_id === id))
    .map((id) => ({ processor_id: id, network: facts.card_network, skip_reason: 'not_in_attempts' }));
  const steps: PlanEntry[] = slots.map((slot) => ({ ...slot, skip_reason: skipReason(processors.get(slot.processor_id), facts.currency, slot.network) }));
  return {
    route_id: route?.route_id ?? null,
    route_revision: route?.revision ?? null,
    // Without a route a tier runs as API.md says: priority order and every failover default.
    strategy: route?.strategy ?? 'priority',
    candidate_order: order,
    why,
    plan: [...notAttempted, ...steps],
    failover: resolveFailover(route?.failover ?? {}),
    optimized_retry: route?.optimized_retry ?? false,
  };
}
