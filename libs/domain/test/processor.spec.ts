import { DEFAULT_SIMULATOR, ProcessorEvent, ProcessorSettings, SimulatorBehaviour, StoredProcessorSettings, paymentMethods, processorDecider } from '@payments/domain';
import { deciderSpecification } from './decider-specification';

const now = new Date('2026-11-21T10:00:00.000Z');
const spec = deciderSpecification(processorDecider, { now });
const settings = {
  name: 'Acme US',
  supported_currencies: ['USD'],
  supported_networks: ['visa'],
  fees: { percent: 2.9, fixed: 30 },
  status: 'active',
  timeout_ms: 5000,
  simulator: DEFAULT_SIMULATOR,
  http: null,
} satisfies ProcessorSettings;
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

describe('processor decider: simulator settings', () => {
  const connect = (simulator: Partial<SimulatorBehaviour>) =>
    spec.given([]).when({
      type: 'ConnectProcessor',
      processorId: 'proc_stg_1',
      accountId: 'acc_stg_a',
      connector: 'simulator',
      settings: { ...settings, simulator: { ...DEFAULT_SIMULATOR, ...simulator } },
    });
  const connectedWith = (simulator: Partial<SimulatorBehaviour>): ProcessorEvent => ({
    type: 'ProcessorConnected',
    data: { ...connected.data, simulator: { ...DEFAULT_SIMULATOR, ...simulator } } as Extract<ProcessorEvent, { type: 'ProcessorConnected' }>['data'],
  });
  const patch = (simulator: Partial<SimulatorBehaviour>) => ({ type: 'UpdateProcessor' as const, processorId: 'proc_stg_1', accountId: 'acc_stg_a', changes: { simulator } });
  const updatedTo = (simulator: SimulatorBehaviour): ProcessorEvent => ({
    type: 'ProcessorUpdated',
    data: { processor_id: 'proc_stg_1', changes: { simulator }, updated_at: now.toISOString() },
  });
  /** A ProcessorConnected written before charge_on_timeout, refund_outcome and approval_rate existed. */
  const connectedBeforeTheLaterFields: ProcessorEvent = {
    type: 'ProcessorConnected',
    data: { ...connected.data, simulator: { outcome: 'timeout', decline_code: '05', latency_ms: 0, approve_optimized_retry: false } },
  };

  it('writes every simulator field, with the defaults of those a command leaves out', () => {
    const { charge_on_timeout, refund_outcome, approval_rate, ...earlier } = DEFAULT_SIMULATOR;
    expect([charge_on_timeout, refund_outcome, approval_rate]).toEqual([false, 'succeed', null]);

    spec
      .given([])
      .when({ type: 'ConnectProcessor', processorId: 'proc_stg_1', accountId: 'acc_stg_a', connector: 'simulator', settings: { ...settings, simulator: earlier } })
      .then([connected]);
  });

  it.each(['timeout', 'error'] as const)('keeps the charge of a lost answer with charge_on_timeout and outcome %s', (outcome) => {
    connect({ outcome, charge_on_timeout: true }).then([connectedWith({ outcome, charge_on_timeout: true })]);
  });

  it.each(['approve', 'decline'] as const)('refuses charge_on_timeout with outcome %s', (outcome) => {
    const error = connect({ outcome, charge_on_timeout: true }).thenThrows('invalid');

    expect(error.errors).toEqual([{ field: 'simulator.charge_on_timeout', message: expect.stringContaining('only with outcome timeout or error') }]);
  });

  it('refuses a patch that leaves charge_on_timeout on an outcome that answers', () => {
    spec.given([connectedWith({ outcome: 'timeout', charge_on_timeout: true })]).when(patch({ outcome: 'approve' })).thenThrows('invalid', /processor is invalid/);
  });

  it('takes a patch that turns charge_on_timeout off with the outcome', () => {
    spec
      .given([connectedWith({ outcome: 'timeout', charge_on_timeout: true })])
      .when(patch({ outcome: 'approve', charge_on_timeout: false }))
      .then([updatedTo(DEFAULT_SIMULATOR)]);
  });

  it('sets charge_on_timeout and refund_outcome back to their defaults with a patch of null', () => {
    const nulls = { charge_on_timeout: null, refund_outcome: null } as unknown as Partial<SimulatorBehaviour>;

    spec
      .given([connectedWith({ outcome: 'timeout', charge_on_timeout: true, refund_outcome: 'fail' })])
      .when(patch(nulls))
      .then([updatedTo({ ...DEFAULT_SIMULATOR, outcome: 'timeout' })]);
  });

  it.each([0, 0.25, 1])('takes an approval_rate of %d', (approval_rate) => {
    connect({ approval_rate }).then([connectedWith({ approval_rate })]);
  });

  it.each([-0.1, 1.01, Number.NaN, Number.POSITIVE_INFINITY])('refuses an approval_rate of %d', (approval_rate) => {
    const error = connect({ approval_rate }).thenThrows('invalid');

    expect(error.errors).toEqual([{ field: 'simulator.approval_rate', message: 'must be a number from 0 to 1, or null' }]);
  });

  it('clears the approval_rate with a patch of null', () => {
    spec
      .given([connectedWith({ approval_rate: 0.5 })])
      .when(patch({ approval_rate: null }))
      .then([updatedTo(DEFAULT_SIMULATOR)]);
  });

  it('takes a refund_outcome of fail, and refuses one it does not know', () => {
    connect({ refund_outcome: 'fail' }).then([connectedWith({ refund_outcome: 'fail' })]);
    const error = connect({ refund_outcome: 'bounce' as SimulatorBehaviour['refund_outcome'] }).thenThrows('invalid');

    expect(error.errors).toEqual([{ field: 'simulator.refund_outcome', message: 'must be succeed or fail' }]);
  });

  it('folds a processor connected before the later fields existed with their defaults', () => {
    const state = processorDecider.evolve(processorDecider.initialState(), connectedBeforeTheLaterFields);

    expect(state).toMatchObject({ status: 'connected', processor: { simulator: { ...DEFAULT_SIMULATOR, outcome: 'timeout' } } });
  });

  it('patches a processor connected before the later fields existed, recording them in full', () => {
    spec
      .given([connectedBeforeTheLaterFields])
      .when(patch({ charge_on_timeout: true }))
      .then([updatedTo({ ...DEFAULT_SIMULATOR, outcome: 'timeout', charge_on_timeout: true })]);
  });

  it('folds a simulator patch recorded before the later fields existed with their defaults', () => {
    const before: ProcessorEvent = {
      type: 'ProcessorUpdated',
      data: { processor_id: 'proc_stg_1', changes: { simulator: { outcome: 'error', decline_code: '05', latency_ms: 5, approve_optimized_retry: false } }, updated_at: now.toISOString() },
    };
    const state = [connectedWith({ approval_rate: 0.5 }), before].reduce(processorDecider.evolve, processorDecider.initialState());

    expect(state).toMatchObject({ processor: { simulator: { ...DEFAULT_SIMULATOR, outcome: 'error', latency_ms: 5 } } });
  });
});

describe('payment methods', () => {
  const processor = (id: string, over: Partial<Omit<StoredProcessorSettings, 'simulator'>>) => ({
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
