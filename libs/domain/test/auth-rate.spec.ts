import { CardSummary } from '@payments/domain/card';
import { PaymentCommand, PaymentEvent, paymentDecider, PaymentTier } from '@payments/domain/payment';
import { RouteDefinitionInput, applyRouteDefaults, patchRouteDefinition, validateRouteDefinition } from '@payments/domain/route';
import {
  ApprovalStats,
  MAX_AUTH_RATE_WINDOW,
  ProcessorSnapshot,
  RoutePolicy,
  approvalStatsOf,
  authRateOrder,
  explorationDraw,
  withAttempt,
} from '@payments/domain';
import { deciderSpecification } from './decider-specification';

const now = new Date('2026-11-21T10:00:00.000Z');
const A = 'proc_stg_a';
const B = 'proc_stg_b';
const C = 'proc_stg_c';
const ROUTE = 'proute_stg_smart';
const SETTINGS = { window: 200, min_samples: 5, default_rate: 1, exploration_percent: 5 };

/** Payment ids whose exploration draw falls in [from, to), found by search so no test hard-codes what the hash gives. */
function idsDrawing(from: number, to: number, count = 1): string[] {
  const ids: string[] = [];
  for (let i = 0; ids.length < count; i++) {
    const id = `pay_stg_${i.toString(36)}`;
    const draw = explorationDraw(id);
    if (draw >= from && draw < to) ids.push(id);
  }
  return ids;
}
const [EXPLOITS] = idsDrawing(50, 100);
const [EXPLORES] = idsDrawing(0, 5);

const PINNED_DRAWS = [59.6, 1.75, 46.18];

const stats = (attempts: number, approved: number): ApprovalStats => ({ attempts, approved });

describe('auth_rate order', () => {
  it('tries the processor with the best recent approval rate first, then the next best', () => {
    const { order, rates, explored } = authRateOrder([A, B, C], SETTINGS, { [A]: stats(200, 60), [B]: stats(200, 120), [C]: stats(200, 180) }, EXPLOITS);
    expect(order).toEqual([C, B, A]);
    expect(explored).toBe(false);
    expect(rates).toEqual([
      { processor_id: A, rate: 0.3, attempts: 200, approved: 60, cold_start: false },
      { processor_id: B, rate: 0.6, attempts: 200, approved: 120, cold_start: false },
      { processor_id: C, rate: 0.9, attempts: 200, approved: 180, cold_start: false },
    ]);
  });

  it('counts a processor with fewer than min_samples attempts as the default rate, so a new processor gets traffic', () => {
    const { order, rates } = authRateOrder([A, B], SETTINGS, { [A]: stats(200, 190), [B]: stats(4, 0) }, EXPLOITS);
    expect(order).toEqual([B, A]);
    expect(rates[1]).toEqual({ processor_id: B, rate: 1, attempts: 4, approved: 0, cold_start: true });
    expect(authRateOrder([A, B], { ...SETTINGS, default_rate: 0.5 }, { [A]: stats(200, 190), [B]: stats(4, 0) }, EXPLOITS).order).toEqual([A, B]);
  });

  it('keeps the listed order between equal rates, so a cold start tries the processors as listed', () => {
    expect(authRateOrder([B, A, C], SETTINGS, {}, EXPLOITS).order).toEqual([B, A, C]);
    expect(authRateOrder([A, B, C], SETTINGS, { [A]: stats(10, 5), [B]: stats(20, 18), [C]: stats(40, 36) }, EXPLOITS).order).toEqual([B, C, A]);
  });

  it('tries the listed order instead when the payment explores', () => {
    const decision = authRateOrder([A, B, C], SETTINGS, { [A]: stats(200, 60), [B]: stats(200, 120), [C]: stats(200, 180) }, EXPLORES);
    expect(decision.explored).toBe(true);
    expect(decision.order).toEqual([A, B, C]);
  });

  it('explores about exploration_percent of payments, each the same way every time', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => `pay_stg_${i.toString(36)}x`);
    const share = ids.filter((id) => authRateOrder([A], SETTINGS, {}, id).explored).length / ids.length;
    expect(share).toBeGreaterThan(0.045);
    expect(share).toBeLessThan(0.055);
    expect(ids.slice(0, 50).map(explorationDraw)).toEqual(ids.slice(0, 50).map(explorationDraw));
    expect(ids.every((id) => !authRateOrder([A], { ...SETTINGS, exploration_percent: 0 }, {}, id).explored)).toBe(true);
  });

  it('keeps the exploration draw of a payment id stable across releases, so stored payments replay the same', () => {
    // From the FNV-1a + murmur3 hash of "<payment id>:auth_rate" (volume split's paymentHash), modulo 10,000, in hundredths.
    expect([explorationDraw('pay_stg_1'), explorationDraw('pay_stg_2'), explorationDraw('pay_prod_7f3k2m9q1x')]).toEqual(PINNED_DRAWS);
  });
});

