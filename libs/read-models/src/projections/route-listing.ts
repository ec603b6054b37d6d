import { Route, RouteReferences, domainEventOf } from '@payments/domain';
import { Projection } from '../projection';
import { Page, ReadModelStore, ReadModelWrite } from '../read-model-store';

/** A live route as GET /v1/processor-routes shows it; references are counted apart (route-references.ts). */
export type RouteView = Omit<Route, keyof RouteReferences>;

interface ListedRoute extends RouteView {
  /**
   * Global position of RouteCreated, which orders the listing: created_at has only millisecond
   * resolution, and routes created within one millisecond must still list newest first.
   */
  listedAt: number;
}

const COLLECTION = 'routes';

function accountIndex(accountId: string): string {
  return `account:${accountId}`;
}

function put(route: ListedRoute): ReadModelWrite {
  return { op: 'put', collection: COLLECTION, id: route.id, doc: route, indexes: [{ index: accountIndex(route.accountId), score: route.listedAt }] };
}

/** Each account's live routes; a deleted route leaves the listing (its events stay in the log). */
export const routeListing: Projection = {
  name: 'route_listing',
  collections: [COLLECTION],
  async project(event, reader) {
    const route = domainEventOf(event);
    switch (route.type) {
      case 'RouteCreated': {
        const { route_id, account_id, revision, created_at, ...definition } = route.data;
        // auth_rate is absent in routes created before the auth_rate strategy existed.
        const auth_rate = definition.auth_rate ?? null;
        return [put({ id: route_id, accountId: account_id, ...definition, auth_rate, revision, createdAt: created_at, updatedAt: created_at, listedAt: Number(event.position) })];
      }
      case 'RouteUpdated': {
        const listed = await reader.get<ListedRoute>(COLLECTION, route.data.route_id);
        if (!listed) return [];
        return [put({ ...listed, ...route.data.changes, revision: route.data.revision, updatedAt: route.data.updated_at })];
      }
      case 'RouteDeleted':
        return [{ op: 'delete', collection: COLLECTION, id: route.data.route_id }];
      default:
        return [];
    }
  },
};

/** The account's live routes, newest first. */
export async function listRoutes(store: ReadModelStore, accountId: string, page: { limit: number; offset: number }): Promise<Page<RouteView>> {
  const { items, total } = await store.list<ListedRoute>(COLLECTION, accountIndex(accountId), { ...page, order: 'desc' });
  return { items: items.map(withoutListingOrder), total };
}

/** A live route of any account (the caller checks the owner); undefined once deleted. */
export async function findRoute(store: ReadModelStore, routeId: string): Promise<RouteView | undefined> {
  const listed = await store.get<ListedRoute>(COLLECTION, routeId);
  return listed && withoutListingOrder(listed);
}

function withoutListingOrder({ listedAt: _, ...route }: ListedRoute): RouteView {
  return route;
}
