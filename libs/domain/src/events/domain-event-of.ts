import { AccountEvent, AccountTokenEvent } from '../account/account';
import { Decider } from '../shared/decider';
import { DomainEvent } from '../shared/event';
import { SecretsKeyEvent, clearSecretOf } from '../shared/sealed-secret';
import { StreamCategory } from '../shared/streams';
import { CouponEvent } from '../catalog/coupon';
import { CustomerEvent } from '../catalog/customer';
import { PriceEvent } from '../catalog/price';
import { ProductEvent } from '../catalog/product';
import { PromotionCodeEvent } from '../catalog/promotion-code';
import { PromotionCodeClaimEvent } from '../catalog/promotion-code-claim';
import { CheckoutSessionEvent } from '../checkout-session/checkout-session';
import { PaymentEvent } from '../payment/payment-events';
import { PaymentRecoveryEvent } from '../payment/payment-work';
import { ProcessorEvent } from '../processor/processor';
import { RouteEvent } from '../route/route';
import { WebhookDeliveryEvent } from '../webhook-delivery/webhook-delivery';
import { WebhookEndpointEvent } from '../webhook-endpoint/webhook-endpoint';

/** The event types of each stream category, in the shape of their current schema version. */
export interface EventsOfStream {
  account: AccountEvent;
  account_token: AccountTokenEvent;
  processor: ProcessorEvent;
  route: RouteEvent;
  catalog: ProductEvent | PriceEvent | CustomerEvent | CouponEvent | PromotionCodeEvent;
  promotion_code: PromotionCodeClaimEvent;
  checkout_session: CheckoutSessionEvent;
  payment: PaymentEvent;
  webhook_endpoint: WebhookEndpointEvent;
  webhook_delivery: WebhookDeliveryEvent;
  recovery: PaymentRecoveryEvent;
  secrets_key: SecretsKeyEvent;
}

/** Every event type this version of the service writes and reads. */
export type KnownEvent = EventsOfStream[StreamCategory];

export type KnownEventType = KnownEvent['type'];

export const UNKNOWN_EVENT = 'UnknownEvent';

/**
 * A stored event this version cannot read: a type it does not know (written by a newer version,
 * or by none), or a schema version newer than its own. Readers pass it by; it never fails them.
 */
export interface UnknownEvent {
  readonly type: typeof UNKNOWN_EVENT;
  readonly data: {
    readonly type: string;
    readonly schema_version: number;
    readonly reason: 'unknown_type' | 'newer_schema_version';
    readonly data: unknown;
  };
}

/** What domainEventOf needs of a stored event (RecordedEvent has it). */
export interface EventAsStored {
  readonly type: string;
  readonly data: unknown;
  /** Absent or without schema_version: version 1, the version of every event written before versions were recorded. */
  readonly metadata?: { readonly schema_version?: number };
}

/**
 * The current schema version of every known type, by the stream category that holds it: the
 * version the command handler records and the one domainEventOf answers. docs/events.md lists
 * the same; a test holds the two together.
 */
export const SCHEMA_VERSIONS_BY_STREAM: { readonly [Category in StreamCategory]: { readonly [Type in EventsOfStream[Category]['type']]: number } } = {
  account: { AccountOpened: 1, AccountProcessorConnected: 1, AccountDefaultProcessorChanged: 1, AccountDefaultRouteChanged: 1 },
  account_token: { AccountTokenRegistered: 1 },
  processor: { ProcessorConnected: 2, ProcessorUpdated: 2 },
  route: { RouteCreated: 1, RouteUpdated: 1, RouteAttachedToSession: 1, RouteDetachedFromSession: 1, RouteSetAsAccountDefault: 1, RouteUnsetAsAccountDefault: 1, RouteDeleted: 1 },
  catalog: { ProductCreated: 1, PriceCreated: 1, CustomerCreated: 1, CouponCreated: 1, PromotionCodeCreated: 1 },
  promotion_code: { PromotionCodeClaimed: 1 },
  checkout_session: { CheckoutSessionCreated: 1, CheckoutSessionExpired: 1, SessionPaymentBegan: 1, SessionPaymentFailed: 1, CheckoutSessionCompleted: 1 },
  payment: { PaymentStarted: 1, TierStarted: 1, ProcessorSkipped: 1, ProcessorAttempted: 1, ProcessorApproved: 1, ProcessorDeclined: 1, ProcessorTimedOut: 1, ProcessorErrored: 1, TierFailed: 1, PaymentSucceeded: 1, PaymentFailed: 1, PaymentAuthorized: 1, PaymentCaptureRequested: 1, PaymentCaptured: 1, PaymentCaptureFailed: 1, PaymentVoidRequested: 1, PaymentVoided: 1, AuthorizationExpired: 1, PaymentVoidFailed: 1, RefundRequested: 1, RefundSucceeded: 1, RefundFailed: 1, ProcessorAttemptResolved: 1, LateApprovalVoided: 1, LateApprovalVoidFailed: 1 },
  webhook_endpoint: { WebhookEndpointCreated: 2, WebhookEndpointUpdated: 1, WebhookEndpointSecretRotated: 2, WebhookEndpointDeleted: 1 },
  webhook_delivery: { WebhookDeliveryScheduled: 1, WebhookDeliveryAttempted: 1, WebhookDeliveryRetryRequested: 1, WebhookDeliverySucceeded: 1, WebhookDeliveryFailed: 1 },
  recovery: { PaymentWorkLowWaterMarkAdvanced: 1 },
  secrets_key: { SecretsKeyRegistered: 1 },
};

