import { Decider, DecisionContext } from '../shared/decider';
import { DomainEvent } from '../shared/event';
import { FieldError, conflict, notFound } from '../shared/errors';
import { assertNoErrors, nameErrors } from '../shared/validation';
import { SealedSecret, StoredSecret } from '../shared/sealed-secret';
import { EVERY_WEBHOOK_EVENT, isWebhookEventType } from './webhook-event-types';
import { WebhookUrlPolicy, webhookUrlErrors } from './webhook-url';

export type WebhookEndpointStatus = 'enabled' | 'disabled';

export const MAX_WEBHOOK_DESCRIPTION_LENGTH = 500;

/** What a merchant sets on an endpoint: the shape of PATCH. `events` are webhook type names, or `["*"]`. */
export interface WebhookEndpointSettings {
  url: string;
  events: string[];
  description: string | null;
  status: WebhookEndpointStatus;
}

/** How a URL was checked: the policy of the environment, and what the handler resolved its host to. */
export interface WebhookUrlCheck {
  policy: WebhookUrlPolicy;
  addresses: readonly string[];
}

/**
 * `secret` is stored because signing needs it after a restart: sealed by the edge before the
 * command (in clear in events of schema version 1); redactSecrets keeps even the seal out of
 * every event shown, and no read model holds it.
 */
export type WebhookEndpointEvent =
  | DomainEvent<'WebhookEndpointCreated', { endpoint_id: string; account_id: string; secret: StoredSecret; created_at: string } & WebhookEndpointSettings>
  | DomainEvent<'WebhookEndpointUpdated', { endpoint_id: string; changes: Partial<WebhookEndpointSettings>; updated_at: string }>
  /** The secret it replaces keeps signing beside it until `previous_secret_expires_at`. */
  | DomainEvent<'WebhookEndpointSecretRotated', { endpoint_id: string; secret: StoredSecret; previous_secret_expires_at: string; rotated_at: string }>
  | DomainEvent<'WebhookEndpointDeleted', { endpoint_id: string; deleted_at: string }>;

export type WebhookEndpointCommand =
  | {
      type: 'CreateWebhookEndpoint';
      endpointId: string;
      accountId: string;
      settings: Omit<WebhookEndpointSettings, 'status'>;
      secret: SealedSecret;
      urlCheck: WebhookUrlCheck;
    }
  /** `urlCheck` is needed when `changes.url` is given. */
  | { type: 'UpdateWebhookEndpoint'; endpointId: string; accountId: string; changes: Partial<WebhookEndpointSettings>; urlCheck?: WebhookUrlCheck }
  | { type: 'RotateWebhookEndpointSecret'; endpointId: string; accountId: string; secret: SealedSecret; overlapMs: number }
  | { type: 'DeleteWebhookEndpoint'; endpointId: string; accountId: string };

export interface WebhookEndpoint extends WebhookEndpointSettings {
  id: string;
  accountId: string;
  secret: StoredSecret;
  /** The secret before the last rotation, while it still signs. */
  previousSecret: { secret: StoredSecret; expiresAt: string } | null;
  createdAt: string;
  updatedAt: string;
}

/** A deleted endpoint answers 404 and takes no command; its events stay in the log. */
export type WebhookEndpointState = { status: 'none' } | { status: 'live' | 'deleted'; endpoint: WebhookEndpoint };

/** How long the secret a rotation replaces keeps signing (API.md: 24 h). */
export const WEBHOOK_SECRET_OVERLAP_MS = 24 * 60 * 60 * 1000;

