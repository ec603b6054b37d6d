import { RoutePolicy, RoutingFacts } from './route-policy';
import { matchingRule } from './rule-conditions';
import { ProcessorSnapshot } from './skip-reasons';
import { volumeSplitOrder } from './volume-split';

/** The order in which the route's strategy has a tier try its processors, before any filtering. */
export function candidateOrder(policy: RoutePolicy, facts: RoutingFacts, processors: ReadonlyMap<string, ProcessorSnapshot>): string[] {
  const listed = policy.processors.map((entry) => entry.processor_id);
  switch (policy.strategy) {
    case 'priority':
      return listed;
    case 'volume_split':
      return volumeSplitOrder(policy.processors, facts.payment_id);
    case 'rule_based':
      return matchingRule(policy.rules, facts)?.processors.map((entry) => entry.processor_id) ?? listed;
    case 'cost_optimized':
      return costOrder(listed, facts.amount, processors);
  }
}

/** Cheapest first by `amount * percent / 100 + fixed`; the sort is stable, so ties keep their listed order. */
function costOrder(listed: readonly string[], amount: number, processors: ReadonlyMap<string, ProcessorSnapshot>): string[] {
  const cost = (id: string) => {
    const fees = processors.get(id)?.fees;
    // Without fees there is no price to compare; such a processor is skipped as unavailable anyway.
    return fees ? (amount * fees.percent) / 100 + fees.fixed : Infinity;
  };
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
