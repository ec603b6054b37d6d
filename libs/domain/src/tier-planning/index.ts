/**
 * Tier planning: how one tier of a payment orders and skips processors, from the route as it was
 * when the tier started (RoutePolicy) and the processors as they were then. The route itself, as
 * merchants define and change it, is the route aggregate in ../route.
 */
export * from './route-policy';
export * from './skip-reasons';
export * from './volume-split';
export * from './rule-conditions';
export * from './approval-rates';
export * from './candidate-order';
export * from './routing-attempts';
export * from './tier-plan';
