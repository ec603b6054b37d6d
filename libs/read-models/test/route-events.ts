import { RouteDefinition, RouteEvent } from '@payments/domain';
import { EventStore } from '@payments/event-store';
import { appendEvent } from './projection-fixture';

export const definition: RouteDefinition = {
  name: 'US Optimized',
  processors: [
    { processor_id: 'proc_stg_a', split: null },
    { processor_id: 'proc_stg_b', split: null },
  ],
  strategy: 'priority',
  rules: [],
  failover: { on: ['decline', 'timeout', 'error'], decline_codes: null, max_attempts: null },
  optimized_retry: false,
  auth_rate: null,
};

export const created = (routeId: string, accountId: string, createdAt: string, name = definition.name): RouteEvent => ({
  type: 'RouteCreated',
  data: { route_id: routeId, account_id: accountId, ...definition, name, revision: 1, created_at: createdAt },
});
export const updated = (routeId: string, changes: Partial<RouteDefinition>, revision: number, updatedAt: string): RouteEvent => ({
  type: 'RouteUpdated',
  data: { route_id: routeId, changes, revision, updated_at: updatedAt },
});
export const attached = (routeId: string, sessionId: string): RouteEvent => ({ type: 'RouteAttachedToSession', data: { route_id: routeId, session_id: sessionId } });
export const detached = (routeId: string, sessionId: string): RouteEvent => ({ type: 'RouteDetachedFromSession', data: { route_id: routeId, session_id: sessionId } });
export const setAsDefault = (routeId: string, accountId: string): RouteEvent => ({ type: 'RouteSetAsAccountDefault', data: { route_id: routeId, account_id: accountId } });
export const unsetAsDefault = (routeId: string, accountId: string): RouteEvent => ({ type: 'RouteUnsetAsAccountDefault', data: { route_id: routeId, account_id: accountId } });
export const deleted = (routeId: string, deletedAt: string): RouteEvent => ({ type: 'RouteDeleted', data: { route_id: routeId, deleted_at: deletedAt } });

/** Appends route events one append each, to the stream of the route they name; answers the last position. */
export async function appendRouteEvents(store: EventStore, events: RouteEvent[]): Promise<bigint> {
  let position = 0n;
  for (const event of events) {
    position = await appendEvent(store, `route-${event.data.route_id}`, event);
  }
  return position;
}
