import { createHash } from 'node:crypto';
import { WebhookEndpointEvent, WebhookEventType, categoryOf, domainEventOf, isEventOf, subscribesTo, webhookTriggerOf } from '@payments/domain';
import { RecordedEvent } from '@payments/event-store';
import { Projection, ProjectionReader } from '../projection';
import { Page, ReadModelStore, ReadModelWrite } from '../read-model-store';

/** What an endpoint listens to, as it stood at this point of the log. */
interface Subscription {
  endpoint_id: string;
  account_id: string;
  events: string[];
  enabled: boolean;
}

/** A delivery that an event calls for and that is not scheduled yet (no WebhookDeliveryScheduled in the log). */
export interface WebhookOutboxEntry {
  /** Derived from the endpoint and the event: the delivery id is `whd_<env>_<key>`. */
  key: string;
  account_id: string;
  endpoint_id: string;
  type: WebhookEventType;
  /** The stored event to deliver. */
  event: { id: string; stream: string; revision: number; type: string; created_at: string; correlation_id: string | null };
}

const SUBSCRIPTIONS = 'webhook_subscriptions';
/** Per account, the ids of its endpoints that are not deleted. */
const SUBSCRIBERS = 'webhook_subscribers';
const OUTBOX = 'webhook_outbox';
const UNSCHEDULED = 'unscheduled';

/** One delivery per endpoint and stored event: the same key whoever derives it, however often. */
export function webhookDeliveryKey(endpointId: string, storedEventId: string): string {
  return createHash('sha256').update(`${endpointId}:${storedEventId}`).digest('hex').slice(0, 32);
}

/** The key of a delivery id `whd_<env>_<key>`. */
function keyOfDelivery(deliveryId: string): string {
  return deliveryId.slice(deliveryId.lastIndexOf('_') + 1);
}

/**
 * The subscriber of DESIGN.md "Consumers of the log", run with the other projections (in the
 * projection thread with SQLite): it folds which endpoint listens to which type, and turns each
 * stored event that makes a webhook into an outbox entry per endpoint listening then, keyed by
 * endpoint and event. The webhook scheduler turns entries into deliveries (WebhookDeliveryScheduled),
 * and the entry leaves the outbox when that event comes by. So the outbox is a function of the
 * log: a rebuild from 0 gives back exactly the deliveries still to schedule, and creates none twice.
 */
export const webhookOutbox: Projection = {
  name: 'webhook_outbox',
  collections: [SUBSCRIPTIONS, SUBSCRIBERS, OUTBOX],
  async project(event, reader) {
    const category = categoryOf(event.streamId);
    if (category === 'webhook_endpoint') {
      const endpoint = domainEventOf(event);
      return isEventOf(endpoint, 'webhook_endpoint') ? subscriptionWrites(endpoint, reader) : [];
    }
    if (event.type === 'WebhookDeliveryScheduled') {
      const scheduled = domainEventOf(event);
      return scheduled.type === 'WebhookDeliveryScheduled' ? [{ op: 'delete', collection: OUTBOX, id: keyOfDelivery(scheduled.data.delivery_id) }] : [];
    }
    const trigger = webhookTriggerOf(event.type);
    const accountId = event.metadata.account_id;
    if (trigger === undefined || accountId === undefined) return [];
    return (await listeningEndpoints(reader, accountId, trigger.type)).map((endpointId) => outboxWrite(event, accountId, endpointId, trigger.type));
  },
};

/** The entries waiting to be scheduled, oldest event first. */
export async function unscheduledWebhookDeliveries(store: ReadModelStore, limit: number): Promise<WebhookOutboxEntry[]> {
  const page: Page<WebhookOutboxEntry> = await store.list<WebhookOutboxEntry>(OUTBOX, UNSCHEDULED, { limit, offset: 0, order: 'asc' });
  return page.items;
}

function outboxWrite(event: RecordedEvent, accountId: string, endpointId: string, type: WebhookEventType): ReadModelWrite {
  const key = webhookDeliveryKey(endpointId, event.id);
  const entry: WebhookOutboxEntry = {
    key,
    account_id: accountId,
    endpoint_id: endpointId,
    type,
    event: {
      id: event.id,
      stream: event.streamId,
      revision: Number(event.revision),
      type: event.type,
      created_at: event.createdAt.toISOString(),
      correlation_id: event.metadata.correlation_id ?? null,
    },
  };
  return { op: 'put', collection: OUTBOX, id: key, doc: entry, indexes: [{ index: UNSCHEDULED, score: Number(event.position) }] };
}

async function listeningEndpoints(reader: ProjectionReader, accountId: string, type: WebhookEventType): Promise<string[]> {
  const subscriptions = await reader.getMany<Subscription>(SUBSCRIPTIONS, await endpointsOf(reader, accountId));
  return subscriptions.flatMap((subscription) => (subscription?.enabled && subscribesTo(subscription.events, type) ? [subscription.endpoint_id] : []));
}

async function subscriptionWrites(event: WebhookEndpointEvent, reader: ProjectionReader): Promise<ReadModelWrite[]> {
  const id = event.data.endpoint_id;
  switch (event.type) {
    case 'WebhookEndpointCreated': {
      const { account_id, events, status } = event.data;
      const subscribers = await endpointsOf(reader, account_id);
      return [
        putSubscription({ endpoint_id: id, account_id, events, enabled: status === 'enabled' }),
        putSubscribers(account_id, subscribers.includes(id) ? subscribers : [...subscribers, id]),
      ];
    }
    case 'WebhookEndpointUpdated': {
      const current = await reader.get<Subscription>(SUBSCRIPTIONS, id);
      const { events, status } = event.data.changes;
      if (!current || (events === undefined && status === undefined)) return [];
      return [putSubscription({ ...current, ...(events && { events }), ...(status && { enabled: status === 'enabled' }) })];
    }
    case 'WebhookEndpointDeleted': {
      const current = await reader.get<Subscription>(SUBSCRIPTIONS, id);
      if (!current) return [];
      const subscribers = await endpointsOf(reader, current.account_id);
      return [{ op: 'delete', collection: SUBSCRIPTIONS, id }, putSubscribers(current.account_id, subscribers.filter((other) => other !== id))];
    }
    case 'WebhookEndpointSecretRotated':
      return [];
  }
}

async function endpointsOf(reader: ProjectionReader, accountId: string): Promise<string[]> {
  return (await reader.get<{ endpoint_ids: string[] }>(SUBSCRIBERS, accountId))?.endpoint_ids ?? [];
}

function putSubscription(subscription: Subscription): ReadModelWrite {
  return { op: 'put', collection: SUBSCRIPTIONS, id: subscription.endpoint_id, doc: subscription, indexes: [] };
}

function putSubscribers(accountId: string, endpointIds: string[]): ReadModelWrite {
  return { op: 'put', collection: SUBSCRIBERS, id: accountId, doc: { endpoint_ids: endpointIds }, indexes: [] };
}
