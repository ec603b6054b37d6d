import { OnModuleInit } from '@nestjs/common';
import { Clock, SECRETS_KEY_REGISTER_ID, SealedSecret, StoredSecret, latestSecretsKey, secretsKeyDecider, streamName } from '@payments/domain';
import { EventStore } from '@payments/event-store';
import { handleCommand } from '../command-handling/handle-command';
import { loadState } from '../command-handling/load-stream';
import { Settings, secretsKeys } from '../settings';
import { SecretsKeyring } from './secrets-keyring';

/** Injection token of SealedSecrets. */
export const SEALED_SECRETS = Symbol('SealedSecrets');

const REGISTER = streamName('secrets_key', SECRETS_KEY_REGISTER_ID);

/** The service started with keys that cannot open what the event store's latest secrets were sealed with. */
export class SecretsKeyMismatch extends Error {
  constructor(latestKeyId: string, keyring: SecretsKeyring) {
    super(
      `SECRETS_KEY: the event store's signing secrets were last sealed under key ${latestKeyId}, but SECRETS_KEY is key ${keyring.currentKeyId} ` +
        'and SECRETS_KEYS_RETIRED does not hold it: start with the key they were sealed with (the SECRETS_KEY of the deployment, ' +
        'or DATA_DIR/secrets.key from the backup of this DATA_DIR); to change keys, set the new one as SECRETS_KEY and the old one in SECRETS_KEYS_RETIRED (docs/operations.md)',
    );
    this.name = 'SecretsKeyMismatch';
  }
}

/**
 * Seals the signing secrets commands put into events, and opens them where a signature is made
 * (the http connector, the webhook dispatcher): the only holder of the keys. Before its first
 * seal it records its key in the event store (`secrets_key-register`), so a later start with
 * another key stops at start-up (onModuleInit) rather than leaving every signature to fail.
 */
export class SealedSecrets implements OnModuleInit {
  private registered: Promise<void> | undefined;

  constructor(
    private readonly keyring: SecretsKeyring,
    private readonly store: EventStore,
    private readonly clock: Clock,
  ) {}

  async seal(secret: string, context: string): Promise<SealedSecret> {
    this.registered ??= this.register().catch((error: unknown) => {
      this.registered = undefined;
      throw error;
    });
    await this.registered;
    return this.keyring.seal(secret, context);
  }

  /** The secret in clear; throws SecretUnreadable when no key held opens it. */
  open(secret: StoredSecret, context: string): string {
    return this.keyring.open(secret, context);
  }

  /** Rejects with SecretsKeyMismatch when the store's latest secrets were sealed under a key not held. */
  async onModuleInit(): Promise<void> {
    const latest = latestSecretsKey((await loadState(this.store, REGISTER, secretsKeyDecider)).state);
    if (latest !== undefined && !this.keyring.holds(latest)) throw new SecretsKeyMismatch(latest, this.keyring);
  }

  private async register(): Promise<void> {
    await handleCommand(this.store, REGISTER, secretsKeyDecider, { type: 'RegisterSecretsKey', keyId: this.keyring.currentKeyId }, { context: () => ({ now: this.clock.now() }), retries: 5 });
  }
}

/** The keys of the settings (the key file of DATA_DIR made when it is used and missing). */
export function sealedSecretsOf(settings: Settings, store: EventStore, clock: Clock): SealedSecrets {
  const { current, retired } = secretsKeys(settings);
  return new SealedSecrets(new SecretsKeyring(current, retired), store, clock);
}
