import { fold } from '@payments/domain';
import { CardSummary } from '@payments/domain/card';
import {
  nextPaymentStep,
  PaymentCommand,
  PaymentEvent,
  paymentDecider,
  PaymentStartedData,
  PaymentTier,
  paymentView,
  PaymentView,
  evolvePaymentView,
  ProcessorOutcome,
  TierFailureReason,
} from '@payments/domain/payment';
import { PlanEntry, ProcessorSnapshot, RoutePolicy, SkipReason, TierPlan } from '@payments/domain/tier-planning';
import { deciderSpecification } from './decider-specification';
/** Events and commands of one payment, written out by hand so the specs state exactly what is stored. */
const now = new Date('2026-11-21T10:00:00.000Z');
const at = now.toISOString();
const PAY = 'pay_stg_1';
const A = 'proc_stg_a';
const B = 'proc_stg_b';
const C = 'proc_stg_c';
const MAIN = 'proute_stg_main';
const CHEAP = 'proute_stg_cheap';

const card: CardSummary = { last4: '4242', bin: '424242', network: 'visa', fingerprint: 'fp_1' };

const tiers: PaymentTier[] = [
  { index: 0, amount: 5000, currency: 'USD', route_id: MAIN },
  { index: 1, amount: 2500, currency: 'EUR', route_id: CHEAP },
  { index: 2, amount: 1000, currency: 'USD', route_id: null },
];

const processor = (id: string, over: Partial<ProcessorSnapshot> = {}): ProcessorSnapshot => ({
  id,
  status: 'active',
  supported_currencies: [],
  supported_networks: [],
  fees: { percent: 2.9, fixed: 30 },
  ...over,
});
const processors = [processor(A), processor(B), processor(C)];

const route = (over: Partial<RoutePolicy> = {}): RoutePolicy => ({
  route_id: MAIN,
  revision: 3,
  strategy: 'priority',
  processors: [{ processor_id: A }, { processor_id: B }, { processor_id: C }],
  rules: [],
  failover: {},
  optimized_retry: false,
  ...over,
});

const startPayment = (over: Partial<Extract<PaymentCommand, { type: 'StartPayment' }>> = {}): PaymentCommand => ({
  type: 'StartPayment',
  paymentId: PAY,
  checkoutSessionId: 'cs_stg_1',
  accountId: 'acc_stg_a',
  tiers,
  card,
  binCountry: null,
  accountProcessorIds: [A, B, C],
  ...over,
});

const startTier = (tier: number, policy: RoutePolicy | null = route(), snapshots = processors, defaultProcessorId: string | null = null): PaymentCommand => ({
  type: 'StartNextTier',
  paymentId: PAY,
  tier,
  routing: { route: policy, processors: snapshots, default_processor_id: defaultProcessorId },
});

const outcome = (tier: number, attempt: number, answer: ProcessorOutcome, extra: { code?: string; authCode?: string; message?: string } = {}): PaymentCommand => ({
  type: 'RecordProcessorOutcome',
  paymentId: PAY,
  idempotencyKey: `${PAY}:${tier}:${attempt}`,
  outcome: answer,
  durationMs: 120,
  ...extra,
});

const started = (over: Partial<PaymentStartedData> = {}): PaymentEvent => ({
  type: 'PaymentStarted',
  data: { payment_id: PAY, checkout_session_id: 'cs_stg_1', account_id: 'acc_stg_a', tiers, card, bin_country: null, routing: null, started_at: at, ...over },
});

const step = (processor_id: string, skip_reason: SkipReason | null = null, network: PlanEntry['network'] = 'visa'): PlanEntry => ({ processor_id, network, skip_reason });

const tierStarted = (tier: number, over: Partial<TierPlan> = {}): PaymentEvent => ({
  type: 'TierStarted',
  data: {
    payment_id: PAY,
    tier,
    route_id: MAIN,
    route_revision: 3,
    strategy: 'priority',
    candidate_order: [A, B, C],
    why: {},
    plan: [step(A), step(B), step(C)],
    failover: { on: ['decline', 'timeout', 'error'], decline_codes: null, max_attempts: null },
    optimized_retry: false,
    ...over,
  },
});

interface CallOptions {
  optimized?: boolean;
  network?: PlanEntry['network'];
}

const attempted = (tier: number, processorId: string, attempt: number, { optimized = false, network = 'visa' }: CallOptions = {}): PaymentEvent => ({
  type: 'ProcessorAttempted',
  data: {
    payment_id: PAY,
    tier,
    processor_id: processorId,
    network,
    attempt,
    optimized,
    idempotency_key: `${PAY}:${tier}:${attempt}`,
    amount: tiers[tier].amount,
    currency: tiers[tier].currency,
  },
});

const ref = (tier: number, processorId: string, attempt: number, optimized: boolean) => ({ payment_id: PAY, tier, processor_id: processorId, attempt, optimized });

