import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SettingsError, loadSettings, secretsKeys } from '../settings';

describe('SECRETS_KEY and SECRETS_KEYS_RETIRED', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'payments-secrets-key-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const key = (fill: number) => Buffer.alloc(32, fill).toString('base64');
  const prod = { PAYMENTS_ENV: 'prod', CARD_FINGERPRINT_SECRET: 'a-secret-of-16-or-more' };

  it('uses the setting and the retired keys as given', () => {
    const keys = secretsKeys(loadSettings({ SECRETS_KEY: key(1), SECRETS_KEYS_RETIRED: `${key(2)}, ${key(3)}`, DATA_DIR: dataDir }));
    expect(keys).toEqual({ current: Buffer.alloc(32, 1), retired: [Buffer.alloc(32, 2), Buffer.alloc(32, 3)] });
  });

  it('is generated once into DATA_DIR/secrets.key (0600) when unset outside prod', () => {
    const first = secretsKeys(loadSettings({ DATA_DIR: dataDir })).current;
    expect(first).toHaveLength(32);
    expect(secretsKeys(loadSettings({ DATA_DIR: dataDir })).current).toEqual(first);
    expect(statSync(join(dataDir, 'secrets.key')).mode & 0o777).toBe(0o600);
  });

  it.each([
    [{ SECRETS_KEY: 'too-short' }, /^SECRETS_KEY: must be 32 bytes in base64; generate one with: openssl rand -base64 32$/],
    [{ SECRETS_KEY: Buffer.alloc(31).toString('base64') }, /^SECRETS_KEY: must be 32 bytes/],
    [{ SECRETS_KEYS_RETIRED: 'nope' }, /^SECRETS_KEYS_RETIRED: /],
    [prod, /^SECRETS_KEY: must be set when PAYMENTS_ENV=prod/],
    [{ EVENTSTORE_CONNECTION_STRING: 'esdb://localhost:2113?tls=false', CARD_FINGERPRINT_SECRET: 'a-secret-of-16-or-more' }, /^SECRETS_KEY: must be set when EVENTSTORE_CONNECTION_STRING is set/],
    [{ POSTGRES_URL: 'postgres://postgres@127.0.0.1:5432/payments', CARD_FINGERPRINT_SECRET: 'a-secret-of-16-or-more' }, /^SECRETS_KEY: must be set when POSTGRES_URL is set/],
  ])('stops start-up on %j, naming the setting', (env, message) => {
    expect(() => loadSettings(env)).toThrow(SettingsError);
    expect(() => loadSettings(env)).toThrow(message);
  });

  it('takes a key in prod', () => {
    expect(loadSettings({ ...prod, SECRETS_KEY: key(4) }).secretsKey).toBe(key(4));
  });
});
