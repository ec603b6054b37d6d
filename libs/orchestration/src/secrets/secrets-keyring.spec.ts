import { randomBytes } from 'node:crypto';
import { SecretUnreadable, SecretsKeyring, secretsKeyId } from './secrets-keyring';

describe('SecretsKeyring', () => {
  const key = randomBytes(32);
  const keyring = new SecretsKeyring(key);
  const owner = 'webhook_endpoint-we_stg_1';

  it('seals under the current key, naming it, and opens what it sealed', () => {
    const sealed = keyring.seal('whsec_abc', owner);

    expect(sealed).toEqual({ key_id: secretsKeyId(key), iv: expect.any(String), ciphertext: expect.any(String), tag: expect.any(String) });
    expect(JSON.stringify(sealed)).not.toContain('whsec_abc');
    expect(keyring.open(sealed, owner)).toBe('whsec_abc');
  });

  it('seals the same secret differently each time', () => {
    expect(keyring.seal('whsec_abc', owner).ciphertext).not.toBe(keyring.seal('whsec_abc', owner).ciphertext);
  });

  it('opens with a retired key what that key sealed, and seals only with the current one', () => {
    const rotated = new SecretsKeyring(randomBytes(32), [key]);

    expect(rotated.open(keyring.seal('whsec_old', owner), owner)).toBe('whsec_old');
    expect(rotated.seal('whsec_new', owner).key_id).toBe(rotated.currentKeyId);
    expect(rotated.holds(keyring.currentKeyId)).toBe(true);
  });

  it('refuses a seal of a key it lacks, of another owner, or altered', () => {
    const sealed = keyring.seal('whsec_abc', owner);
    const tampered = { ...sealed, ciphertext: Buffer.from('whsec_xyz').toString('base64url') };

    expect(() => new SecretsKeyring(randomBytes(32)).open(sealed, owner)).toThrow(new SecretUnreadable(`the secret of ${owner} is sealed under key ${sealed.key_id}, which neither SECRETS_KEY nor SECRETS_KEYS_RETIRED holds`));
    expect(() => keyring.open(sealed, 'webhook_endpoint-we_stg_2')).toThrow(SecretUnreadable);
    expect(() => keyring.open(tampered, owner)).toThrow(/does not open under key/);
  });

  it('answers a secret of a version-1 event, stored in clear, as it is', () => {
    expect(keyring.open({ clear: 'whsec_legacy' }, owner)).toBe('whsec_legacy');
  });

  it('names a key the same wherever it is given, and another key otherwise', () => {
    expect(secretsKeyId(Buffer.from(key))).toBe(secretsKeyId(key));
    expect(secretsKeyId(randomBytes(32))).not.toBe(secretsKeyId(key));
    expect(() => new SecretsKeyring(randomBytes(16))).toThrow('a secrets key is 32 bytes, got 16');
  });
});
