import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { SealedSecret, StoredSecret, isSealed } from '@payments/domain';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
export const SECRETS_KEY_BYTES = 32;

/**
 * A key's id: a fingerprint of the key itself (an HMAC under it of a fixed label), so a key is
 * named the same wherever it is set, and a different key can never pass for it. 96 bits say
 * nothing usable about a 256-bit random key.
 */
export function secretsKeyId(key: Buffer): string {
  return `sk_${createHmac('sha256', key).update('payments secrets key id').digest().subarray(0, 12).toString('base64url')}`;
}

/** A sealed secret that cannot be opened: its key is not held, or it was not sealed under it (or for this owner). */
export class SecretUnreadable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretUnreadable';
  }
}

/**
 * The keys of SECRETS_KEY (the one that seals) and SECRETS_KEYS_RETIRED (earlier ones, which
 * still open what they sealed). `context` names the secret's owner (its stream, such as
 * `processor-proc_…`) and is bound into the seal as associated data, so an envelope copied to
 * another processor or endpoint does not open there.
 */
export class SecretsKeyring {
  readonly currentKeyId: string;
  private readonly keys: ReadonlyMap<string, Buffer>;

  constructor(
    private readonly current: Buffer,
    retired: readonly Buffer[] = [],
  ) {
    for (const key of [current, ...retired]) if (key.length !== SECRETS_KEY_BYTES) throw new Error(`a secrets key is ${SECRETS_KEY_BYTES} bytes, got ${key.length}`);
    this.currentKeyId = secretsKeyId(current);
    this.keys = new Map([...retired, current].map((key) => [secretsKeyId(key), key]));
  }

  holds(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  seal(secret: string, context: string): SealedSecret {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.current, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return { key_id: this.currentKeyId, iv: iv.toString('base64url'), ciphertext: ciphertext.toString('base64url'), tag: cipher.getAuthTag().toString('base64url') };
  }

  /** The secret in clear; one from an event of before sealing is in clear already. Throws SecretUnreadable. */
  open(secret: StoredSecret, context: string): string {
    if (!isSealed(secret)) return secret.clear;
    const key = this.keys.get(secret.key_id);
    if (!key) throw new SecretUnreadable(`the secret of ${context} is sealed under key ${secret.key_id}, which neither SECRETS_KEY nor SECRETS_KEYS_RETIRED holds`);
    try {
      const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(secret.iv, 'base64url'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(secret.tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(secret.ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretUnreadable(`the secret of ${context} does not open under key ${secret.key_id}: it was altered, or sealed for another owner`);
    }
  }
}
