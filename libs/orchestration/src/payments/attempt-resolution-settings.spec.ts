import { DEFAULT_ATTEMPT_RESOLUTION_BACKOFF_MS, SettingsError, loadSettings } from '../settings';

describe('settings of the unknown-attempt resolver', () => {
  it('asks once the call timed out by default, and again after 5 s, 30 s, 2 min, 10 min, 30 min, then hourly', () => {
    const settings = loadSettings({});
    expect(settings.attemptResolutionDelayMs).toBe(0);
    expect(settings.attemptResolutionBackoffMs).toEqual([...DEFAULT_ATTEMPT_RESOLUTION_BACKOFF_MS]);
    expect(DEFAULT_ATTEMPT_RESOLUTION_BACKOFF_MS).toEqual([5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000]);
  });

  it('reads ATTEMPT_RESOLUTION_DELAY as one duration in ms, s, m or h, up to a day', () => {
    expect(['0ms', '250ms', '30s', '5m', '24h'].map((value) => loadSettings({ ATTEMPT_RESOLUTION_DELAY: value }).attemptResolutionDelayMs)).toEqual([0, 250, 30_000, 300_000, 86_400_000]);
  });

  it.each(['soon', '5', '1m,2m', '25h', '-1s', '1d'])('refuses ATTEMPT_RESOLUTION_DELAY=%j, naming the setting', (value) => {
    expect(() => loadSettings({ ATTEMPT_RESOLUTION_DELAY: value })).toThrow(SettingsError);
    expect(() => loadSettings({ ATTEMPT_RESOLUTION_DELAY: value })).toThrow(/^ATTEMPT_RESOLUTION_DELAY: /);
  });
});