const approved = (tier: number, processorId: string, attempt: number, { optimized = false, authCode = 'auth_1' as string | null } = {}): PaymentEvent => ({
  type: 'ProcessorApproved',
  data: { ...ref(tier, processorId, attempt, optimized), code: null, auth_code: authCode, duration_ms: 120 },
});

const declined = (tier: number, processorId: string, attempt: number, { code = '05' as string | null, hard = false, optimized = false } = {}): PaymentEvent => ({
  type: 'ProcessorDeclined',
  data: { ...ref(tier, processorId, attempt, optimized), code, hard, duration_ms: 120 },
});

const timedOut = (tier: number, processorId: string, attempt: number): PaymentEvent => ({
  type: 'ProcessorTimedOut',
  data: { ...ref(tier, processorId, attempt, false), duration_ms: 120 },
});

const errored = (tier: number, processorId: string, attempt: number, message: string | null = null): PaymentEvent => ({
  type: 'ProcessorErrored',
  data: { ...ref(tier, processorId, attempt, false), code: null, message, duration_ms: 120 },
});

const skipped = (tier: number, processorId: string, reason: SkipReason, network: PlanEntry['network'] = 'visa'): PaymentEvent => ({
  type: 'ProcessorSkipped',
  data: { payment_id: PAY, tier, processor_id: processorId, network, reason },
});

const tierFailed = (tier: number, reason: TierFailureReason): PaymentEvent => ({ type: 'TierFailed', data: { payment_id: PAY, tier, reason } });

const paymentFailed = (tier: number, failureReason: 'hard_decline' | 'all_tiers_failed'): PaymentEvent => ({
  type: 'PaymentFailed',
  data: { payment_id: PAY, checkout_session_id: 'cs_stg_1', failure_reason: failureReason, tier, completed_at: at },
});

const paymentSucceeded = (tier: number, processorId: string, { authCode = 'auth_1' as string | null, routeId = MAIN as string | null, revision = 3 as number | null } = {}): PaymentEvent => ({
  type: 'PaymentSucceeded',
  data: {
    payment_id: PAY,
    checkout_session_id: 'cs_stg_1',
    tier,
    processor_id: processorId,
    amount: tiers[tier].amount,
    currency: tiers[tier].currency,
    auth_code: authCode,
    route_id: routeId,
    route_revision: revision,
    completed_at: at,
  },
});

const spec = deciderSpecification(paymentDecider, { now });
const failover = (over: Partial<TierPlan['failover']>): TierPlan['failover'] => ({ on: ['decline', 'timeout', 'error'], decline_codes: null, max_attempts: null, ...over });
const singleTier = started({ tiers: [tiers[0]] });
/** Tier 0 of the default route, its first call to A recorded. */
const callingA = [started(), tierStarted(0), attempted(0, A, 1)];

/** Runs commands through the decider as the saga and the pay handler would, returning the whole stream. */
function drive(commands: PaymentCommand[]): PaymentEvent[] {
  return commands.reduce<PaymentEvent[]>((events, command) => [...events, ...paymentDecider.decide(command, fold(paymentDecider, events), { now })], []);
}

