import { InMemorySimulatorLedger } from './in-memory-simulator-ledger';
import { SimulatorConnector } from './simulator-connector';
import { simulatorProfile, tryOnce, visaRequest } from './simulator-fixtures';
import { SimulatorLedger } from './simulator-ledger';

describe('SimulatorConnector', () => {
  const simulator = () => new SimulatorConnector(new InMemorySimulatorLedger());

  it('approves with a six character auth code', async () => {
    const result = await simulator().authorize(simulatorProfile({ outcome: 'approve' }), visaRequest, tryOnce('key_1'));

    expect(result).toEqual({ outcome: 'approved', authCode: expect.stringMatching(/^[A-Z0-9]{6}$/), durationMs: expect.any(Number) });
  });

  it('declines with the decline code and no auth code', async () => {
    const result = await simulator().authorize(simulatorProfile({ outcome: 'decline', decline_code: '51' }), visaRequest, tryOnce('key_1'));

    expect(result).toEqual({ outcome: 'declined', code: '51', durationMs: expect.any(Number) });
  });

  it('answers error when the outcome is error', async () => {
    const result = await simulator().authorize(simulatorProfile({ outcome: 'error' }), visaRequest, tryOnce('key_1'));

    expect(result).toMatchObject({ outcome: 'error', message: expect.any(String) });
  });

  it('answers only after the latency', async () => {
    const result = await simulator().authorize(simulatorProfile({ outcome: 'approve', latency_ms: 120 }), visaRequest, tryOnce('key_1'));

    expect(result.outcome).toBe('approved');
    expect(result.durationMs).toBeGreaterThanOrEqual(115);
  });

  it('answers timeout once the timeout has elapsed when the outcome is timeout', async () => {
    const result = await simulator().authorize(simulatorProfile({ outcome: 'timeout' }), visaRequest, tryOnce('key_1', { timeoutMs: 100 }));

    expect(result.outcome).toBe('timeout');
    expect(result.durationMs).toBeGreaterThanOrEqual(95);
    expect(result.durationMs).toBeLessThan(1000);
  });

  it('answers timeout when the latency is longer than the timeout', async () => {
    const result = await simulator().authorize(
      simulatorProfile({ outcome: 'approve', latency_ms: 10_000 }),
      visaRequest,
      tryOnce('key_1', { timeoutMs: 100 }),
    );

    expect(result.outcome).toBe('timeout');
    expect(result.durationMs).toBeLessThan(1000);
  });

  it('declines a first try and approves an optimized retry with approve_optimized_retry', async () => {
    const connector = simulator();
    const profile = simulatorProfile({ outcome: 'approve', approve_optimized_retry: true });

    const first = await connector.authorize(profile, visaRequest, tryOnce('key_1'));
    const retry = await connector.authorize(profile, visaRequest, tryOnce('key_2', { optimized: true }));

    expect(first).toMatchObject({ outcome: 'declined', code: '05' });
    expect(retry).toMatchObject({ outcome: 'approved', authCode: expect.any(String) });
  });

  it('declines a magic card whatever the outcome setting', async () => {
    const result = await simulator().authorize(simulatorProfile({ outcome: 'timeout' }), { ...visaRequest, card: { network: 'visa', bin: '400000', last4: '9995' } }, tryOnce('key_1'));

    expect(result).toMatchObject({ outcome: 'declined', code: '51' });
  });

  it('answers error for a processor without simulator settings', async () => {
    const profile = { ...simulatorProfile({ outcome: 'approve' }), simulator: undefined };

    expect(await simulator().authorize(profile, visaRequest, tryOnce('key_1'))).toMatchObject({ outcome: 'error' });
  });

  it('answers error instead of rejecting when the ledger fails', async () => {
    const broken: SimulatorLedger = {
      record: () => Promise.reject(new Error('disk full')),
      chargesFor: async () => [],
      countCharges: async () => 0,
      close: async () => undefined,
    };

    const result = await new SimulatorConnector(broken).authorize(simulatorProfile({ outcome: 'approve' }), visaRequest, tryOnce('key_1'));

    expect(result).toMatchObject({ outcome: 'error', message: expect.any(String) });
  });
});
