import { WebhookEndpointSettings, categoryOf, domainEventOf } from '@payments/domain';
import { Projection } from '../projection';
import { Page, ReadModelStore, ReadModelWrite } from '../read-model-store';

/** An endpoint as GET /v1/webhook-endpoints lists it: never its secret. */
export interface WebhookEndpointView extends WebhookEndpointSettings {
  id: string;
  accountId: string;
  createdAt: string;
  updatedAt: string;
}

interface ListedEndpoint extends WebhookEndpointView {
  /** Global position of WebhookEndpointCreated: orders the list, as timestamps tie within a millisecond. */
  listedAt: number;
}

const COLLECTION = 'webhook_endpoints';
const byAccount = (accountId: string) => `account:${accountId}`;

function put(endpoint: ListedEndpoint): ReadModelWrite {
  return { op: 'put', collection: COLLECTION, id: endpoint.id, doc: endpoint, indexes: [{ index: byAccount(endpoint.accountId), score: endpoint.listedAt }] };
}

/** Each account's webhook endpoints; a deleted one leaves the list (its events stay in the log). */
export const webhookEndpointsListing: Projection = {
  name: 'webhook_endpoints',
  collections: [COLLECTION],
  async project(event, reader) {
    if (categoryOf(event.streamId) !== 'webhook_endpoint') return [];
    const endpoint = domainEventOf(event);
    switch (endpoint.type) {
      case 'WebhookEndpointCreated': {
        const { endpoint_id, account_id, url, events, description, status, created_at } = endpoint.data;
        return [put({ id: endpoint_id, accountId: account_id, url, events, description, status, createdAt: created_at, updatedAt: created_at, listedAt: Number(event.position) })];
      }
      case 'WebhookEndpointUpdated': {
        const listed = await reader.get<ListedEndpoint>(COLLECTION, endpoint.data.endpoint_id);
        return listed ? [put({ ...listed, ...endpoint.data.changes, updatedAt: endpoint.data.updated_at })] : [];
      }
      case 'WebhookEndpointSecretRotated': {
        const listed = await reader.get<ListedEndpoint>(COLLECTION, endpoint.data.endpoint_id);
        return listed ? [put({ ...listed, updatedAt: endpoint.data.rotated_at })] : [];
      }
      case 'WebhookEndpointDeleted':
        return [{ op: 'delete', collection: COLLECTION, id: endpoint.data.endpoint_id }];
      default:
        return [];
    }
  },
};

/** The account's webhook endpoints, newest first. */
export async function listWebhookEndpoints(store: ReadModelStore, accountId: string, page: { limit: number; offset: number }): Promise<Page<WebhookEndpointView>> {
  const { items, total } = await store.list<ListedEndpoint>(COLLECTION, byAccount(accountId), { ...page, order: 'desc' });
  return { items: items.map(({ listedAt: _, ...view }) => view), total };
}
