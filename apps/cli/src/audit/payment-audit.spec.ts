import {
  DEFAULT_SIMULATOR,
  DomainEvent,
  PaymentCommand,
  PaymentEvent,
  PaymentState,
  ProcessorOutcome,
  RoutePolicy,
  TierRouting,
  accountDecider,
  decidePayment,
  evolvePayment,
  initialPaymentState,
  nextPaymentStep,
  processorDecider,
  routeDecider,
} from '@payments/domain';
import { MemoryEventStore, randomEventId } from '@payments/event-store';
import { loadHistory } from '../commands/replay-payment';
import { auditPayment } from './payment-audit';

const ACCOUNT = 'acc_stg_audit';
const [A, B] = ['proc_stg_a', 'proc_stg_b'];
const ROUTE = 'proute_stg_audit';
const PAYMENT = 'pay_stg_audit';
const now = new Date('2026-01-10T12:00:00.000Z');

describe('auditPayment', () => {
  let events: MemoryEventStore;

  beforeEach(async () => {
    events = new MemoryEventStore();
    await openAccount();
    await createRoute({ decline_codes: ['05'] });
  });

  afterEach(() => events.close());

  const audit = async () => auditPayment(await loadHistory(events, PAYMENT));

  it('finds every decision of a payment the deciders recorded as the deciders decide it again', async () => {
    await recordPayment([[A, 'declined', '05'], [B, 'approved']]);

    const decisions = await audit();

    expect(decisions.map((decision) => [decision.label, decision.differences])).toEqual([
      ['start tier 0', []],
      [`after ProcessorDeclined by ${A} (tier 0, attempt 1)`, []],
      [`after ProcessorApproved by ${B} (tier 0, attempt 2)`, []],
    ]);
  });

  it('routes with the processors as they stood when the tier started, not as they are now', async () => {
    await recordPayment([[A, 'declined', '05'], [B, 'approved']]);
    await updateProcessor(A, { status: 'unavailable' });

    expect((await audit()).flatMap((decision) => decision.differences)).toEqual([]);
  });

  it('reports a recorded plan that calls a processor that was already unavailable when the tier started', async () => {
    await updateProcessor(A, { status: 'unavailable' });
    // Recorded as if A were still active (the fixture's saga routes with every processor active).
    await recordPayment([[A, 'declined', '05'], [B, 'approved']]);

    const [start] = await audit();

    expect(start.label).toBe('start tier 0');
    expect(start.differences).toContainEqual({ path: 'TierStarted.plan[0].skip_reason', expected: 'unavailable', recorded: null });
    expect(start.differences).toContainEqual({ path: '#2', expected: 'ProcessorSkipped', recorded: 'ProcessorAttempted' });
  });

  it("reports a decline recorded as soft where the tier's decline codes make it hard", async () => {
    // Recorded with code 51, which is not among the route's soft codes: the payment should have ended there.
    await recordPayment([[A, 'declined', '05'], [B, 'approved']], (event) => (event.type === 'ProcessorDeclined' ? { ...event, data: { ...event.data, code: '51' } } : event));

    const afterDecline = (await audit())[1];

    expect(afterDecline.differences).toEqual([
      { path: 'ProcessorDeclined.hard', expected: true, recorded: false },
      { path: '#2', expected: 'TierFailed', recorded: 'ProcessorAttempted' },
      { path: '#3', expected: 'PaymentFailed', recorded: 'nothing' },
    ]);
  });

  it('compares no reasons for a tier recorded before they were', async () => {
    await recordPayment([[A, 'declined', '05'], [B, 'approved']], (event) => {
      if (event.type !== 'TierStarted') return event;
      const { why: _why, ...data } = event.data;
      return { ...event, data };
    });

    expect((await audit()).flatMap((decision) => decision.differences)).toEqual([]);
  });

  describe('of an auth_rate tier', () => {
    const learned = { approval_stats: { [A]: { attempts: 100, approved: 10 }, [B]: { attempts: 100, approved: 90 } } };
    beforeEach(async () => {
      const created = await events.readStream(`route-${ROUTE}`)[Symbol.asyncIterator]().next();
      const state = routeDecider.evolve(routeDecider.initialState(), created.value as never);
      const accountProcessors = [{ id: A }, { id: B }];
      await append(`route-${ROUTE}`, routeDecider.decide({ type: 'UpdateRoute', routeId: ROUTE, accountId: ACCOUNT, changes: { strategy: 'auth_rate', auth_rate: { exploration_percent: 0 } }, accountProcessors }, state, { now }));
    });
    const smart: Partial<RoutePolicy> = { strategy: 'auth_rate', revision: 2, auth_rate: { window: 200, min_samples: 5, default_rate: 1, exploration_percent: 0 } };

    it('orders again from the rates the tier recorded, not from any read model', async () => {
      await recordPayment([[B, 'approved']], undefined, undefined, smart, learned);

      expect((await audit()).flatMap((decision) => decision.differences)).toEqual([]);
    });

    it('reports an order the recorded rates do not give', async () => {
      await recordPayment([[B, 'approved']], (event) => (event.type === 'TierStarted' ? { ...event, data: { ...event.data, candidate_order: [A, B] } } : event), undefined, smart, learned);

      const [start] = await audit();

      expect(start.differences).toContainEqual({ path: 'TierStarted.candidate_order', expected: [B, A], recorded: [A, B] });
    });
  });

  it('reports an event no step of the cascade records where it stands', async () => {
    await recordPayment([[B, 'approved']], undefined, B);
    await append(`payment-${PAYMENT}`, [{ type: 'ProcessorSkipped', data: { payment_id: PAYMENT, tier: 0, processor_id: A, network: 'visa', reason: 'unavailable' } }]);

    const decisions = await audit();

    expect(decisions.map((decision) => decision.kind)).toEqual(['start_tier', 'outcome', 'unexplained']);
  });

  async function append(stream: string, recorded: DomainEvent<string, unknown>[]): Promise<void> {
    if (recorded.length === 0) return;
    await events.appendToStream(stream, recorded.map(({ type, data }) => ({ id: randomEventId(), type, data, metadata: { schema_version: 1 } })), { expectedRevision: 'any' });
  }

  async function openAccount(): Promise<void> {
    let account = accountDecider.initialState();
    const decide = async (command: Parameters<typeof accountDecider.decide>[0]) => {
      const decided = accountDecider.decide(command, account, { now });
      account = decided.reduce(accountDecider.evolve, account);
      await append(`account-${ACCOUNT}`, decided);
    };
    await decide({ type: 'OpenAccount', accountId: ACCOUNT, name: 'Audited shop', sandbox: false });
    for (const id of [A, B]) {
      const settings = { name: id, supported_currencies: [], supported_networks: [], fees: { percent: 0, fixed: 0 }, status: 'active' as const, timeout_ms: 5000, simulator: DEFAULT_SIMULATOR, http: null };
      await append(`processor-${id}`, processorDecider.decide({ type: 'ConnectProcessor', processorId: id, accountId: ACCOUNT, connector: 'simulator', settings }, processorDecider.initialState(), { now }));
      await decide({ type: 'RegisterProcessor', accountId: ACCOUNT, processorId: id });
    }
  }

  async function createRoute(failover: { decline_codes: string[] }): Promise<void> {
    const definition = { name: 'Audited', processors: [{ processor_id: A }, { processor_id: B }], failover };
    await append(`route-${ROUTE}`, routeDecider.decide({ type: 'CreateRoute', routeId: ROUTE, accountId: ACCOUNT, definition, accountProcessors: [{ id: A }, { id: B }] }, routeDecider.initialState(), { now }));
  }

  async function updateProcessor(id: string, changes: { status: 'active' | 'unavailable' }): Promise<void> {
    const stored = await events.readStream(`processor-${id}`)[Symbol.asyncIterator]().next();
    const state = processorDecider.evolve(processorDecider.initialState(), stored.value as never);
    await append(`processor-${id}`, processorDecider.decide({ type: 'UpdateProcessor', processorId: id, accountId: ACCOUNT, changes }, state, { now }));
  }

  /**
   * The payment as the saga records it with every processor active, the processors answering
   * as given; `tamper` changes what is stored (not what the saga goes on from).
   */
  async function recordPayment(
    answers: [string, ProcessorOutcome, string?][],
    tamper: (event: PaymentEvent) => PaymentEvent = (event) => event,
    only?: string,
    policy: Partial<RoutePolicy> = {},
    read: Pick<TierRouting, 'approval_stats'> = {},
  ): Promise<void> {
    let state: PaymentState = initialPaymentState();
    const decide = async (command: PaymentCommand) => {
      const decided = decidePayment(command, state, { now });
      state = decided.reduce(evolvePayment, state);
      await append(`payment-${PAYMENT}`, decided.map(tamper));
    };
    await decide({
      type: 'StartPayment',
      paymentId: PAYMENT,
      checkoutSessionId: 'cs_stg_audit',
      accountId: ACCOUNT,
      tiers: [{ index: 0, amount: 5000, currency: 'USD', route_id: ROUTE }],
      card: { network: 'visa', bin: '424242', last4: '4242', fingerprint: 'f'.repeat(64) },
      binCountry: 'US',
      accountProcessorIds: [A, B],
      attempts: only ? [{ processor_id: only }] : undefined,
    });
    const processors = [A, B].map((id) => ({ id, status: 'active' as const, supported_currencies: [], supported_networks: [], fees: { percent: 0, fixed: 0 } }));
    const route: RoutePolicy = { route_id: ROUTE, revision: 1, strategy: 'priority', processors: [{ processor_id: A }, { processor_id: B }], rules: [], failover: { decline_codes: ['05'] }, optimized_retry: false, ...policy };
    await decide({ type: 'StartNextTier', paymentId: PAYMENT, tier: 0, routing: { route, processors, default_processor_id: A, ...read } });
    for (const [processorId, outcome, code] of answers) {
      const step = nextPaymentStep(state);
      if (step.kind !== 'call' || step.processor_id !== processorId) throw new Error(`fixture: expected a call to ${processorId}, the cascade is at ${step.kind}`);
      await decide({ type: 'RecordProcessorOutcome', paymentId: PAYMENT, idempotencyKey: step.idempotency_key, outcome, code, durationMs: 10 });
    }
  }
});