describe('approval history', () => {
  it('counts the latest window of attempts only', () => {
    let history = '';
    for (let i = 0; i < 10; i++) history = withAttempt(history, false);
    for (let i = 0; i < 5; i++) history = withAttempt(history, true);
    expect(approvalStatsOf(history, 5)).toEqual({ attempts: 5, approved: 5 });
    expect(approvalStatsOf(history, 10)).toEqual({ attempts: 10, approved: 5 });
    expect(approvalStatsOf(history, 200)).toEqual({ attempts: 15, approved: 5 });
    expect(approvalStatsOf('', 200)).toEqual({ attempts: 0, approved: 0 });
  });

  it('keeps no more attempts than the longest window reads', () => {
    let history = '';
    for (let i = 0; i < MAX_AUTH_RATE_WINDOW + 10; i++) history = withAttempt(history, i < 10);
    expect(history).toHaveLength(MAX_AUTH_RATE_WINDOW);
    expect(approvalStatsOf(history, MAX_AUTH_RATE_WINDOW)).toEqual({ attempts: MAX_AUTH_RATE_WINDOW, approved: 0 });
  });
});

describe('starting a tier of an auth_rate route', () => {
  const spec = deciderSpecification(paymentDecider, { now });
  const card: CardSummary = { last4: '4242', bin: '424242', network: 'visa', fingerprint: 'fp_1' };
  const tiers: PaymentTier[] = [{ index: 0, amount: 5000, currency: 'USD', route_id: ROUTE }];
  const processor = (id: string): ProcessorSnapshot => ({ id, status: 'active', supported_currencies: [], supported_networks: [], fees: { percent: 2.9, fixed: 30 } });
  const route: RoutePolicy = {
    route_id: ROUTE,
    revision: 2,
    strategy: 'auth_rate',
    processors: [{ processor_id: A }, { processor_id: B }, { processor_id: C }],
    rules: [],
    failover: {},
    optimized_retry: false,
    auth_rate: SETTINGS,
  };
  const started = (paymentId: string): PaymentEvent => ({
    type: 'PaymentStarted',
    data: { payment_id: paymentId, checkout_session_id: 'cs_stg_1', account_id: 'acc_stg_a', tiers, card, bin_country: null, routing: null, started_at: now.toISOString() },
  });
  const startTier = (paymentId: string, approvalStats: Record<string, ApprovalStats>): PaymentCommand => ({
    type: 'StartNextTier',
    paymentId,
    tier: 0,
    routing: { route, processors: [processor(A), processor(B), processor(C)], default_processor_id: null, approval_stats: approvalStats },
  });
  const learned = { [A]: stats(200, 61), [B]: stats(200, 119), [C]: stats(3, 3) };
  const rates = [
    { processor_id: A, rate: 0.305, attempts: 200, approved: 61, cold_start: false },
    { processor_id: B, rate: 0.595, attempts: 200, approved: 119, cold_start: false },
    { processor_id: C, rate: 1, attempts: 3, approved: 3, cold_start: true },
  ];
  const tierStarted = (paymentId: string, order: string[], explored: boolean, used = rates): PaymentEvent => ({
    type: 'TierStarted',
    data: {
      payment_id: paymentId,
      tier: 0,
      route_id: ROUTE,
      route_revision: 2,
      strategy: 'auth_rate',
      candidate_order: order,
      why: { segment: { network: 'visa', currency: 'USD' }, rates: used, explored, exploration_draw: explorationDraw(paymentId) },
      plan: order.map((processor_id) => ({ processor_id, network: 'visa', skip_reason: null })),
      failover: { on: ['decline', 'timeout', 'error'], decline_codes: null, max_attempts: null },
      optimized_retry: false,
    },
  });
  const attempted = (paymentId: string, processorId: string): PaymentEvent => ({
    type: 'ProcessorAttempted',
    data: { payment_id: paymentId, tier: 0, processor_id: processorId, network: 'visa', attempt: 1, optimized: false, idempotency_key: `${paymentId}:0:1`, amount: 5000, currency: 'USD' },
  });

  it('records the rates it ordered by, with their sample counts, and calls the best first', () => {
    spec
      .given([started(EXPLOITS)])
      .when(startTier(EXPLOITS, learned))
      .then([tierStarted(EXPLOITS, [C, B, A], false), attempted(EXPLOITS, C)]);
  });

  it('records that the payment explored, and calls the first listed processor', () => {
    spec
      .given([started(EXPLORES)])
      .when(startTier(EXPLORES, learned))
      .then([tierStarted(EXPLORES, [A, B, C], true), attempted(EXPLORES, A)]);
  });

  it('orders a processor without statistics by the default rate', () => {
    spec
      .given([started(EXPLOITS)])
      .when(startTier(EXPLOITS, { [A]: stats(200, 61), [B]: stats(200, 119) }))
      .then([tierStarted(EXPLOITS, [C, B, A], false, [rates[0], rates[1], { processor_id: C, rate: 1, attempts: 0, approved: 0, cold_start: true }]), attempted(EXPLOITS, C)]);
  });
});