describe('payment decider', () => {
  describe('starting a payment', () => {
    it('records the tier amounts, the card summary, the bin country and the attempts', () => {
      spec
        .given([])
        .when(startPayment({ binCountry: 'US', attempts: [{ processor_id: B }, { network: 'star' }] }))
        .then([started({ bin_country: 'US', routing: { attempts: [{ processor_id: B }, { network: 'star' }] } })]);
    });

    it('records no routing when the payer gives no attempts', () => {
      spec.given([]).when(startPayment()).then([started()]);
    });

    it('refuses attempts that break the rules', () => {
      spec
        .given([])
        .when(startPayment({ attempts: [{ processor_id: A }, { processor_id: A }] }))
        .thenThrows('invalid', /routing\.attempts/);
    });

    it('refuses a payment without tiers', () => {
      spec.given([]).when(startPayment({ tiers: [] })).thenThrows('invalid');
    });

    it('refuses to start a payment twice', () => {
      spec.given([started()]).when(startPayment()).thenThrows('conflict');
    });
  });

  describe('starting a tier', () => {
    it('records the route revision, strategy and candidate order, then the first call', () => {
      spec.given([started()]).when(startTier(0)).then([tierStarted(0), attempted(0, A, 1)]);
    });

    it('records a skip when the cascade reaches it, so events follow the candidate order', () => {
      spec
        .given([started()])
        .when(startTier(0, route(), [processor(A, { status: 'unavailable' }), processor(B), processor(C)]))
        .then([tierStarted(0, { plan: [step(A, 'unavailable'), step(B), step(C)] }), skipped(0, A, 'unavailable'), attempted(0, B, 1)]);
    });

    it('skips a processor that does not support the currency', () => {
      spec
        .given([started()])
        .when(startTier(0, route(), [processor(A, { supported_currencies: ['EUR'] }), processor(B), processor(C)]))
        .then([tierStarted(0, { plan: [step(A, 'unsupported_currency'), step(B), step(C)] }), skipped(0, A, 'unsupported_currency'), attempted(0, B, 1)]);
    });

    it("skips a processor that does not support the card's network", () => {
      spec
        .given([started()])
        .when(startTier(0, route(), [processor(A, { supported_networks: ['amex'] }), processor(B), processor(C)]))
        .then([tierStarted(0, { plan: [step(A, 'unsupported_network'), step(B), step(C)] }), skipped(0, A, 'unsupported_network'), attempted(0, B, 1)]);
    });

    it('fails a tier whose processors are all skipped and waits for the next tier', () => {
      const down = processors.map((p) => ({ ...p, status: 'unavailable' as const }));
      spec
        .given([started()])
        .when(startTier(0, route(), down))
        .then([
          tierStarted(0, { plan: [step(A, 'unavailable'), step(B, 'unavailable'), step(C, 'unavailable')] }),
          skipped(0, A, 'unavailable'),
          skipped(0, B, 'unavailable'),
          skipped(0, C, 'unavailable'),
          tierFailed(0, 'exhausted'),
        ]);
    });

    it('fails the payment when its last tier has nothing to call', () => {
      spec
        .given([singleTier])
        .when(startTier(0, route({ processors: [{ processor_id: A }] }), [processor(A, { status: 'unavailable' })]))
        .then([
          tierStarted(0, { candidate_order: [A], plan: [step(A, 'unavailable')] }),
          skipped(0, A, 'unavailable'),
          tierFailed(0, 'exhausted'),
          paymentFailed(0, 'all_tiers_failed'),
        ]);
    });

    it("orders the tier by its route's strategy on the tier amount and the card", () => {
      const cost = route({ strategy: 'cost_optimized' });
      const fees = [processor(A, { fees: { percent: 3, fixed: 30 } }), processor(B, { fees: { percent: 1, fixed: 30 } }), processor(C, { fees: { percent: 2, fixed: 30 } })];
      spec
        .given([started()])
        .when(startTier(0, cost, fees))
        .then([
          tierStarted(0, {
            strategy: 'cost_optimized',
            candidate_order: [B, C, A],
            why: { costs: [{ processor_id: A, cost: 180 }, { processor_id: B, cost: 80 }, { processor_id: C, cost: 130 }] },
            plan: [step(B), step(C), step(A)],
          }),
          attempted(0, B, 1),
        ]);
    });

    it("routes on the bin country recorded when the payment started", () => {
      const ruled = route({ strategy: 'rule_based', rules: [{ conditions: [{ field: 'bin_country', operator: 'equal', value: 'US' }], processors: [{ processor_id: C }] }] });
      spec
        .given([started({ bin_country: 'US' })])
        .when(startTier(0, ruled))
        .then([tierStarted(0, { strategy: 'rule_based', candidate_order: [C], why: { matched_rule: 0, bin_country: 'US' }, plan: [step(C)] }), attempted(0, C, 1)]);
      spec
        .given([started({ bin_country: null })])
        .when(startTier(0, ruled))
        .then([tierStarted(0, { strategy: 'rule_based', why: { matched_rule: null, bin_country: null } }), attempted(0, A, 1)]);
    });

    it("draws a volume split's first processor from the payment id", () => {
      // pay_stg_1 draws 83 (pinned in routing.spec.ts): past A's 80, inside B's 80..89.
      const split = route({ strategy: 'volume_split', processors: [{ processor_id: A, split: 80 }, { processor_id: B, split: 10 }, { processor_id: C, split: 10 }] });
      spec
        .given([started()])
        .when(startTier(0, split))
        .then([tierStarted(0, { strategy: 'volume_split', candidate_order: [B, A, C], why: { draw: 83 }, plan: [step(B), step(A), step(C)] }), attempted(0, B, 1)]);
    });

    it('runs a tier without a route on the default processor first, then the others in connection order', () => {
      spec
        .given([started({ tiers: [{ ...tiers[0], route_id: null }] })])
        .when(startTier(0, null, processors, C))
        .then([tierStarted(0, { route_id: null, route_revision: null, candidate_order: [C, A, B], why: { default_processor_id: C }, plan: [step(C), step(A), step(B)] }), attempted(0, C, 1)]);
    });

    it('refuses a route other than the one the tier resolved to when the payment started', () => {
      spec.given([started()]).when(startTier(0, route({ route_id: CHEAP }))).thenThrows('invalid', /proute_stg_main/);
    });

    it('records nothing when a tier that already started is started again', () => {
      spec.given(callingA).when(startTier(0)).then([]);
    });

    it('refuses to start the next tier while the current one is running', () => {
      spec.given(callingA).when(startTier(1, route({ route_id: CHEAP }))).thenThrows('conflict');
    });

    it('refuses to act on a payment that does not exist', () => {
      spec.given([]).when(startTier(0)).thenThrows('not_found');
    });
  });

  describe('routing attempts', () => {
    const attemptsCA = started({ routing: { attempts: [{ processor_id: C }, { processor_id: A }] } });
    const planCA = tierStarted(0, { plan: [step(B, 'not_in_attempts'), step(C), step(A)] });

    it('tries only the attempted processors in their order, recording the others as not in attempts first', () => {
      spec.given([attemptsCA]).when(startTier(0)).then([planCA, skipped(0, B, 'not_in_attempts'), attempted(0, C, 1)]);
      spec.given([attemptsCA, planCA, skipped(0, B, 'not_in_attempts'), attempted(0, C, 1)]).when(outcome(0, 1, 'declined', { code: '05' })).then([declined(0, C, 1), attempted(0, A, 2)]);
    });

    it('tries nothing else once the attempts are used up', () => {
      spec
        .given([attemptsCA, planCA, skipped(0, B, 'not_in_attempts'), attempted(0, C, 1), declined(0, C, 1), attempted(0, A, 2)])
        .when(outcome(0, 2, 'declined', { code: '05' }))
        .then([declined(0, A, 2), tierFailed(0, 'exhausted')]);
    });

    it('sends a network attempt over that network to the first processor of the order that supports it', () => {
      const debit = [processor(A, { supported_networks: ['visa'] }), processor(B, { supported_networks: ['star'] }), processor(C)];
      spec
        .given([started({ routing: { attempts: [{ network: 'star' }] } })])
        .when(startTier(0, route(), debit))
        .then([
          tierStarted(0, { plan: [step(A, 'not_in_attempts'), step(C, 'not_in_attempts'), step(B, null, 'star')] }),
          skipped(0, A, 'not_in_attempts'),
          skipped(0, C, 'not_in_attempts'),
          attempted(0, B, 1, { network: 'star' }),
        ]);
    });
  });

  describe('failover', () => {
    it('moves on to the next processor after a decline', () => {
      spec.given(callingA).when(outcome(0, 1, 'declined', { code: '05' })).then([declined(0, A, 1), attempted(0, B, 2)]);
    });

    it('moves on to the next processor after a timeout', () => {
      spec.given(callingA).when(outcome(0, 1, 'timeout')).then([timedOut(0, A, 1), attempted(0, B, 2)]);
    });

    it('moves on to the next processor after an error, keeping its message', () => {
      spec.given(callingA).when(outcome(0, 1, 'error', { message: 'connection refused' })).then([errored(0, A, 1, 'connection refused'), attempted(0, B, 2)]);
    });

    it.each<[ProcessorOutcome, TierPlan['failover']['on'], (tier: number, processorId: string, attempt: number) => PaymentEvent]>([
      ['declined', ['timeout', 'error'], (t, p, a) => declined(t, p, a)],
      ['timeout', ['decline', 'error'], timedOut],
      ['error', ['decline', 'timeout'], errored],
    ])('ends the tier without trying another processor when %s is not in failover.on', (answer, on, recorded) => {
      spec
        .given([started(), tierStarted(0, { failover: failover({ on }) }), attempted(0, A, 1)])
        .when(outcome(0, 1, answer, answer === 'declined' ? { code: '05' } : {}))
        .then([recorded(0, A, 1), tierFailed(0, 'no_failover')]);
    });

    it('fails the payment when its last tier cannot fail over', () => {
      spec
        .given([singleTier, tierStarted(0, { failover: failover({ on: [] }) }), attempted(0, A, 1)])
        .when(outcome(0, 1, 'timeout'))
        .then([timedOut(0, A, 1), tierFailed(0, 'no_failover'), paymentFailed(0, 'all_tiers_failed')]);
    });
  });

  describe('decline codes', () => {
    const codes = [started(), tierStarted(0, { failover: failover({ decline_codes: ['05', '51'] }) }), attempted(0, A, 1)];

    it('fails the whole payment at once on a decline code outside decline_codes, with processors and tiers left', () => {
      spec
        .given(codes)
        .when(outcome(0, 1, 'declined', { code: '14' }))
        .then([declined(0, A, 1, { code: '14', hard: true }), tierFailed(0, 'hard_decline'), paymentFailed(0, 'hard_decline')]);
    });

    it('fails over on a decline code listed in decline_codes', () => {
      spec.given(codes).when(outcome(0, 1, 'declined', { code: '51' })).then([declined(0, A, 1, { code: '51' }), attempted(0, B, 2)]);
    });

    it('treats a decline without a code as hard when decline_codes is set', () => {
      spec.given(codes).when(outcome(0, 1, 'declined')).then([declined(0, A, 1, { code: null, hard: true }), tierFailed(0, 'hard_decline'), paymentFailed(0, 'hard_decline')]);
    });

    it('treats every decline as soft when decline_codes is not set', () => {
      spec.given(callingA).when(outcome(0, 1, 'declined', { code: '14' })).then([declined(0, A, 1, { code: '14' }), attempted(0, B, 2)]);
    });
  });

  describe('max_attempts', () => {
    it('fails the tier once it made max_attempts calls, though processors remain', () => {
      spec
        .given([started(), tierStarted(0, { failover: failover({ max_attempts: 2 }) }), attempted(0, A, 1), declined(0, A, 1), attempted(0, B, 2)])
        .when(outcome(0, 2, 'declined', { code: '05' }))
        .then([declined(0, B, 2), tierFailed(0, 'max_attempts')]);
    });

    it('does not count skipped processors as calls', () => {
      const capped = route({ failover: { max_attempts: 1 } });
      const plan = tierStarted(0, { plan: [step(A, 'unavailable'), step(B), step(C)], failover: failover({ max_attempts: 1 }) });
      spec
        .given([started()])
        .when(startTier(0, capped, [processor(A, { status: 'unavailable' }), processor(B), processor(C)]))
        .then([plan, skipped(0, A, 'unavailable'), attempted(0, B, 1)]);
      spec
        .given([started(), plan, skipped(0, A, 'unavailable'), attempted(0, B, 1)])
        .when(outcome(0, 1, 'timeout'))
        .then([timedOut(0, B, 1), tierFailed(0, 'max_attempts')]);
    });
  });

  describe('optimized retry', () => {
    const retrying = (over: Partial<TierPlan> = {}) => [started(), tierStarted(0, { optimized_retry: true, ...over }), attempted(0, A, 1)];

    it('calls the same processor once more with an optimized request after a soft decline', () => {
      spec.given(retrying()).when(outcome(0, 1, 'declined', { code: '05' })).then([declined(0, A, 1), attempted(0, A, 2, { optimized: true })]);
    });

    it('succeeds when the optimized retry is approved', () => {
      spec
        .given([...retrying(), declined(0, A, 1), attempted(0, A, 2, { optimized: true })])
        .when(outcome(0, 2, 'approved', { authCode: 'auth_1' }))
        .then([approved(0, A, 2, { optimized: true }), paymentSucceeded(0, A)]);
    });

    it('moves on without another retry when the optimized retry is declined too', () => {
      spec
        .given([...retrying(), declined(0, A, 1), attempted(0, A, 2, { optimized: true })])
        .when(outcome(0, 2, 'declined', { code: '05' }))
        .then([declined(0, A, 2, { optimized: true }), attempted(0, B, 3)]);
    });

    it('gives a processor one optimized retry per tier, even when the attempts send it the card twice', () => {
      const twice = started({ routing: { attempts: [{ processor_id: A }, { network: 'star' }] } });
      const plan = tierStarted(0, { optimized_retry: true, plan: [step(B, 'not_in_attempts'), step(C, 'not_in_attempts'), step(A), step(A, null, 'star')] });
      const skips = [skipped(0, B, 'not_in_attempts'), skipped(0, C, 'not_in_attempts')];
      spec
        .given([twice, plan, ...skips, attempted(0, A, 1), declined(0, A, 1), attempted(0, A, 2, { optimized: true })])
        .when(outcome(0, 2, 'declined', { code: '05' }))
        .then([declined(0, A, 2, { optimized: true }), attempted(0, A, 3, { network: 'star' })]);
      spec
        .given([twice, plan, ...skips, attempted(0, A, 1), declined(0, A, 1), attempted(0, A, 2, { optimized: true }), declined(0, A, 2, { optimized: true }), attempted(0, A, 3, { network: 'star' })])
        .when(outcome(0, 3, 'declined', { code: '05' }))
        .then([declined(0, A, 3), tierFailed(0, 'exhausted')]);
    });

    it('does not retry a hard decline', () => {
      spec
        .given(retrying({ failover: failover({ decline_codes: ['05'] }) }))
        .when(outcome(0, 1, 'declined', { code: '14' }))
        .then([declined(0, A, 1, { code: '14', hard: true }), tierFailed(0, 'hard_decline'), paymentFailed(0, 'hard_decline')]);
    });

    it('does not retry a timeout or an error', () => {
      spec.given(retrying()).when(outcome(0, 1, 'timeout')).then([timedOut(0, A, 1), attempted(0, B, 2)]);
      spec.given(retrying()).when(outcome(0, 1, 'error')).then([errored(0, A, 1), attempted(0, B, 2)]);
    });

    it('does not retry when the route does not ask for it', () => {
      spec.given(callingA).when(outcome(0, 1, 'declined', { code: '05' })).then([declined(0, A, 1), attempted(0, B, 2)]);
    });

    it('counts the optimized retry as a call against max_attempts', () => {
      spec
        .given([...retrying({ failover: failover({ max_attempts: 2 }) }), declined(0, A, 1), attempted(0, A, 2, { optimized: true })])
        .when(outcome(0, 2, 'declined', { code: '05' }))
        .then([declined(0, A, 2, { optimized: true }), tierFailed(0, 'max_attempts')]);
      spec
        .given(retrying({ failover: failover({ max_attempts: 1 }) }))
        .when(outcome(0, 1, 'declined', { code: '05' }))
        .then([declined(0, A, 1), tierFailed(0, 'max_attempts')]);
    });

    it('retries on the same processor even when declines do not fail over, then ends the tier', () => {
      const noDeclineFailover = retrying({ failover: failover({ on: ['timeout', 'error'] }) });
      spec.given(noDeclineFailover).when(outcome(0, 1, 'declined', { code: '05' })).then([declined(0, A, 1), attempted(0, A, 2, { optimized: true })]);
      spec
        .given([...noDeclineFailover, declined(0, A, 1), attempted(0, A, 2, { optimized: true })])
        .when(outcome(0, 2, 'declined', { code: '05' }))
        .then([declined(0, A, 2, { optimized: true }), tierFailed(0, 'no_failover')]);
    });
  });

  describe('tiers', () => {
    const onlyA = tierStarted(0, { candidate_order: [A], plan: [step(A)] });
    const tierZeroFailed = [started(), onlyA, attempted(0, A, 1), declined(0, A, 1), tierFailed(0, 'exhausted')];
    const cheap = route({ route_id: CHEAP, revision: 8, processors: [{ processor_id: B }] });
    const cheapStarted = tierStarted(1, { route_id: CHEAP, route_revision: 8, candidate_order: [B], plan: [step(B)] });

    it('fails a tier whose processors are all tried', () => {
      spec.given([started(), onlyA, attempted(0, A, 1)]).when(outcome(0, 1, 'declined', { code: '05' })).then([declined(0, A, 1), tierFailed(0, 'exhausted')]);
    });

    it('starts the next tier with its own amount and route, at the revision it has now', () => {
      spec.given(tierZeroFailed).when(startTier(1, cheap)).then([cheapStarted, attempted(1, B, 1)]);
    });

    it("succeeds with the approving tier's amount, currency and route", () => {
      spec
        .given([...tierZeroFailed, cheapStarted, attempted(1, B, 1)])
        .when(outcome(1, 1, 'approved', { authCode: 'auth_9' }))
        .then([approved(1, B, 1, { authCode: 'auth_9' }), paymentSucceeded(1, B, { authCode: 'auth_9', routeId: CHEAP, revision: 8 })]);
    });

    it('fails the payment with all_tiers_failed when its last tier fails', () => {
      const lastTier = tierStarted(2, { route_id: null, route_revision: null, candidate_order: [A], plan: [step(A)] });
      spec
        .given([...tierZeroFailed, cheapStarted, attempted(1, B, 1), declined(1, B, 1), tierFailed(1, 'exhausted'), lastTier, attempted(2, A, 1)])
        .when(outcome(2, 1, 'error'))
        .then([errored(2, A, 1), tierFailed(2, 'exhausted'), paymentFailed(2, 'all_tiers_failed')]);
    });

    it('ends the payment on the first approval', () => {
      spec.given(callingA).when(outcome(0, 1, 'approved', { authCode: 'auth_1' })).then([approved(0, A, 1), paymentSucceeded(0, A)]);
    });

    it('records an approval without an auth code as null', () => {
      spec.given(callingA).when(outcome(0, 1, 'approved')).then([approved(0, A, 1, { authCode: null }), paymentSucceeded(0, A, { authCode: null })]);
    });
  });

  describe('recording outcomes', () => {
    it('records an outcome delivered twice only once', () => {
      spec.given([...callingA, declined(0, A, 1), attempted(0, B, 2)]).when(outcome(0, 1, 'declined', { code: '05' })).then([]);
    });

    it('refuses an outcome for a call that was never made', () => {
      spec.given(callingA).when(outcome(0, 7, 'approved')).thenThrows('conflict', /pay_stg_1:0:7/);
    });

    it('refuses an outcome once the payment has ended, unless it repeats a recorded one', () => {
      const succeeded = [...callingA, approved(0, A, 1), paymentSucceeded(0, A)];
      spec.given(succeeded).when(outcome(0, 2, 'approved')).thenThrows('conflict');
      spec.given(succeeded).when(outcome(0, 1, 'approved')).then([]);
    });
  });

  it('gives ProcessorAttempted, ProcessorDeclined, ProcessorSkipped, ProcessorAttempted, ProcessorApproved, PaymentSucceeded for declined -> skipped -> approved', () => {
    const events = drive([
      startPayment(),
      startTier(0, route(), [processor(A), processor(B, { status: 'unavailable' }), processor(C)]),
      outcome(0, 1, 'declined', { code: '05' }),
      outcome(0, 2, 'approved', { authCode: 'auth_1' }),
    ]);
    expect(events.map((event) => event.type)).toEqual([
      'PaymentStarted',
      'TierStarted',
      'ProcessorAttempted',
      'ProcessorDeclined',
      'ProcessorSkipped',
      'ProcessorAttempted',
      'ProcessorApproved',
      'PaymentSucceeded',
    ]);
    expect(events.slice(2)).toEqual([attempted(0, A, 1), declined(0, A, 1), skipped(0, B, 'unavailable'), attempted(0, C, 2), approved(0, C, 2), paymentSucceeded(0, C)]);
  });
});

