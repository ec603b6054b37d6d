import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SettingsError, cardFingerprintKey, loadSettings } from './settings';

describe('the card fingerprint key', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'payments-settings-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('is the setting when it is set', () => {
    expect(cardFingerprintKey(loadSettings({ CARD_FINGERPRINT_SECRET: 'a-secret-of-16-or-more', DATA_DIR: dataDir }))).toBe('a-secret-of-16-or-more');
  });

  it('is generated once per DATA_DIR when unset, never a fixed value', () => {
    const first = cardFingerprintKey(loadSettings({ DATA_DIR: dataDir }));
    expect(cardFingerprintKey(loadSettings({ DATA_DIR: dataDir }))).toBe(first);
    expect(cardFingerprintKey(loadSettings({ DATA_DIR: join(dataDir, 'other') }))).not.toBe(first);
  });

  it.each([
    [{ PAYMENTS_ENV: 'prod' }, 'must be set when PAYMENTS_ENV=prod'],
    [{ EVENTSTORE_CONNECTION_STRING: 'esdb://localhost:2113?tls=false' }, 'must be set when EVENTSTORE_CONNECTION_STRING is set'],
    [{ POSTGRES_URL: 'postgres://postgres@127.0.0.1:5432/payments' }, 'must be set when POSTGRES_URL is set'],
  ])('must be set with %j', (env, message) => {
    expect(() => loadSettings(env)).toThrow(SettingsError);
    expect(() => loadSettings(env)).toThrow(message);
  });
});

describe('TRUST_PROXY', () => {
  it('believes no X-Forwarded-For by default', () => {
    expect(loadSettings({}).trustProxy).toBe(false);
    expect(loadSettings({ TRUST_PROXY: 'false' }).trustProxy).toBe(false);
  });

  it('takes a number of hops, or proxy addresses and subnets as Express names them', () => {
    expect(loadSettings({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadSettings({ TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::/8' }).trustProxy).toEqual(['loopback', '10.0.0.0/8', 'fd00::/8']);
  });

  it.each(['true', '10.0.0.0/33', 'proxy.example', '0'])('refuses %j, naming the setting', (value) => {
    expect(() => loadSettings({ TRUST_PROXY: value })).toThrow(/^TRUST_PROXY: /);
  });
});