describe('auth_rate route settings', () => {
  const accountProcessors = [{ id: A }, { id: B }];
  const definition = (over: Partial<RouteDefinitionInput> = {}) => applyRouteDefaults({ name: 'Smart', processors: [{ processor_id: A }, { processor_id: B }], ...over });

  it('fills in every default for an auth_rate route, and none for another strategy', () => {
    expect(definition({ strategy: 'auth_rate' }).auth_rate).toEqual(SETTINGS);
    expect(definition({ strategy: 'auth_rate', auth_rate: { window: 50 } }).auth_rate).toEqual({ ...SETTINGS, window: 50 });
    expect(definition().auth_rate).toBeNull();
    expect(validateRouteDefinition(definition({ strategy: 'auth_rate', auth_rate: { window: 1000, min_samples: 1000, default_rate: 0, exploration_percent: 100 } }), accountProcessors)).toEqual([]);
  });

  it('refuses settings out of range, each with its field', () => {
    const errors = validateRouteDefinition(definition({ strategy: 'auth_rate', auth_rate: { window: 0, min_samples: 1.5, default_rate: 1.2, exploration_percent: -1 } }), accountProcessors);
    expect(errors).toEqual([
      { field: 'auth_rate.window', message: 'must be an integer from 1 to 1000' },
      { field: 'auth_rate.min_samples', message: 'must be an integer from 1 to 1000' },
      { field: 'auth_rate.default_rate', message: 'must be a number from 0 to 1' },
      { field: 'auth_rate.exploration_percent', message: 'must be a number from 0 to 100' },
    ]);
  });

  it('refuses a min_samples no window can reach', () => {
    expect(validateRouteDefinition(definition({ strategy: 'auth_rate', auth_rate: { window: 20, min_samples: 21 } }), accountProcessors)).toEqual([
      { field: 'auth_rate.min_samples', message: 'must be at most the window (20)' },
    ]);
  });

  it('refuses auth_rate settings on another strategy rather than ignore them', () => {
    expect(validateRouteDefinition(definition({ auth_rate: { window: 50 } }), accountProcessors)).toEqual([
      { field: 'auth_rate', message: 'auth_rate settings apply only to the auth_rate strategy, not priority' },
    ]);
  });

  it('drops the settings when a PATCH moves the route to another strategy, and keeps them otherwise', () => {
    const smart = definition({ strategy: 'auth_rate', auth_rate: { window: 50 } });
    expect(patchRouteDefinition(smart, { strategy: 'priority' }).auth_rate).toBeNull();
    expect(patchRouteDefinition(smart, { name: 'Smarter' }).auth_rate).toEqual({ ...SETTINGS, window: 50 });
    expect(patchRouteDefinition(smart, { auth_rate: null }).auth_rate).toEqual(SETTINGS);
    expect(patchRouteDefinition(definition(), { strategy: 'auth_rate' }).auth_rate).toEqual(SETTINGS);
  });
});
