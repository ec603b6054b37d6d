import { Decider, DecisionContext } from '../shared/decider';
import { DomainEvent } from '../shared/event';
import { conflict, notFound } from '../shared/errors';
import { WebhookEventType } from '../webhook-endpoint/webhook-event-types';

/**
 * After how long each failed try is followed by the next (API.md: 8 tries over about a day),
 * counted from when the failed try was recorded. WEBHOOK_RETRY_SCHEDULE replaces it.
 */
export const DEFAULT_WEBHOOK_RETRY_SCHEDULE_MS: readonly number[] = [1, 5, 30, 120, 300, 600, 600].map((minutes) => minutes * 60_000);

export type WebhookDeliveryStatus = 'pending' | 'succeeded' | 'failed';

/** The stored event a delivery carries: where to read the object as it stood at that event. */
export interface WebhookDeliverySource {
  stream: string;
  revision: number;
  type: string;
}

/** One try, as the delivery log shows it. `status_code` is null when no answer came (timeout, connection refused). */
export interface WebhookDeliveryAttempt {
  at: string;
  status_code: number | null;
  duration_ms: number;
  error: string | null;
}

export type WebhookDeliveryEvent =
  | DomainEvent<
      'WebhookDeliveryScheduled',
      {
        delivery_id: string;
        account_id: string;
        endpoint_id: string;
        /** The API id (`evt_…`) of the stored event delivered, which receivers dedupe on. */
        event_id: string;
        type: WebhookEventType;
        source: WebhookDeliverySource;
        /** When the delivered event was stored: the webhook's `created_at`. */
        created_at: string;
        next_attempt_at: string;
      }
    >
  | DomainEvent<'WebhookDeliveryAttempted', { delivery_id: string; endpoint_id: string; attempt: number; next_attempt_at: string | null } & WebhookDeliveryAttempt>
  | DomainEvent<'WebhookDeliverySucceeded', { delivery_id: string; endpoint_id: string; succeeded_at: string }>
  /** Every try of the schedule failed. */
  | DomainEvent<'WebhookDeliveryFailed', { delivery_id: string; endpoint_id: string; attempts: number; failed_at: string }>
  | DomainEvent<'WebhookDeliveryRetryRequested', { delivery_id: string; endpoint_id: string; requested_at: string; next_attempt_at: string }>;

export type WebhookDeliveryCommand =
  | {
      type: 'ScheduleWebhookDelivery';
      deliveryId: string;
      accountId: string;
      endpointId: string;
      eventId: string;
      webhookType: WebhookEventType;
      source: WebhookDeliverySource;
      createdAt: string;
    }
  /** `attempt.status_code` 2xx: acknowledged. `retryScheduleMs`: the pauses of the schedule (the setting). */
  | { type: 'RecordWebhookDeliveryAttempt'; deliveryId: string; attempt: WebhookDeliveryAttempt; retryScheduleMs: readonly number[] }
  /** `endpoint`: the state of the delivery's endpoint, which must be enabled for a try now. */
  | { type: 'RetryWebhookDelivery'; deliveryId: string; accountId: string; endpoint: 'enabled' | 'disabled' | 'missing' };

export interface WebhookDelivery {
  id: string;
  accountId: string;
  endpointId: string;
  eventId: string;
  type: WebhookEventType;
  source: WebhookDeliverySource;
  createdAt: string;
  status: WebhookDeliveryStatus;
  attempts: WebhookDeliveryAttempt[];
  /** When the next try is due; null once succeeded or failed. */
  nextAttemptAt: string | null;
}

export type WebhookDeliveryState = { status: 'none' } | { status: 'scheduled'; delivery: WebhookDelivery };