describe('next payment step', () => {
  const stateOf = (events: PaymentEvent[]) => fold(paymentDecider, events);

  it('starts the first tier of a new payment on the route it resolved', () => {
    expect(nextPaymentStep(stateOf([started()]))).toEqual({ kind: 'start_tier', tier: 0, route_id: MAIN });
  });

  it('re-sends a call recorded without an outcome, after a crash, with the same idempotency key', () => {
    const expected = {
      kind: 'call',
      payment_id: PAY,
      tier: 0,
      processor_id: A,
      network: 'visa',
      attempt: 1,
      optimized: false,
      idempotency_key: 'pay_stg_1:0:1',
      amount: 5000,
      currency: 'USD',
      card: { bin: '424242', last4: '4242', network: 'visa' },
    };
    expect(nextPaymentStep(stateOf(callingA))).toEqual(expected);
    spec.given(callingA).when(outcome(0, 1, 'timeout')).then([timedOut(0, A, 1), attempted(0, B, 2)]);
  });

  it('re-sends the key stored in ProcessorAttempted, never one derived again', () => {
    const stored = attempted(0, A, 1);
    const legacyKey = { ...stored, data: { ...stored.data, idempotency_key: 'pay_stg_1:legacy' } } as PaymentEvent;
    expect(nextPaymentStep(stateOf([started(), tierStarted(0), legacyKey]))).toMatchObject({ kind: 'call', idempotency_key: 'pay_stg_1:legacy' });
    spec
      .given([started(), tierStarted(0), legacyKey])
      .when({ ...outcome(0, 1, 'timeout'), idempotencyKey: 'pay_stg_1:legacy' } as PaymentCommand)
      .then([timedOut(0, A, 1), attempted(0, B, 2)]);
  });

  it('calls an optimized retry as optimized, under a key of its own', () => {
    const step = nextPaymentStep(stateOf([started(), tierStarted(0, { optimized_retry: true }), attempted(0, A, 1), declined(0, A, 1), attempted(0, A, 2, { optimized: true })]));
    expect(step).toMatchObject({ kind: 'call', processor_id: A, optimized: true, attempt: 2, idempotency_key: 'pay_stg_1:0:2' });
  });

  it("sends a network attempt's call over the attempt's network", () => {
    const events = [started({ routing: { attempts: [{ network: 'star' }] } }), tierStarted(0, { plan: [step(A, null, 'star')] }), attempted(0, A, 1, { network: 'star' })];
    expect(nextPaymentStep(stateOf(events))).toMatchObject({ kind: 'call', network: 'star', card: { bin: '424242', last4: '4242', network: 'star' } });
  });

  it('starts the next tier on its own route after a tier failed', () => {
    expect(nextPaymentStep(stateOf([...callingA, timedOut(0, A, 1), tierFailed(0, 'no_failover')]))).toEqual({ kind: 'start_tier', tier: 1, route_id: CHEAP });
  });

  it('has nothing left to do once the payment succeeded or failed', () => {
    expect(nextPaymentStep(stateOf([...callingA, approved(0, A, 1), paymentSucceeded(0, A)]))).toEqual({ kind: 'finished', status: 'succeeded' });
    expect(nextPaymentStep(stateOf([...callingA, declined(0, A, 1, { hard: true }), tierFailed(0, 'hard_decline'), paymentFailed(0, 'hard_decline')]))).toEqual({
      kind: 'finished',
      status: 'failed',
    });
  });

  it('refuses to guess on a stream that rests where no decision leaves it', () => {
    expect(() => nextPaymentStep(stateOf([started(), tierStarted(0)]))).toThrow(/cannot continue/);
  });
});

