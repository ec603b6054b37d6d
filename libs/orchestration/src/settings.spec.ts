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
  ])('must be set with %j', (env, message) => {
    expect(() => loadSettings(env)).toThrow(SettingsError);
    expect(() => loadSettings(env)).toThrow(message);
  });
});
