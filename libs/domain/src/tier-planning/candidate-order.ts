import { ApprovalSegment, ApprovalStats, ProcessorRate, authRateOrder } from './approval-rates';
import { RoutePolicy, RoutingFacts } from './route-policy';
import { matchingRuleIndex } from './rule-conditions';
import { ProcessorSnapshot } from './skip-reasons';
import { volumeSplitDraw, volumeSplitOrder } from './volume-split';

/**
 * What decided a tier's order (API.md "Payments", `routing[].why`); which fields it has depends on
 * the strategy, and a priority route's is empty: its order is the listed one.
 */
export interface RoutingWhy {
  /** Without a route: the account's default processor, put first (null: none, connection order only). */
  default_processor_id?: string | null;
  /** volume_split: the payment's draw in 0..99, which the shares of the listed processors take in turn. */
  draw?: number;
  /** rule_based: the index of the first rule whose conditions all held; null: none held, the default list. */
  matched_rule?: number | null;
  /** rule_based: the card's issuing country as the BIN table told it; null: the BIN is not in the table (no bin_country condition holds). */
  bin_country?: string | null;
  /** cost_optimized: each listed processor's fee for the amount, in minor units (null: it has no fees, and is last). */
  costs?: { processor_id: string; cost: number | null }[];
  /** auth_rate: the segment whose rates were used. */
  segment?: ApprovalSegment;
  /** auth_rate: each listed processor's rate with its sample counts. */
  rates?: ProcessorRate[];
  /** auth_rate: whether the payment explored (tried the listed order), and its draw in [0, 100). */
  explored?: boolean;
  exploration_draw?: number;
}

export interface RoutingDecision {
  /** The order in which the tier tries its processors, before any filtering. */
  order: string[];
  why: RoutingWhy;
}

/**
 * The route's strategy decides the order of a tier. Everything it depends on comes in: the
 * processors' fees as the tier read them, and for auth_rate `approvalStats`, each listed
 * processor's latest attempts in the payment's segment (none: a cold start).
 */
export function routingDecision(
  policy: RoutePolicy,
  facts: RoutingFacts,
  processors: ReadonlyMap<string, ProcessorSnapshot>,
  approvalStats: Readonly<Record<string, ApprovalStats>> = {},
): RoutingDecision {
  const listed = policy.processors.map((entry) => entry.processor_id);
  switch (policy.strategy) {
    case 'priority':
      return { order: listed, why: {} };
    case 'volume_split':
      return { order: volumeSplitOrder(policy.processors, facts.payment_id), why: { draw: volumeSplitDraw(facts.payment_id) } };
    case 'rule_based': {
      const index = matchingRuleIndex(policy.rules, facts);
      const order = index === null ? listed : policy.rules[index].processors.map((entry) => entry.processor_id);
      return { order, why: { matched_rule: index, bin_country: facts.bin_country } };
    }
    case 'cost_optimized': {
      const costs = listed.map((processor_id) => ({ processor_id, cost: costOf(processors.get(processor_id), facts.amount) }));
      return { order: costOrder(listed, facts.amount, processors), why: { costs } };
    }
    case 'auth_rate': {
      const { order, rates, explored, exploration_draw } = authRateOrder(listed, policy.auth_rate, approvalStats, facts.payment_id);
      return { order, why: { segment: { network: facts.card_network, currency: facts.currency }, rates, explored, exploration_draw } };
    }
  }
}

/** The order alone. */
export function candidateOrder(
  policy: RoutePolicy,
  facts: RoutingFacts,
  processors: ReadonlyMap<string, ProcessorSnapshot>,
  approvalStats?: Readonly<Record<string, ApprovalStats>>,
): string[] {
  return routingDecision(policy, facts, processors, approvalStats).order;
}

/** `amount * percent / 100 + fixed`; null without fees, where there is no price to compare. */
function costOf(processor: ProcessorSnapshot | undefined, amount: number): number | null {
  const fees = processor?.fees;
  return fees ? (amount * fees.percent) / 100 + fees.fixed : null;
}

/** Cheapest first; the sort is stable, so ties keep their listed order. */
function costOrder(listed: readonly string[], amount: number, processors: ReadonlyMap<string, ProcessorSnapshot>): string[] {
  // Without fees a processor sorts last; such a processor is skipped as unavailable anyway.
  const cost = (id: string) => costOf(processors.get(id), amount) ?? Infinity;
  return [...listed].sort((a, b) => (cost(a) === cost(b) ? 0 : cost(a) < cost(b) ? -1 : 1));
}

/**
 * A tier without a route (API.md "Checkout sessions"): the account's default processor first,
 * then its other processors in connection order.
 */
export function noRouteOrder(processorsInConnectionOrder: readonly ProcessorSnapshot[], defaultProcessorId: string | null): string[] {
  const ids = processorsInConnectionOrder.map((processor) => processor.id);
  if (defaultProcessorId === null || !ids.includes(defaultProcessorId)) return ids;
  return [defaultProcessorId, ...ids.filter((id) => id !== defaultProcessorId)];
}
