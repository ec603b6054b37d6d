/**
 * The distinct routes a session references: its own route and those its tiers name. The service
 * attaches the session to each when it creates the session and detaches it when the session
 * completes or expires; a route with attached sessions cannot be deleted.
 */
export function sessionRouteIds(session: { processor_route_id: string | null; tiers: readonly { processor_route_id: string | null }[] }): string[] {
  const named = [session.processor_route_id, ...session.tiers.map((tier) => tier.processor_route_id)];
  return [...new Set(named.filter((id): id is string => id !== null))];
}
