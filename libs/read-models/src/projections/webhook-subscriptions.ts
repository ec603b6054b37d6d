import { WebhookEndpointEvent, WebhookTrigger, categoryOf, subscribesTo, webhookTriggerOf } from '@payments/domain';
import { RecordedEvent } from '@payments/event-store';
import { Projection, ProjectionReader } from '../projection';
import { ReadModelWrite } from '../read-model-store';

/** What an endpoint listens to, as it stood at the scheduler's position in the log. */
interface Subscription {
  endpoint_id: string;
  account_id: string;
  events: string[];
  enabled: boolean;
}

const SUBSCRIPTIONS = 'webhook_subscriptions';
/** Per account, the ids of its endpoints that are not deleted. */
const SUBSCRIBERS = 'webhook_subscribers';

/** Hears each stored event that makes a webhook, with the endpoints listening to it when it was stored. */
export type WebhookTriggered = (event: RecordedEvent, trigger: WebhookTrigger, endpointIds: string[]) => Promise<void>;

/**
 * The webhook scheduler's pass over the log: it folds which endpoint listens to which type
 * (its own collections, committed with its checkpoint, so each event meets the endpoints as
 * they were when it was stored, even when the log is read again from an old checkpoint), and
 * hands each event that makes a webhook to `triggered`, which must be idempotent: after a
 * crash or a refused commit the same events are handed over again.
 */
export function webhookScheduling(triggered: WebhookTriggered): Projection {
  return {
    name: 'webhook_scheduler',
    collections: [SUBSCRIPTIONS, SUBSCRIBERS],
    async project(event, reader) {
      if (categoryOf(event.streamId) === 'webhook_endpoint') return subscriptionWrites(event as unknown as WebhookEndpointEvent, reader);
      const trigger = webhookTriggerOf(event.type);
      const accountId = event.metadata.account_id;
      if (trigger === undefined || accountId === undefined) return [];
      const endpointIds = await listeningEndpoints(reader, accountId, trigger);
      if (endpointIds.length > 0) await triggered(event, trigger, endpointIds);
      return [];
    },
  };
}

async function listeningEndpoints(reader: ProjectionReader, accountId: string, trigger: WebhookTrigger): Promise<string[]> {
  const ids = (await reader.get<{ endpoint_ids: string[] }>(SUBSCRIBERS, accountId))?.endpoint_ids ?? [];
  const subscriptions = await reader.getMany<Subscription>(SUBSCRIPTIONS, ids);
  return subscriptions.flatMap((subscription) => (subscription?.enabled && subscribesTo(subscription.events, trigger.type) ? [subscription.endpoint_id] : []));
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