export const webhookEndpointDecider: Decider<WebhookEndpointCommand, WebhookEndpointEvent, WebhookEndpointState, DecisionContext> = {
  initialState: () => ({ status: 'none' }),

  decide(command, state, { now }) {
    const at = now.toISOString();
    if (command.type === 'CreateWebhookEndpoint') {
      if (state.status !== 'none') throw conflict(`webhook endpoint ${command.endpointId} already exists`);
      const settings = { ...command.settings, status: 'enabled' as const };
      assertNoErrors([...settingsErrors(settings), ...webhookUrlErrors(settings.url, command.urlCheck.policy, command.urlCheck.addresses)], 'webhook endpoint');
      return [
        {
          type: 'WebhookEndpointCreated',
          data: { endpoint_id: command.endpointId, account_id: command.accountId, ...settings, secret: command.secret, created_at: at },
        },
      ];
    }
    if (state.status !== 'live' || state.endpoint.accountId !== command.accountId) throw notFound(`no webhook endpoint ${command.endpointId}`);
    const endpoint = state.endpoint;
    switch (command.type) {
      case 'UpdateWebhookEndpoint': {
        const changes = changedSettings(endpoint, command.changes);
        const urlErrors = changes.url === undefined ? [] : webhookUrlErrors(changes.url, command.urlCheck!.policy, command.urlCheck!.addresses);
        assertNoErrors([...settingsErrors(changes), ...urlErrors], 'webhook endpoint');
        if (Object.keys(changes).length === 0) return [];
        return [{ type: 'WebhookEndpointUpdated', data: { endpoint_id: endpoint.id, changes, updated_at: at } }];
      }
      case 'RotateWebhookEndpointSecret': {
        const expires = new Date(now.getTime() + command.overlapMs).toISOString();
        return [{ type: 'WebhookEndpointSecretRotated', data: { endpoint_id: endpoint.id, secret: command.secret, previous_secret_expires_at: expires, rotated_at: at } }];
      }
      case 'DeleteWebhookEndpoint':
        return [{ type: 'WebhookEndpointDeleted', data: { endpoint_id: endpoint.id, deleted_at: at } }];
    }
  },

  evolve(state, event) {
    if (event.type === 'WebhookEndpointCreated') {
      const { endpoint_id, account_id, secret, created_at, ...settings } = event.data;
      return { status: 'live', endpoint: { id: endpoint_id, accountId: account_id, ...settings, secret, previousSecret: null, createdAt: created_at, updatedAt: created_at } };
    }
    if (state.status === 'none') return state;
    const endpoint = state.endpoint;
    switch (event.type) {
      case 'WebhookEndpointUpdated':
        return { status: state.status, endpoint: { ...endpoint, ...event.data.changes, updatedAt: event.data.updated_at } };
      case 'WebhookEndpointSecretRotated': {
        const previousSecret = { secret: endpoint.secret, expiresAt: event.data.previous_secret_expires_at };
        return { status: state.status, endpoint: { ...endpoint, secret: event.data.secret, previousSecret, updatedAt: event.data.rotated_at } };
      }
      case 'WebhookEndpointDeleted':
        return { status: 'deleted', endpoint: { ...endpoint, updatedAt: event.data.deleted_at } };
    }
  },
};

/**
 * The secrets a delivery made at `now` is signed with: the current one, and the one the last
 * rotation replaced until its overlap ends. A second rotation within the overlap ends the
 * overlap of the secret before, so a header never carries more than two `v1` values.
 */
export function signingSecrets(endpoint: Pick<WebhookEndpoint, 'secret' | 'previousSecret'>, now: Date): StoredSecret[] {
  const previous = endpoint.previousSecret;
  return previous && now.getTime() < Date.parse(previous.expiresAt) ? [endpoint.secret, previous.secret] : [endpoint.secret];
}

function settingsErrors(settings: Partial<WebhookEndpointSettings>): FieldError[] {
  const errors: FieldError[] = [];
  if (settings.events !== undefined) errors.push(...eventsErrors(settings.events));
  if (settings.description !== undefined && settings.description !== null) {
    errors.push(...nameErrors('description', settings.description, MAX_WEBHOOK_DESCRIPTION_LENGTH));
  }
  return errors;
}

/** A list of distinct known type names, or `["*"]` alone. */
function eventsErrors(events: readonly string[]): FieldError[] {
  if (events.length === 0) return [{ field: 'events', message: 'must name at least one event type, or "*"' }];
  if (events.includes(EVERY_WEBHOOK_EVENT)) {
    return events.length === 1 ? [] : [{ field: 'events', message: '"*" takes every event type and must be alone' }];
  }
  const errors: FieldError[] = [];
  events.forEach((name, index) => {
    // Unknown names are not quoted back: they are whatever the caller sent.
    if (!isWebhookEventType(name)) errors.push({ field: `events[${index}]`, message: 'is not a webhook event type' });
    else if (events.indexOf(name) !== index) errors.push({ field: `events[${index}]`, message: 'is listed twice' });
  });
  return errors;
}

/** Only the fields whose value differs, so a PATCH that changes nothing records nothing. */
function changedSettings(current: WebhookEndpointSettings, changes: Partial<WebhookEndpointSettings>): Partial<WebhookEndpointSettings> {
  const result: Partial<WebhookEndpointSettings> = {};
  for (const key of Object.keys(changes) as (keyof WebhookEndpointSettings)[]) {
    if (changes[key] !== undefined && JSON.stringify(changes[key]) !== JSON.stringify(current[key])) {
      (result as Record<string, unknown>)[key] = changes[key];
    }
  }
  return result;
}
