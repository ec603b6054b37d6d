import { ConnectorKind, ProcessorConnector, ProcessorProfile } from './connector';
import { ConnectorRegistry } from './connector-registry';

/** A connector that records its calls and answers each method with a result naming itself. */
const recording = (name: string): ProcessorConnector & { calls: unknown[][] } => {
  const calls: unknown[][] = [];
  const answer = <T>(method: string, result: T) => async (...args: unknown[]) => {
    calls.push([method, ...args]);
    return result;
  };
  return {
    calls,
    authorize: answer('authorize', { outcome: 'approved', uncertain: false, authCode: name, durationMs: 1 }),
    capture: answer('capture', { outcome: 'failed', code: name, durationMs: 1 }),
    void: answer('void', { outcome: 'failed', code: name, durationMs: 1 }),
    refund: answer('refund', { outcome: 'failed', code: name, durationMs: 1 }),
    status: answer('status', { outcome: 'declined', code: name, durationMs: 1 }),
  };
};

const profile = (connector: ConnectorKind): ProcessorProfile => ({ id: 'proc_stg_1', accountId: 'acc_stg_1', connector, timeoutMs: 5000 });
const request = { paymentId: 'pay_stg_1', amount: 100, currency: 'USD', card: { network: 'visa', bin: '424242', last4: '4242' } };
const options = { idempotencyKey: 'key_1', timeoutMs: 5000, optimized: false };
const operation = { idempotencyKey: 'key_1:capture', timeoutMs: 5000 };
const capture = { authorizationKey: 'key_1', authCode: 'A1', amount: 100, currency: 'USD' };

describe('ConnectorRegistry', () => {
  const simulator = recording('simulator');
  const http = recording('http');
  const registry = new ConnectorRegistry({ simulator, http });

  beforeEach(() => {
    simulator.calls.length = 0;
    http.calls.length = 0;
  });

  it("hands each call to the connector the processor's kind names, with its arguments", async () => {
    expect(await registry.authorize(profile('http'), request, options)).toMatchObject({ authCode: 'http' });
    expect(await registry.capture(profile('http'), capture, operation)).toMatchObject({ code: 'http' });
    expect(await registry.void(profile('http'), { authorizationKey: 'key_1' }, operation)).toMatchObject({ code: 'http' });
    expect(await registry.refund(profile('http'), { authorizationKey: 'key_1', amount: 50, currency: 'USD' }, operation)).toMatchObject({ code: 'http' });
    expect(await registry.status(profile('simulator'), 'key_1', { timeoutMs: 100 })).toMatchObject({ code: 'simulator' });

    expect(http.calls).toEqual([
      ['authorize', profile('http'), request, options],
      ['capture', profile('http'), capture, operation],
      ['void', profile('http'), { authorizationKey: 'key_1' }, operation],
      ['refund', profile('http'), { authorizationKey: 'key_1', amount: 50, currency: 'USD' }, operation],
    ]);
    expect(simulator.calls).toEqual([['status', profile('simulator'), 'key_1', { timeoutMs: 100 }]]);
  });

  describe('for a connector kind it does not know', () => {
    const stored = { ...profile('simulator'), connector: 'sftp' as ConnectorKind };

    it('answers a definite error to an authorization, since nothing was sent', async () => {
      expect(await registry.authorize(stored, request, options)).toMatchObject({ outcome: 'error', uncertain: false, message: expect.stringContaining('sftp') });
    });

    it('fails a capture, a void and a refund definitely', async () => {
      expect(await registry.capture(stored, capture, operation)).toMatchObject({ outcome: 'failed', code: 'not_configured' });
      expect(await registry.void(stored, { authorizationKey: 'key_1' }, operation)).toMatchObject({ outcome: 'failed', code: 'not_configured' });
      expect(await registry.refund(stored, { authorizationKey: 'key_1', amount: 1, currency: 'USD' }, operation)).toMatchObject({ outcome: 'failed' });
    });

    it('answers unknown to a status question, which it cannot ask', async () => {
      expect(await registry.status(stored, 'key_1', { timeoutMs: 100 })).toMatchObject({ outcome: 'unknown', message: expect.stringContaining('sftp') });
    });
  });
});