const CURRENT = new Map<string, { category: StreamCategory; version: number }>(
  (Object.entries(SCHEMA_VERSIONS_BY_STREAM) as [StreamCategory, Record<string, number>][]).flatMap(([category, types]) =>
    Object.entries(types).map(([type, version]) => [type, { category, version }] as const),
  ),
);

/** The current schema version of a type; undefined for a type this version does not know. */
export function schemaVersionOf(type: string): number | undefined {
  return CURRENT.get(type)?.version;
}

/** Whether the event is one of the stream category's types (an UnknownEvent is of none). */
export function isEventOf<Category extends StreamCategory>(event: KnownEvent | UnknownEvent, category: Category): event is EventsOfStream[Category] {
  return CURRENT.get(event.type)?.category === category;
}

/** Turns the data of one schema version of a type into the data of the next version. */
export type Upcaster = (data: unknown) => unknown;

/** Version 1 stored `http.secret` in clear; version 2 seals it (docs/events.md "Sealed secrets"). */
function upcastHttpSecret(holder: { http?: { secret?: unknown } | null }): unknown {
  return holder.http ? { ...holder, http: { ...holder.http, secret: clearSecretOf(holder.http.secret) } } : holder;
}

/** Version 1 stored `secret` in clear; version 2 seals it. */
const upcastSecret: Upcaster = (data) => ({ ...(data as object), secret: clearSecretOf((data as { secret?: unknown }).secret) });

/**
 * Upcasters by type and by the version they read: `UPCASTERS.X[1]` turns X's version 1 data into
 * version 2; docs/events.md says how one is added.
 */
const UPCASTERS: { readonly [Type in KnownEventType]?: Readonly<Record<number, Upcaster>> } = {
  ProcessorConnected: { 1: (data) => upcastHttpSecret(data as { http?: { secret?: unknown } | null }) },
  ProcessorUpdated: {
    1: (data) => {
      const updated = data as { changes: { http?: { secret?: unknown } | null } };
      return { ...updated, changes: upcastHttpSecret(updated.changes) };
    },
  },
  WebhookEndpointCreated: { 1: upcastSecret },
  WebhookEndpointSecretRotated: { 1: upcastSecret },
};

/**
 * The one place where stored JSON becomes a typed domain event: every reader of stored events
 * (aggregates' loads, projections, the saga, webhooks, the CLI) goes through here, so that an
 * event stored at an older schema version is upcast to the current one before anyone reads it.
 * A type not known, or a version newer than the current one, is an UnknownEvent.
 */
export function domainEventOf(stored: EventAsStored): KnownEvent | UnknownEvent {
  const current = schemaVersionOf(stored.type);
  const version = stored.metadata?.schema_version ?? 1;
  if (current === undefined) return unknownEvent(stored, version, 'unknown_type');
  if (version > current) return unknownEvent(stored, version, 'newer_schema_version');
  let data = stored.data;
  for (let from = version; from < current; from++) {
    const upcast = UPCASTERS[stored.type as KnownEventType]?.[from];
    // A version older than the current one without its upcaster is a release that forgot it: nothing reads such data right.
    if (!upcast) throw new Error(`no upcaster for ${stored.type} from schema version ${from} to ${from + 1}`);
    data = upcast(data);
  }
  // The type is known and the data is of its current version: this is what the store's JSON is.
  return { type: stored.type, data } as KnownEvent;
}

function unknownEvent(stored: EventAsStored, version: number, reason: UnknownEvent['data']['reason']): UnknownEvent {
  return { type: UNKNOWN_EVENT, data: { type: stored.type, schema_version: version, reason, data: stored.data } };
}


/**
 * Folds one stored event of an aggregate's stream into the aggregate's state, read through
 * domainEventOf: a stream holds only its own decider's events, so the event read is of the
 * decider's type. A known type at a schema version newer than this release's leaves the state as
 * it is, as a reader passes it by, rather than failing every read of the aggregate. A type the
 * catalog does not know is given to the decider as stored: the generic command handler runs
 * deciders of other event sets too (its own tests'), which know their types themselves.
 */
export function evolveStored<Event extends DomainEvent, State>(decider: Pick<Decider<never, Event, State, never>, 'evolve'>, state: State, stored: EventAsStored): State {
  const event = domainEventOf(stored);
  if (event.type !== UNKNOWN_EVENT) return decider.evolve(state, event as DomainEvent as Event);
  if (event.data.reason === 'newer_schema_version') return state;
  return decider.evolve(state, { type: stored.type, data: stored.data } as Event);
}

/** The stored event as one of the stream category's events; undefined when it is not one (or cannot be read). */
export function eventOfStream<Category extends StreamCategory>(stored: EventAsStored, category: Category): EventsOfStream[Category] | undefined {
  const event = domainEventOf(stored);
  return isEventOf(event, category) ? event : undefined;
}
