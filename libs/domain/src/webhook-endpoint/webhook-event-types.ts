/** The webhook event types of API.md "Webhooks", which an endpoint subscribes to by name. */
export const WEBHOOK_EVENT_TYPES = [
  'payment.succeeded',
  'payment.failed',
  'payment.requires_capture',
  'payment.captured',
  'payment.canceled',
  'refund.succeeded',
  'refund.failed',
  'checkout.session.completed',
  'checkout.session.expired',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** `events: ["*"]`: every type, including those added later. */
export const EVERY_WEBHOOK_EVENT = '*';

/** What a webhook's `data` holds: the object as the API shows it. */
export type WebhookObjectKind = 'payment' | 'checkout_session' | 'refund';

export interface WebhookTrigger {
  type: WebhookEventType;
  /** The object of the stream the stored event is in, as it stands at that event. */
  object: WebhookObjectKind;
}

/**
 * Which stored events are delivered, as which webhook type: one line each (and a presenter, in
 * the API's webhook payloads, for a new object kind). A refund's object is the refund the event
 * names, as GET /v1/refunds/{id} shows it.
 */
const WEBHOOK_TRIGGERS: ReadonlyMap<string, WebhookTrigger> = new Map([
  ['PaymentSucceeded', { type: 'payment.succeeded', object: 'payment' }],
  ['PaymentFailed', { type: 'payment.failed', object: 'payment' }],
  ['PaymentAuthorized', { type: 'payment.requires_capture', object: 'payment' }],
  ['PaymentCaptured', { type: 'payment.captured', object: 'payment' }],
  ['PaymentVoided', { type: 'payment.canceled', object: 'payment' }],
  ['AuthorizationExpired', { type: 'payment.canceled', object: 'payment' }],
  ['RefundSucceeded', { type: 'refund.succeeded', object: 'refund' }],
  ['RefundFailed', { type: 'refund.failed', object: 'refund' }],
  ['CheckoutSessionCompleted', { type: 'checkout.session.completed', object: 'checkout_session' }],
  ['CheckoutSessionExpired', { type: 'checkout.session.expired', object: 'checkout_session' }],
]);

/** The webhook a stored event of this type makes, if any. */
export function webhookTriggerOf(storedEventType: string): WebhookTrigger | undefined {
  return WEBHOOK_TRIGGERS.get(storedEventType);
}

/** Whether an endpoint's `events` take this type. */
export function subscribesTo(events: readonly string[], type: WebhookEventType): boolean {
  return events.includes(EVERY_WEBHOOK_EVENT) || events.includes(type);
}

export function isWebhookEventType(value: string): value is WebhookEventType {
  return (WEBHOOK_EVENT_TYPES as readonly string[]).includes(value);
}
