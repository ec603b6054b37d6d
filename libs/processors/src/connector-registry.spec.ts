import { AuthorizationResult, ConnectorKind, ProcessorConnector, ProcessorProfile } from './connector';
import { ConnectorRegistry } from './connector-registry';

const answering = (result: AuthorizationResult): ProcessorConnector & { calls: unknown[][] } => {
  const calls: unknown[][] = [];
  return {
    calls,
    authorize: async (...args) => {
      calls.push(args);
      return result;
    },
  };
};

const profile = (connector: ConnectorKind): ProcessorProfile => ({ id: 'proc_stg_1', accountId: 'acc_stg_1', connector, timeoutMs: 5000 });
const request = { paymentId: 'pay_stg_1', amount: 100, currency: 'USD', card: { network: 'visa', bin: '424242', last4: '4242' } };
const options = { idempotencyKey: 'key_1', timeoutMs: 5000, optimized: false };

describe('ConnectorRegistry', () => {
  const simulator = answering({ outcome: 'approved', authCode: 'SIM001', durationMs: 1 });
  const http = answering({ outcome: 'declined', code: '05', durationMs: 2 });
  const registry = new ConnectorRegistry({ simulator, http });

  it("hands the call to the connector the processor's kind names, with its arguments", async () => {
    expect(await registry.authorize(profile('http'), request, options)).toMatchObject({ outcome: 'declined' });
    expect(http.calls).toEqual([[profile('http'), request, options]]);
    expect(simulator.calls).toEqual([]);
  });

  it('answers error for a connector kind it does not know', async () => {
    const stored = { ...profile('simulator'), connector: 'sftp' as ConnectorKind };

    expect(await registry.authorize(stored, request, options)).toMatchObject({ outcome: 'error', message: expect.stringContaining('sftp') });
  });
});
