import { domainEventOf } from '@payments/domain';
import { Projection, ProjectionReader } from '../projection';
import { ReadModelStore, ReadModelWrite } from '../read-model-store';

/** What still references a live route, as GET /v1/processor-routes/{id} shows it. */
export interface RouteReferenceCounts {
  routeId: string;
  /** Checkout sessions attached to the route (open ones: sessions detach when they complete or expire). */
  checkoutSessions: number;
  accountDefault: boolean;
}

const COLLECTION = 'route_references';

/**
 * Counts the references the route stream records. The stream records no second attach of one
 * session and no detach of one never attached, so counting its events gives the exact number.
 */
export const routeReferences: Projection = {
  name: 'route_references',
  collections: [COLLECTION],
  async project(event, reader) {
    const route = domainEventOf(event);
    switch (route.type) {
      case 'RouteCreated':
        return [put({ routeId: route.data.route_id, checkoutSessions: 0, accountDefault: false })];
      case 'RouteAttachedToSession':
        return change(reader, route.data.route_id, (counts) => ({ ...counts, checkoutSessions: counts.checkoutSessions + 1 }));
      case 'RouteDetachedFromSession':
        return change(reader, route.data.route_id, (counts) => ({ ...counts, checkoutSessions: counts.checkoutSessions - 1 }));
      case 'RouteSetAsAccountDefault':
        return change(reader, route.data.route_id, (counts) => ({ ...counts, accountDefault: true }));
      case 'RouteUnsetAsAccountDefault':
        return change(reader, route.data.route_id, (counts) => ({ ...counts, accountDefault: false }));
      case 'RouteDeleted':
        return [{ op: 'delete', collection: COLLECTION, id: route.data.route_id }];
      default:
        return [];
    }
  },
};

async function change(reader: ProjectionReader, routeId: string, next: (counts: RouteReferenceCounts) => RouteReferenceCounts): Promise<ReadModelWrite[]> {
  const counts = await reader.get<RouteReferenceCounts>(COLLECTION, routeId);
  return counts ? [put(next(counts))] : [];
}

function put(counts: RouteReferenceCounts): ReadModelWrite {
  return { op: 'put', collection: COLLECTION, id: counts.routeId, doc: counts, indexes: [] };
}

/** The references of a live route; undefined once it is deleted. */
export function findRouteReferences(store: ReadModelStore, routeId: string): Promise<RouteReferenceCounts | undefined> {
  return store.get<RouteReferenceCounts>(COLLECTION, routeId);
}
