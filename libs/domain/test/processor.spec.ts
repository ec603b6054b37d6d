import { DEFAULT_SIMULATOR, ProcessorEvent, ProcessorSettings, paymentMethods, processorDecider } from '@payments/domain';
import { deciderSpecification } from './decider-specification';

const now = new Date('2026-11-21T10:00:00.000Z');
const spec = deciderSpecification(processorDecider, { now });
const settings: ProcessorSettings = {
  name: 'Acme US',
  supported_currencies: ['USD'],
  supported_networks: ['visa'],
  fees: { percent: 2.9, fixed: 30 },
  status: 'active',
  timeout_ms: 5000,
  simulator: DEFAULT_SIMULATOR,
  http: null,
};
const connected: ProcessorEvent = {
  type: 'ProcessorConnected',
  data: { processor_id: 'proc_stg_1', account_id: 'acc_stg_a', connector: 'simulator', ...settings, connected_at: now.toISOString() },
};

describe('processor decider', () => {
  it('connects a processor with its settings', () => {
    spec.given([]).when({ type: 'ConnectProcessor', processorId: 'proc_stg_1', accountId: 'acc_stg_a', connector: 'simulator', settings }).then([connected]);
  });

  it('refuses an http connector without an endpoint', () => {
    spec
      .given([])
      .when({ type: 'ConnectProcessor', processorId: 'proc_stg_1', accountId: 'acc_stg_a', connector: 'http', settings: { ...settings, simulator: null } })
      .thenThrows('invalid', /http settings/);
  });

  it('records only the fields a patch changes', () => {
    spec
      .given([connected])
      .when({ type: 'UpdateProcessor', processorId: 'proc_stg_1', accountId: 'acc_stg_a', changes: { name: 'Acme US', status: 'unavailable' } })
      .then([{ type: 'ProcessorUpdated', data: { processor_id: 'proc_stg_1', changes: { status: 'unavailable' }, updated_at: now.toISOString() } }]);
  });

  it('merges a simulator patch into the current behaviour', () => {
    spec
      .given([connected])
      .when({ type: 'UpdateProcessor', processorId: 'proc_stg_1', accountId: 'acc_stg_a', changes: { simulator: { outcome: 'decline' } } })
      .then([
        {
          type: 'ProcessorUpdated',
          data: { processor_id: 'proc_stg_1', changes: { simulator: { ...DEFAULT_SIMULATOR, outcome: 'decline' } }, updated_at: now.toISOString() },
        },
      ]);
  });

  it("hides another account's processor", () => {
    spec.given([connected]).when({ type: 'UpdateProcessor', processorId: 'proc_stg_1', accountId: 'acc_stg_b', changes: { name: 'x' } }).thenThrows('not_found');
  });
});

describe('payment methods', () => {
  const processor = (id: string, over: Partial<ProcessorSettings>) => ({
    id,
    accountId: 'acc_stg_a',
    connector: 'simulator' as const,
    createdAt: '',
    updatedAt: '',
    ...settings,
    ...over,
  });

  it('lists each network with the active processors that take it for the currency', () => {
    const methods = paymentMethods(
      [
        processor('proc_stg_1', { supported_currencies: ['USD'], supported_networks: ['visa', 'amex'] }),
        processor('proc_stg_2', { supported_currencies: [], supported_networks: ['visa'] }),
        processor('proc_stg_3', { supported_currencies: ['EUR'], supported_networks: ['mastercard'] }),
        processor('proc_stg_4', { supported_currencies: ['USD'], supported_networks: ['jcb'], status: 'unavailable' }),
      ],
      'USD',
    );
    expect(methods).toEqual([
      { type: 'visa', processor_ids: ['proc_stg_1', 'proc_stg_2'] },
      { type: 'amex', processor_ids: ['proc_stg_1'] },
    ]);
  });

  it('treats an empty network list as every network', () => {
    const methods = paymentMethods([processor('proc_stg_1', { supported_networks: [] })], 'USD');
    expect(methods.map((m) => m.type)).toContain('star');
    expect(methods).toHaveLength(12);
  });
});