export const webhookDeliveryDecider: Decider<WebhookDeliveryCommand, WebhookDeliveryEvent, WebhookDeliveryState, DecisionContext> = {
  initialState: () => ({ status: 'none' }),

  decide(command, state, { now }) {
    const at = now.toISOString();
    if (command.type === 'ScheduleWebhookDelivery') {
      // A replay of the log schedules the same delivery again: it exists once.
      if (state.status !== 'none') return [];
      const { deliveryId, accountId, endpointId, eventId, webhookType, source, createdAt } = command;
      return [
        {
          type: 'WebhookDeliveryScheduled',
          data: { delivery_id: deliveryId, account_id: accountId, endpoint_id: endpointId, event_id: eventId, type: webhookType, source, created_at: createdAt, next_attempt_at: at },
        },
      ];
    }
    if (state.status === 'none') throw notFound(`no webhook delivery ${command.deliveryId}`);
    const delivery = state.delivery;
    const ref = { delivery_id: delivery.id, endpoint_id: delivery.endpointId };
    switch (command.type) {
      case 'RecordWebhookDeliveryAttempt': {
        if (delivery.status !== 'pending') throw conflict(`webhook delivery ${delivery.id} is ${delivery.status}, not pending`);
        const attempt = delivery.attempts.length + 1;
        const acknowledged = command.attempt.status_code !== null && command.attempt.status_code >= 200 && command.attempt.status_code < 300;
        const pause = command.retryScheduleMs[attempt - 1];
        const next = acknowledged || pause === undefined ? null : new Date(now.getTime() + pause).toISOString();
        const attempted: WebhookDeliveryEvent = { type: 'WebhookDeliveryAttempted', data: { ...ref, attempt, ...command.attempt, next_attempt_at: next } };
        if (acknowledged) return [attempted, { type: 'WebhookDeliverySucceeded', data: { ...ref, succeeded_at: at } }];
        if (next === null) return [attempted, { type: 'WebhookDeliveryFailed', data: { ...ref, attempts: attempt, failed_at: at } }];
        return [attempted];
      }
      case 'RetryWebhookDelivery':
        if (delivery.accountId !== command.accountId || command.endpoint === 'missing') throw notFound(`no webhook delivery ${delivery.id}`);
        if (delivery.status === 'succeeded') throw conflict(`webhook delivery ${delivery.id} was acknowledged already; receivers dedupe on the event id`);
        if (command.endpoint === 'disabled') throw conflict(`the endpoint of webhook delivery ${delivery.id} is disabled; enable it first`);
        return [{ type: 'WebhookDeliveryRetryRequested', data: { ...ref, requested_at: at, next_attempt_at: at } }];
    }
  },

  evolve(state, event) {
    if (event.type === 'WebhookDeliveryScheduled') {
      const { delivery_id, account_id, endpoint_id, event_id, type, source, created_at, next_attempt_at } = event.data;
      return {
        status: 'scheduled',
        delivery: { id: delivery_id, accountId: account_id, endpointId: endpoint_id, eventId: event_id, type, source, createdAt: created_at, status: 'pending', attempts: [], nextAttemptAt: next_attempt_at },
      };
    }
    if (state.status === 'none') return state;
    const delivery = state.delivery;
    switch (event.type) {
      case 'WebhookDeliveryAttempted': {
        const { at, status_code, duration_ms, error, next_attempt_at } = event.data;
        return { status: 'scheduled', delivery: { ...delivery, attempts: [...delivery.attempts, { at, status_code, duration_ms, error }], nextAttemptAt: next_attempt_at } };
      }
      case 'WebhookDeliverySucceeded':
        return { status: 'scheduled', delivery: { ...delivery, status: 'succeeded', nextAttemptAt: null } };
      case 'WebhookDeliveryFailed':
        return { status: 'scheduled', delivery: { ...delivery, status: 'failed', nextAttemptAt: null } };
      case 'WebhookDeliveryRetryRequested':
        return { status: 'scheduled', delivery: { ...delivery, status: 'pending', nextAttemptAt: event.data.next_attempt_at } };
    }
  },
};

/** Whether a pending delivery's next try is due at `now`. */
export function isDue(delivery: Pick<WebhookDelivery, 'status' | 'nextAttemptAt'>, now: Date): boolean {
  return delivery.status === 'pending' && delivery.nextAttemptAt !== null && Date.parse(delivery.nextAttemptAt) <= now.getTime();
}
