import { DEFAULT_WEBHOOK_RETRY_SCHEDULE_MS } from '@payments/domain';
import { SettingsError, loadSettings } from '../settings';
import { webhookUrlPolicy } from './webhook-url-checker';

describe('webhook settings', () => {
  it('retries after 1 min, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h by default', () => {
    expect(loadSettings({}).webhookRetryScheduleMs).toEqual([60_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
    expect(loadSettings({ WEBHOOK_RETRY_SCHEDULE: '' }).webhookRetryScheduleMs).toEqual(DEFAULT_WEBHOOK_RETRY_SCHEDULE_MS);
  });

  it('reads WEBHOOK_RETRY_SCHEDULE as durations in ms, s, m or h', () => {
    expect(loadSettings({ WEBHOOK_RETRY_SCHEDULE: '700ms, 2s,1m,3h' }).webhookRetryScheduleMs).toEqual([700, 2000, 60_000, 10_800_000]);
  });

  it.each(['soon', '1m,,5m', '0s', '5 minutes', '1d', Array(21).fill('1s').join(',')])('refuses WEBHOOK_RETRY_SCHEDULE=%j, naming the setting', (value) => {
    expect(() => loadSettings({ WEBHOOK_RETRY_SCHEDULE: value })).toThrow(SettingsError);
    expect(() => loadSettings({ WEBHOOK_RETRY_SCHEDULE: value })).toThrow(/^WEBHOOK_RETRY_SCHEDULE: /);
  });

  it('holds webhook URLs to https and public addresses in prod only, and WEBHOOK_ALLOW_PRIVATE_URLS lifts the address rule', () => {
    const prod = { PAYMENTS_ENV: 'prod', CARD_FINGERPRINT_SECRET: 'a-secret-of-16-or-more', SECRETS_KEY: Buffer.alloc(32, 7).toString('base64') };
    expect(webhookUrlPolicy(loadSettings({}))).toEqual({ httpsOnly: false, publicAddressesOnly: false });
    expect(webhookUrlPolicy(loadSettings(prod))).toEqual({ httpsOnly: true, publicAddressesOnly: true });
    expect(webhookUrlPolicy(loadSettings({ ...prod, WEBHOOK_ALLOW_PRIVATE_URLS: 'true' }))).toEqual({ httpsOnly: true, publicAddressesOnly: false });
    expect(() => loadSettings({ WEBHOOK_ALLOW_PRIVATE_URLS: 'yes' })).toThrow(/^WEBHOOK_ALLOW_PRIVATE_URLS: /);
  });
});
