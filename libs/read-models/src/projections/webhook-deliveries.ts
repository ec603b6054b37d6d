import { WebhookDelivery, WebhookDeliveryEvent, WebhookDeliveryState, WebhookDeliveryStatus, WebhookEndpointEvent, categoryOf, domainEventOf, isEventOf, webhookDeliveryDecider } from '@payments/domain';
import { RecordedEvent } from '@payments/event-store';
import { Projection, ProjectionReader } from '../projection';
import { IndexEntry, Page, ReadModelStore, ReadModelWrite } from '../read-model-store';

interface DeliveryDocument {
  delivery: WebhookDelivery;
  /** Global position of WebhookDeliveryScheduled, which orders the log newest first. */
  listed_at: number;
}

/**
 * What the dispatcher needs to know of an endpoint: whether it has pending deliveries and may be
 * sent to. Disabled endpoints hold their pending deliveries; deleted ones get none again.
 */
interface EndpointQueue {
  endpoint_id: string;
  pending: number;
  enabled: boolean;
  deleted: boolean;
}

const DELIVERIES = 'webhook_deliveries';
const QUEUES = 'webhook_endpoint_queues';
/** Endpoints that have pending deliveries and may be sent to. */
const READY = 'ready';
const byEndpoint = (endpointId: string) => `endpoint:${endpointId}`;
const byEndpointStatus = (endpointId: string, status: WebhookDeliveryStatus) => `endpoint:${endpointId}:status:${status}`;
/** An endpoint's pending deliveries, scored by when their next try is due. */
const dueOf = (endpointId: string) => `endpoint:${endpointId}:due`;

/**
 * The delivery log of each endpoint (newest first, all or by status), and the dispatcher's work
 * lists: the endpoints ready to be sent to, and each one's pending deliveries by next try. One
 * list per endpoint, so that an endpoint with a backlog never hides another's due deliveries.
 */
export const webhookDeliveries: Projection = {
  name: 'webhook_deliveries',
  collections: [DELIVERIES, QUEUES],
  async project(event, reader) {
    const category = categoryOf(event.streamId);
    if (category !== 'webhook_delivery' && category !== 'webhook_endpoint') return [];
    const read = domainEventOf(event);
    if (isEventOf(read, 'webhook_delivery')) return deliveryWrites(read, event, reader);
    if (isEventOf(read, 'webhook_endpoint')) return endpointWrites(read, reader);
    return [];
  },
};

async function deliveryWrites(delivery: WebhookDeliveryEvent, event: RecordedEvent, reader: ProjectionReader): Promise<ReadModelWrite[]> {
  const id = delivery.data.delivery_id;
  const current = await reader.get<DeliveryDocument>(DELIVERIES, id);
  const state: WebhookDeliveryState = current ? { status: 'scheduled', delivery: current.delivery } : webhookDeliveryDecider.initialState();
  const next = webhookDeliveryDecider.evolve(state, delivery);
  if (next.status === 'none') return [];
  const document: DeliveryDocument = { delivery: next.delivery, listed_at: current?.listed_at ?? Number(event.position) };
  const writes: ReadModelWrite[] = [{ op: 'put', collection: DELIVERIES, id, doc: document, indexes: deliveryIndexes(document) }];
  const wasPending = current?.delivery.status === 'pending';
  const isPending = next.delivery.status === 'pending';
  if (wasPending !== isPending) writes.push(await queueWrite(reader, next.delivery.endpointId, (queue) => ({ ...queue, pending: queue.pending + (isPending ? 1 : -1) })));
  return writes;
}

async function endpointWrites(event: WebhookEndpointEvent, reader: ProjectionReader): Promise<ReadModelWrite[]> {
  const id = event.data.endpoint_id;
  switch (event.type) {
    case 'WebhookEndpointCreated':
      return [await queueWrite(reader, id, (queue) => ({ ...queue, enabled: event.data.status === 'enabled' }))];
    case 'WebhookEndpointUpdated': {
      const status = event.data.changes.status;
      return status === undefined ? [] : [await queueWrite(reader, id, (queue) => ({ ...queue, enabled: status === 'enabled' }))];
    }
    case 'WebhookEndpointDeleted':
      return [await queueWrite(reader, id, (queue) => ({ ...queue, deleted: true }))];
    case 'WebhookEndpointSecretRotated':
      return [];
  }
}

async function queueWrite(reader: ProjectionReader, endpointId: string, change: (queue: EndpointQueue) => EndpointQueue): Promise<ReadModelWrite> {
  const current = (await reader.get<EndpointQueue>(QUEUES, endpointId)) ?? { endpoint_id: endpointId, pending: 0, enabled: true, deleted: false };
  const queue = change(current);
  const ready = queue.pending > 0 && queue.enabled && !queue.deleted;
  return { op: 'put', collection: QUEUES, id: endpointId, doc: queue, indexes: ready ? [{ index: READY, score: 0 }] : [] };
}

function deliveryIndexes({ delivery, listed_at }: DeliveryDocument): IndexEntry[] {
  const indexes = [
    { index: byEndpoint(delivery.endpointId), score: listed_at },
    { index: byEndpointStatus(delivery.endpointId, delivery.status), score: listed_at },
  ];
  if (delivery.status === 'pending' && delivery.nextAttemptAt !== null) indexes.push({ index: dueOf(delivery.endpointId), score: Date.parse(delivery.nextAttemptAt) });
  return indexes;
}

/** An endpoint's deliveries, newest first, all or of one status. */
export async function listWebhookDeliveries(
  store: ReadModelStore,
  endpointId: string,
  query: { status?: WebhookDeliveryStatus; limit: number; offset: number },
): Promise<Page<WebhookDelivery>> {
  const index = query.status ? byEndpointStatus(endpointId, query.status) : byEndpoint(endpointId);
  const { items, total } = await store.list<DeliveryDocument>(DELIVERIES, index, { limit: query.limit, offset: query.offset, order: 'desc' });
  return { items: items.map(({ delivery }) => delivery), total };
}

const READY_PAGE = 500;

/** Every endpoint with pending deliveries that is neither disabled nor deleted. */
export async function readyWebhookEndpoints(store: ReadModelStore): Promise<string[]> {
  const ids: string[] = [];
  for (let offset = 0; ; offset += READY_PAGE) {
    const { items } = await store.list<EndpointQueue>(QUEUES, READY, { limit: READY_PAGE, offset, order: 'asc' });
    ids.push(...items.map((queue) => queue.endpoint_id));
    if (items.length < READY_PAGE) return ids;
  }
}

/** Up to `limit` of the endpoint's pending deliveries, soonest due first (due or not: the caller compares with its clock). */
export async function nextWebhookDeliveries(store: ReadModelStore, endpointId: string, limit: number): Promise<WebhookDelivery[]> {
  const { items } = await store.list<DeliveryDocument>(DELIVERIES, dueOf(endpointId), { limit, offset: 0, order: 'asc' });
  return items.map(({ delivery }) => delivery);
}
