/**
 * The processor route aggregate and its definition (processors, strategy, rules, failover) as
 * merchants create and change it. How a tier plans its processors from a route is ../tier-planning.
 */
export * from './route-definition';
export * from './validate-route-definition';
export * from './route';
