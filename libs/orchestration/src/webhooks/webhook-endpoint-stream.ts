import { WebhookEndpoint, isId, notFound, streamName } from '@payments/domain';
import { randomBase62 } from '../random-ids';

/** Ids come from URLs: anything not shaped like an endpoint id is missing, and stays out of stream names. */
export function webhookEndpointStream(endpointId: string): string {
  if (!isId(endpointId, 'we')) throw notFound(`no webhook endpoint ${endpointId}`);
  return streamName('webhook_endpoint', endpointId);
}

export function webhookDeliveryStream(deliveryId: string): string {
  if (!isId(deliveryId, 'whd')) throw notFound(`no webhook delivery ${deliveryId}`);
  return streamName('webhook_delivery', deliveryId);
}

/** A new signing secret: `whsec_` and 32 base62 characters (190 bits). */
export function newWebhookSecret(): string {
  return `whsec_${randomBase62(32)}`;
}

/** An endpoint as a command left it, with the position of what it recorded (for read-your-writes). */
export interface WebhookEndpointChange {
  endpoint: WebhookEndpoint;
  position: bigint | undefined;
  /** The new secret in clear, after a creation or a rotation only: the answer shows it once, the event holds it sealed. */
  secret?: string;
}
