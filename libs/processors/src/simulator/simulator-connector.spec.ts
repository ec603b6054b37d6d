import { InMemorySimulatorLedger } from './in-memory-simulator-ledger';
import { SimulatorConnector } from './simulator-connector';
import { simulatorProfile, tryOnce, visaRequest } from './simulator-fixtures';
import { SimulatorLedger } from './simulator-ledger';

describe('SimulatorConnector', () => {
  const simulator = () => new SimulatorConnector(new InMemorySimulatorLedger());

  it('approves with a six character auth code', async () => {
    const result = await simulator().authorize(simulatorProfile({ outcome: 'approve' }), visaRequest, tryOnce('key_1'));

    expect(result).toEqual({ outcome: 'approved', uncertain: false, authCode: expect.stringMatching(/^[A-Z0-9]{6}$/), durationMs: expect.any(Number) });
  });

  it('declines with the decline code and no auth code', async () => {
    const result = await simulator().authorize(simulatorProfile({ outcome: 'decline', decline_code: '51' }), visaRequest, tryOnce('key_1'));

    expect(result).toEqual({ outcome: 'declined', uncertain: false, code: '51', durationMs: expect.any(Number) });
  });

  it('answers an uncertain error when the outcome is error, as a 5xx would be', async () => {
    const result = await simulator().authorize(simulatorProfile({ outcome: 'error' }), visaRequest, tryOnce('key_1'));

    expect(result).toEqual({ outcome: 'error', uncertain: true, durationMs: expect.any(Number), message: 'the simulated processor failed' });
  });

  it('answers only after the latency', async () => {
    const result = await simulator().authorize(simulatorProfile({ outcome: 'approve', latency_ms: 120 }), visaRequest, tryOnce('key_1'));

    expect(result.outcome).toBe('approved');
    expect(result.durationMs).toBeGreaterThanOrEqual(115);
  });

  it('answers timeout once the timeout has elapsed when the outcome is timeout', async () => {
    const result = await simulator().authorize(simulatorProfile({ outcome: 'timeout' }), visaRequest, tryOnce('key_1', { timeoutMs: 100 }));

    expect(result).toMatchObject({ outcome: 'timeout', uncertain: true, message: 'the simulated processor did not answer within 100 ms' });
    expect(result.durationMs).toBeGreaterThanOrEqual(95);
    expect(result.durationMs).toBeLessThan(1000);
  });

  it('answers timeout when the latency is longer than the timeout', async () => {
    const result = await simulator().authorize(
      simulatorProfile({ outcome: 'approve', latency_ms: 10_000 }),
      visaRequest,
      tryOnce('key_1', { timeoutMs: 100 }),
    );

    expect(result).toMatchObject({ outcome: 'timeout', uncertain: true });
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

  it('answers a certain error for a processor without simulator settings, since nothing was sent', async () => {
    const profile = { ...simulatorProfile({ outcome: 'approve' }), simulator: undefined };

    expect(await simulator().authorize(profile, visaRequest, tryOnce('key_1'))).toMatchObject({ outcome: 'error', uncertain: false });
  });

  describe('when the ledger fails', () => {
    const failing = () => Promise.reject(new Error('disk full at /var/secret/path'));
    const broken: SimulatorLedger = {
      record: failing,
      apply: failing,
      authorization: failing,
      chargesFor: failing,
      chargesForPayment: failing,
      operationsFor: failing,
      operationsOn: failing,
      countCharges: failing,
      close: async () => undefined,
    };
    const connector = new SimulatorConnector(broken);
    const profile = simulatorProfile({ outcome: 'approve' });
    const operation = { idempotencyKey: 'key_1:op', timeoutMs: 1000 };

    it('answers an uncertain error to an authorization instead of rejecting', async () => {
      expect(await connector.authorize(profile, visaRequest, tryOnce('key_1'))).toMatchObject({ outcome: 'error', uncertain: true, message: expect.any(String) });
    });

    it('answers unknown to a capture, a void, a refund and a status question, saying nothing of the cause', async () => {
      const results = [
        await connector.capture(profile, { authorizationKey: 'key_1', amount: 1, currency: 'USD' }, operation),
        await connector.void(profile, { authorizationKey: 'key_1' }, operation),
        await connector.refund(profile, { authorizationKey: 'key_1', amount: 1, currency: 'USD' }, operation),
        await connector.status(profile, 'key_1', { timeoutMs: 1000 }),
      ];

      expect(results).toEqual(results.map(() => ({ outcome: 'unknown', message: expect.any(String), durationMs: expect.any(Number) })));
      expect(JSON.stringify(results)).not.toContain('/var/secret/path');
    });
  });

  describe('latency', () => {
    const slow = simulatorProfile({ outcome: 'approve', latency_ms: 120 });

    it('delays a capture, and answers unknown when it is longer than the timeout, having captured', async () => {
      const connector = simulator();
      await connector.authorize(slow, visaRequest, tryOnce('key_1', { captureMethod: 'manual' }));

      const late = await connector.capture(slow, { authorizationKey: 'key_1', amount: 1999, currency: 'USD' }, { idempotencyKey: 'cap_1', timeoutMs: 60 });
      const again = await connector.capture(slow, { authorizationKey: 'key_1', amount: 1999, currency: 'USD' }, { idempotencyKey: 'cap_1', timeoutMs: 60 });

      expect(late).toMatchObject({ outcome: 'unknown', message: 'the simulated processor did not answer within 60 ms' });
      // The re-send is answered from the ledger at once.
      expect(again).toMatchObject({ outcome: 'succeeded' });
    });

    it('delays a status answer', async () => {
      const result = await simulator().status(slow, 'key_1', { timeoutMs: 1000 });

      expect(result).toMatchObject({ outcome: 'not_found' });
      expect(result.durationMs).toBeGreaterThanOrEqual(115);
    });
  });
});
