import { RouteReferenceCounts } from '@payments/read-models/projections/route-references';
import { RouteView } from '@payments/read-models/projections/route-listing';

export function presentRoute(route: RouteView) {
  return {
    id: route.id,
    object: 'processor_route' as const,
    name: route.name,
    processors: route.processors,
    strategy: route.strategy,
    rules: route.rules,
    failover: route.failover,
    optimized_retry: route.optimized_retry,
    // Absent in routes listed before the auth_rate strategy existed: they have no such settings.
    auth_rate: route.auth_rate ?? null,
    revision: route.revision,
    created_at: route.createdAt,
    updated_at: route.updatedAt,
  };
}

/** GET one: the route and what still references it (a referenced route cannot be deleted). */
export function presentRouteWithReferences(route: RouteView, references: Pick<RouteReferenceCounts, 'checkoutSessions' | 'accountDefault'>) {
  return { ...presentRoute(route), references: { checkout_sessions: references.checkoutSessions, account_default: references.accountDefault } };
}
