import { WebhookDelivery, WebhookEndpoint } from '@payments/domain';
import { WebhookEndpointChange } from '@payments/orchestration';
import { WebhookEndpointView } from '@payments/read-models/projections/webhook-endpoints';

/** An endpoint as every answer but creation and rotation shows it: never its secret. */
export function presentWebhookEndpoint(endpoint: WebhookEndpoint | WebhookEndpointView) {
  return {
    id: endpoint.id,
    object: 'webhook_endpoint' as const,
    url: endpoint.url,
    events: endpoint.events,
    description: endpoint.description,
    status: endpoint.status,
    created_at: endpoint.createdAt,
    updated_at: endpoint.updatedAt,
  };
}

/** The answers to creation and rotation, the only ones that show the (current) secret: the one the command made, in clear. */
export function presentWebhookEndpointWithSecret(change: WebhookEndpointChange) {
  if (change.secret === undefined) throw new Error(`the change of webhook endpoint ${change.endpoint.id} made no secret to show`);
  return { ...presentWebhookEndpoint(change.endpoint), secret: change.secret };
}

export function presentWebhookDelivery(delivery: WebhookDelivery) {
  return {
    id: delivery.id,
    object: 'webhook_delivery' as const,
    endpoint_id: delivery.endpointId,
    event_id: delivery.eventId,
    type: delivery.type,
    status: delivery.status,
    attempts: delivery.attempts.map(({ at, status_code, duration_ms, error }) => ({ at, status_code, duration_ms, error })),
    next_attempt_at: delivery.nextAttemptAt,
    created_at: delivery.createdAt,
  };
}