describe('payment view', () => {
  const source = { type: 'card', last4: '4242', bin: '424242', network: 'visa', fingerprint: 'fp_1' };

  it('shows a started payment as processing on its first tier, with the card as source', () => {
    expect(paymentView([started()])).toEqual({
      id: PAY,
      object: 'payment',
      checkout_session_id: 'cs_stg_1',
      status: 'processing',
      amount: 5000,
      amount_captured: 0,
      amount_refunded: 0,
      capture_method: 'automatic',
      currency: 'USD',
      tier: 0,
      processor_id: null,
      route_id: MAIN,
      route_revision: null,
      auth_code: null,
      response_code: null,
      response_summary: null,
      failure_reason: null,
      source,
      attempts: [],
      routing: [],
      created_at: at,
      completed_at: null,
    });
  });

  it("shows each tier's order and what decided it, and no reasons for a tier recorded before they were", () => {
    const olderTier = tierStarted(1, { route_id: CHEAP, route_revision: 8, candidate_order: [B], plan: [step(B)] });
    delete (olderTier.data as { why?: unknown }).why;
    const events = [...callingA, declined(0, A, 1), attempted(0, B, 2), declined(0, B, 2), attempted(0, C, 3), declined(0, C, 3), tierFailed(0, 'exhausted'), olderTier];

    expect(paymentView(events)?.routing).toEqual([
      { tier: 0, route_id: MAIN, route_revision: 3, strategy: 'priority', order: [A, B, C], why: {} },
      { tier: 1, route_id: CHEAP, route_revision: 8, strategy: 'priority', order: [B], why: null },
    ]);
  });

  it('shows a call without an answer as an attempt without outcome', () => {
    expect(paymentView(callingA)).toMatchObject({
      status: 'processing',
      processor_id: A,
      route_revision: 3,
      attempts: [{ tier: 0, processor_id: A, kind: 'attempted', outcome: null, optimized: false, code: null, reason: null, duration_ms: null }],
    });
  });

  it('shows a succeeded payment with its processor, auth code and the timeline of calls and skips', () => {
    const events = [...callingA, declined(0, A, 1), skipped(0, B, 'unavailable'), attempted(0, C, 2), approved(0, C, 2), paymentSucceeded(0, C)];
    expect(paymentView(events)).toMatchObject({
      status: 'succeeded',
      amount: 5000,
      currency: 'USD',
      tier: 0,
      processor_id: C,
      route_id: MAIN,
      route_revision: 3,
      auth_code: 'auth_1',
      response_code: null,
      response_summary: 'Approved',
      failure_reason: null,
      completed_at: at,
      attempts: [
        { tier: 0, processor_id: A, kind: 'attempted', outcome: 'declined', optimized: false, code: '05', reason: null, duration_ms: 120 },
        { tier: 0, processor_id: B, kind: 'skipped', outcome: null, optimized: false, code: null, reason: 'unavailable', duration_ms: null },
        { tier: 0, processor_id: C, kind: 'attempted', outcome: 'approved', optimized: false, code: null, reason: null, duration_ms: 120 },
      ],
    });
  });

  it('shows a failed payment with its reason and the amount, route and last response of the last tier it reached', () => {
    const events = [
      ...callingA,
      timedOut(0, A, 1),
      tierFailed(0, 'no_failover'),
      tierStarted(1, { route_id: CHEAP, route_revision: 8, candidate_order: [B], plan: [step(B)] }),
      attempted(1, B, 1),
      declined(1, B, 1, { code: '14', hard: true }),
      tierFailed(1, 'hard_decline'),
      paymentFailed(1, 'hard_decline'),
    ];
    expect(paymentView(events)).toMatchObject({
      status: 'failed',
      amount: 2500,
      currency: 'EUR',
      tier: 1,
      processor_id: B,
      route_id: CHEAP,
      route_revision: 8,
      auth_code: null,
      response_code: '14',
      response_summary: 'Hard decline with code 14',
      failure_reason: 'hard_decline',
      completed_at: at,
    });
    expect(paymentView(events)?.attempts.map((a) => [a.tier, a.processor_id, a.outcome])).toEqual([
      [0, A, 'timeout'],
      [1, B, 'declined'],
    ]);
  });

  it('marks optimized retries in the timeline', () => {
    const events = [started(), tierStarted(0, { optimized_retry: true }), attempted(0, A, 1), declined(0, A, 1), attempted(0, A, 2, { optimized: true }), approved(0, A, 2, { optimized: true })];
    expect(paymentView(events)?.attempts.map((a) => [a.outcome, a.optimized])).toEqual([
      ['declined', false],
      ['approved', true],
    ]);
  });

  it('has no view for a stream without PaymentStarted', () => {
    expect(paymentView([])).toBeNull();
  });

  it('gives the same view event by event as folded at once, the tier amounts taken from PaymentStarted', () => {
    const events = [...callingA, timedOut(0, A, 1), tierFailed(0, 'no_failover'), tierStarted(1, { route_id: CHEAP, plan: [step(B)] }), attempted(1, B, 1)];
    let view: PaymentView | null = null;
    for (const event of events) view = evolvePaymentView(view, event, tiers);

    expect(view).toEqual(paymentView(events));
    expect(view).toMatchObject({ tier: 1, amount: 2500, currency: 'EUR' });
  });

  it('ignores events before PaymentStarted when applied one at a time', () => {
    expect(evolvePaymentView(null, tierStarted(0), tiers)).toBeNull();
  });
});
