import { WebhookDelivery, WebhookObjectKind } from '@payments/domain';
import type { WebhookTryOutcome } from './webhook-sender';

/**
 * What a webhook's `data` is: the object as the API shows it, at the event delivered. The HTTP
 * app provides it with its own presenters (apps/api/src/webhooks), so there is one way to show
 * a payment or a session.
 */
export interface WebhookPayloads {
  data(delivery: WebhookDelivery, object: WebhookObjectKind): Promise<unknown>;
}

export const WEBHOOK_PAYLOADS = Symbol('WebhookPayloads');

export type WebhookDeliveryMetric = 'scheduled' | 'succeeded' | 'failed';

/** What webhooks count, fulfilled by the HTTP app's MetricsService; absent where nobody scrapes metrics. */
export interface WebhookMetrics {
  recordWebhookDelivery(status: WebhookDeliveryMetric): void;
  recordWebhookAttempt(outcome: WebhookTryOutcome): void;
}

export const WEBHOOK_METRICS = Symbol('WebhookMetrics');
