import { Decider, DecisionContext } from './decider';
import { DomainEvent } from './event';

/**
 * A secret the service must keep to sign with (a processor's http signing secret, a webhook
 * endpoint's secret), as events store it: sealed by AES-256-GCM under the key `key_id` names,
 * so an exported or streamed event log holds nothing usable. The fields are base64url; the
 * domain never opens one: sealing and opening happen at the edge, where the key is
 * (docs/events.md "Sealed secrets").
 */
export interface SealedSecret {
  key_id: string;
  iv: string;
  ciphertext: string;
  tag: string;
}

/**
 * A secret as schema version 1 of its event stored it, in clear: the upcast of those events
 * reads it in this form. Nothing writes it any more; only a new secret (a rotation, a PATCH of
 * the processor's http settings) replaces it, and the old event keeps the old value.
 */
export interface ClearSecret {
  clear: string;
}

/** A secret as a folded aggregate holds it: sealed, or in clear from an event of before sealing. */
export type StoredSecret = SealedSecret | ClearSecret;

export function isSealed(secret: StoredSecret): secret is SealedSecret {
  return 'ciphertext' in secret;
}

/** Upcasts a version-1 secret field (a string) to its stored form; one already upcast is left as it is. */
export function clearSecretOf(secret: unknown): unknown {
  return typeof secret === 'string' ? { clear: secret } : secret;
}

/**
 * Which key sealed the secrets written last, so that a service started with another key (a
 * lost or replaced key file, a second process given a different SECRETS_KEY) stops at start-up
 * instead of failing each signature later. The stream `secrets_key-register` records each key
 * when it first seals, and again when it comes back after another.
 */
export type SecretsKeyEvent = DomainEvent<'SecretsKeyRegistered', { key_id: string; registered_at: string }>;

export type SecretsKeyCommand = { type: 'RegisterSecretsKey'; keyId: string };

/** The key ids in the order they were registered; the last sealed the latest secrets. */
export interface SecretsKeyState {
  keyIds: string[];
}

export const SECRETS_KEY_REGISTER_ID = 'register';

export const secretsKeyDecider: Decider<SecretsKeyCommand, SecretsKeyEvent, SecretsKeyState, DecisionContext> = {
  initialState: () => ({ keyIds: [] }),
  decide(command, state, { now }) {
    if (latestSecretsKey(state) === command.keyId) return [];
    return [{ type: 'SecretsKeyRegistered', data: { key_id: command.keyId, registered_at: now.toISOString() } }];
  },
  evolve(state, event) {
    return { keyIds: [...state.keyIds, event.data.key_id] };
  },
};

export function latestSecretsKey(state: SecretsKeyState): string | undefined {
  return state.keyIds[state.keyIds.length - 1];
}
