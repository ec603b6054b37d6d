import {
  candidateOrder,
  parseRoutingAttempts,
  paymentHash,
  planTier,
  ProcessorSnapshot,
  resolveFailover,
  RoutePolicy,
  RoutePolicyCondition,
  RoutingFacts,
  ruleConditionHolds,
  skipReason,
  TierRouting,
  volumeSplitDraw,
  volumeSplitOrder,
} from '@payments/domain/tier-planning';
import { errorOf } from './domain-error';

const A = 'proc_stg_a';
const B = 'proc_stg_b';
const C = 'proc_stg_c';

const processor = (id: string, over: Partial<ProcessorSnapshot> = {}): ProcessorSnapshot => ({
  id,
  status: 'active',
  supported_currencies: [],
  supported_networks: [],
  fees: { percent: 2.9, fixed: 30 },
  ...over,
});
const snapshots = (...list: ProcessorSnapshot[]) => new Map(list.map((p) => [p.id, p]));
const all = snapshots(processor(A), processor(B), processor(C));

const facts: RoutingFacts = { payment_id: 'pay_stg_1', amount: 5000, currency: 'USD', card_network: 'visa', bin: '424242', bin_country: 'US' };
const policy = (over: Partial<RoutePolicy> = {}): RoutePolicy => ({
  route_id: 'proute_stg_main',
  revision: 1,
  strategy: 'priority',
  processors: [{ processor_id: A }, { processor_id: B }, { processor_id: C }],
  rules: [],
  failover: {},
  optimized_retry: false,
  ...over,
});

/** Payment ids whose draw falls in [from, to), found by search so no test hard-codes what the hash gives. */
function idsDrawing(from: number, to: number, count = 3): string[] {
  const ids: string[] = [];
  for (let i = 0; ids.length < count; i++) {
    const id = `pay_stg_${i.toString(36)}`;
    const draw = volumeSplitDraw(id);
    if (draw >= from && draw < to) ids.push(id);
  }
  return ids;
}

describe('priority strategy', () => {
  it('tries the processors as listed', () => {
    expect(candidateOrder(policy({ processors: [{ processor_id: C }, { processor_id: A }, { processor_id: B }] }), facts, all)).toEqual([C, A, B]);
  });
});

describe('volume split strategy', () => {
  const split = policy({ strategy: 'volume_split', processors: [{ processor_id: A, split: 70 }, { processor_id: B, split: 20 }, { processor_id: C, split: 10 }] });

  it('keeps the draw of a payment id stable across releases, so stored payments replay the same', () => {
    // Values from an independent FNV-1a + murmur3-finaliser reference implementation.
    expect(paymentHash('pay_stg_1')).toBe(1868353983);
    expect([volumeSplitDraw('pay_stg_1'), volumeSplitDraw('pay_stg_2'), volumeSplitDraw('pay_prod_7f3k2m9q1x')]).toEqual([83, 63, 56]);
  });

  it('draws in 0..99', () => {
    for (let i = 0; i < 2000; i++) {
      const draw = volumeSplitDraw(`pay_stg_${i}`);
      expect(Number.isInteger(draw) && draw >= 0 && draw < 100).toBe(true);
    }
  });

  it('puts first the processor whose share holds the draw, the rest as listed', () => {
    for (const id of idsDrawing(0, 70)) expect(candidateOrder(split, { ...facts, payment_id: id }, all)).toEqual([A, B, C]);
    for (const id of idsDrawing(70, 90)) expect(candidateOrder(split, { ...facts, payment_id: id }, all)).toEqual([B, A, C]);
    for (const id of idsDrawing(90, 100)) expect(candidateOrder(split, { ...facts, payment_id: id }, all)).toEqual([C, A, B]);
  });

  it('splits on the boundary of shares: a draw of 69 goes to the first 70, a draw of 70 does not', () => {
    const [at69] = idsDrawing(69, 70, 1);
    const [at70] = idsDrawing(70, 71, 1);
    expect(volumeSplitOrder(split.processors, at69)[0]).toBe(A);
    expect(volumeSplitOrder(split.processors, at70)[0]).toBe(B);
  });

  it('draws the same order for the same payment id every time', () => {
    const id = 'pay_stg_9x8c7v';
    const first = candidateOrder(split, { ...facts, payment_id: id }, all);
    for (let i = 0; i < 5; i++) expect(candidateOrder(split, { ...facts, payment_id: id }, all)).toEqual(first);
  });

  it('sends each processor its share of many payments', () => {
    const firsts = new Map<string, number>();
    const total = 20000;
    for (let i = 0; i < total; i++) {
      const [first] = volumeSplitOrder(split.processors, `pay_stg_${i.toString(36)}`);
      firsts.set(first, (firsts.get(first) ?? 0) + 1);
    }
    expect((firsts.get(A) ?? 0) / total).toBeGreaterThan(0.68);
    expect((firsts.get(A) ?? 0) / total).toBeLessThan(0.72);
    expect((firsts.get(B) ?? 0) / total).toBeGreaterThan(0.18);
    expect((firsts.get(B) ?? 0) / total).toBeLessThan(0.22);
    expect((firsts.get(C) ?? 0) / total).toBeGreaterThan(0.08);
    expect((firsts.get(C) ?? 0) / total).toBeLessThan(0.12);
  });

  it('never draws a processor with a split of 0', () => {
    const entries = [{ processor_id: A, split: 0 }, { processor_id: B, split: 100 }];
    for (let i = 0; i < 500; i++) expect(volumeSplitOrder(entries, `pay_stg_${i}`)[0]).toBe(B);
  });
});

describe('rule based strategy', () => {
  const rules: RoutePolicy['rules'] = [
    { conditions: [{ field: 'card_network', operator: 'equal', value: 'amex' }], processors: [{ processor_id: C }] },
    {
      conditions: [
        { field: 'currency', operator: 'equal', value: 'USD' },
        { field: 'amount', operator: 'greater_than', value: 10000 },
      ],
      processors: [{ processor_id: B }, { processor_id: A }],
    },
    { conditions: [{ field: 'currency', operator: 'equal', value: 'USD' }], processors: [{ processor_id: A }] },
  ];
  const ruled = policy({ strategy: 'rule_based', rules });

  it('takes the list of the first rule whose conditions all hold', () => {
    expect(candidateOrder(ruled, { ...facts, amount: 20000 }, all)).toEqual([B, A]);
    expect(candidateOrder(ruled, { ...facts, amount: 20000, card_network: 'amex' }, all)).toEqual([C]);
  });

  it('passes over a rule when one of its conditions does not hold', () => {
    expect(candidateOrder(ruled, { ...facts, amount: 5000 }, all)).toEqual([A]);
  });

  it("falls back to the route's processors when no rule holds", () => {
    expect(candidateOrder(ruled, { ...facts, currency: 'EUR' }, all)).toEqual([A, B, C]);
  });

  it('treats a rule without conditions as always holding', () => {
    expect(candidateOrder(policy({ strategy: 'rule_based', rules: [{ conditions: [], processors: [{ processor_id: B }] }] }), facts, all)).toEqual([B]);
  });

  const holds = (condition: RoutePolicyCondition, over: Partial<RoutingFacts> = {}) => ruleConditionHolds(condition, { ...facts, ...over });

  it.each<[string, RoutePolicyCondition, boolean]>([
    ['equal on the network', { field: 'card_network', operator: 'equal', value: 'visa' }, true],
    ['equal on another network', { field: 'card_network', operator: 'equal', value: 'amex' }, false],
    ['not_equal on another currency', { field: 'currency', operator: 'not_equal', value: 'EUR' }, true],
    ['not_equal on the currency', { field: 'currency', operator: 'not_equal', value: 'USD' }, false],
    ['in a list holding the network', { field: 'card_network', operator: 'in', value: ['amex', 'visa'] }, true],
    ['in a list without it', { field: 'card_network', operator: 'in', value: ['amex', 'jcb'] }, false],
    ['not_in a list without the country', { field: 'bin_country', operator: 'not_in', value: ['GB', 'FR'] }, true],
    ['not_in a list holding the country', { field: 'bin_country', operator: 'not_in', value: ['US'] }, false],
    ['greater_than a smaller amount', { field: 'amount', operator: 'greater_than', value: 4999 }, true],
    ['greater_than the amount itself', { field: 'amount', operator: 'greater_than', value: 5000 }, false],
    ['less_than a larger amount', { field: 'amount', operator: 'less_than', value: 5001 }, true],
    ['less_than the amount itself', { field: 'amount', operator: 'less_than', value: 5000 }, false],
    ['between bounds equal to the amount (inclusive)', { field: 'amount', operator: 'between', value: [5000, 5000] }, true],
    ['between bounds below the amount', { field: 'amount', operator: 'between', value: [100, 4999] }, false],
    ['equal on the bin given as a number', { field: 'bin', operator: 'equal', value: 424242 }, true],
    ['between on a bin range', { field: 'bin', operator: 'between', value: ['400000', '499999'] }, true],
    ['between on another bin range', { field: 'bin', operator: 'between', value: ['510000', '559999'] }, false],
    ['equal on the bin country', { field: 'bin_country', operator: 'equal', value: 'US' }, true],
    ['greater_than on a network, which has no order', { field: 'card_network', operator: 'greater_than', value: 'amex' }, false],
    ['in with a single value instead of a list', { field: 'currency', operator: 'in', value: 'USD' }, false],
    ['not_in with a single value instead of a list', { field: 'currency', operator: 'not_in', value: 'EUR' }, false],
    ['equal with a list instead of a value', { field: 'currency', operator: 'equal', value: ['USD'] }, false],
    ['between with one bound', { field: 'amount', operator: 'between', value: [1] }, false],
  ])('%s: holds is %p', (_, condition, expected) => {
    expect(holds(condition)).toBe(expected);
  });

  it.each<RoutePolicyCondition>([
    { field: 'bin_country', operator: 'equal', value: 'US' },
    { field: 'bin_country', operator: 'not_equal', value: 'US' },
    { field: 'bin_country', operator: 'in', value: ['US'] },
    { field: 'bin_country', operator: 'not_in', value: ['US'] },
  ])('holds no condition on an unknown bin country: %p', (condition) => {
    expect(holds(condition, { bin_country: null })).toBe(false);
  });
});

describe('cost optimized strategy', () => {
  const fees = snapshots(
    processor(A, { fees: { percent: 2.9, fixed: 30 } }),
    processor(B, { fees: { percent: 1, fixed: 50 } }),
    processor(C, { fees: { percent: 2.9, fixed: 30 } }),
  );
  const cheapest = policy({ strategy: 'cost_optimized', processors: [{ processor_id: C }, { processor_id: B }, { processor_id: A }] });

  it("orders by the tier amount's fee, cheapest first", () => {
    // 10000: A and C cost 320, B 150.  1000: A and C cost 59, B 60.
    expect(candidateOrder(cheapest, { ...facts, amount: 10000 }, fees)).toEqual([B, C, A]);
    expect(candidateOrder(cheapest, { ...facts, amount: 1000 }, fees)).toEqual([C, A, B]);
  });

  it('keeps processors of equal cost in their listed order', () => {
    expect(candidateOrder(policy({ strategy: 'cost_optimized', processors: [{ processor_id: C }, { processor_id: A }] }), facts, fees)).toEqual([C, A]);
  });

  it('puts a processor without known fees last', () => {
    expect(candidateOrder(policy({ strategy: 'cost_optimized', processors: [{ processor_id: 'proc_stg_gone' }, { processor_id: A }] }), facts, fees)).toEqual([
      A,
      'proc_stg_gone',
    ]);
  });
});

describe('skip reasons', () => {
  it('skips a processor that is unavailable', () => {
    expect(skipReason(processor(A, { status: 'unavailable' }), 'USD', 'visa')).toBe('unavailable');
  });

  it('skips a processor the account does not have as unavailable', () => {
    expect(skipReason(undefined, 'USD', 'visa')).toBe('unavailable');
  });

  it('skips a processor that does not support the currency', () => {
    expect(skipReason(processor(A, { supported_currencies: ['EUR'] }), 'USD', 'visa')).toBe('unsupported_currency');
  });

  it("skips a processor that does not support the card's network", () => {
    expect(skipReason(processor(A, { supported_networks: ['mastercard'] }), 'USD', 'visa')).toBe('unsupported_network');
  });

  it('calls a processor that takes the currency and network, empty lists meaning all', () => {
    expect(skipReason(processor(A, { supported_currencies: ['USD'], supported_networks: ['visa'] }), 'USD', 'visa')).toBeNull();
    expect(skipReason(processor(A), 'JPY', 'star')).toBeNull();
  });
});

describe('routing attempts', () => {
  const accountProcessors = [A, B, C];

  it('takes processor and network attempts in order', () => {
    expect(parseRoutingAttempts([{ processor_id: B }, { network: 'star' }], accountProcessors)).toEqual([{ processor_id: B }, { network: 'star' }]);
  });

  it.each([
    ['none', [], 'routing.attempts'],
    ['eleven', Array.from({ length: 11 }, (_, i) => ({ network: ['visa', 'star'][i % 2] })), 'routing.attempts'],
  ])('refuses %s attempts', (_, attempts, field) => {
    expect(errorOf(() => parseRoutingAttempts(attempts, accountProcessors)).errors.map((e) => e.field)).toContain(field);
  });

  it('refuses two attempts alike', () => {
    const error = errorOf(() => parseRoutingAttempts([{ processor_id: A }, { network: 'visa' }, { processor_id: A }], accountProcessors));
    expect(error.kind).toBe('invalid');
    expect(error.errors).toEqual([{ field: 'routing.attempts[2]', message: 'repeats an earlier attempt' }]);
  });

  it('refuses an attempt naming both or neither of a processor and a network', () => {
    const error = errorOf(() => parseRoutingAttempts([{ processor_id: A, network: 'visa' }, {}], accountProcessors));
    expect(error.errors.map((e) => e.field)).toEqual(['routing.attempts[0]', 'routing.attempts[1]']);
  });

  it('refuses a processor of another account and a network it does not know', () => {
    const error = errorOf(() => parseRoutingAttempts([{ processor_id: 'proc_stg_other' }, { network: 'bancomat' }], accountProcessors));
    expect(error.errors).toEqual([
      { field: 'routing.attempts[0].processor_id', message: 'unknown processor proc_stg_other' },
      { field: 'routing.attempts[1].network', message: 'unknown card network bancomat' },
    ]);
  });
});

describe('tier plan', () => {
  const routing = (over: Partial<TierRouting> = {}): TierRouting => ({ route: policy(), processors: [...all.values()], default_processor_id: null, ...over });
  const step = (processor_id: string, skip_reason: string | null = null, network = 'visa') => ({ processor_id, network, skip_reason });

  it("records the route, its revision, strategy and the strategy's order", () => {
    const plan = planTier(routing({ route: policy({ revision: 7, strategy: 'priority' }) }), facts, null);
    expect(plan).toMatchObject({ route_id: 'proute_stg_main', route_revision: 7, strategy: 'priority', candidate_order: [A, B, C], plan: [step(A), step(B), step(C)] });
  });

  it('marks each step that cannot be called with its reason, in the order of the strategy', () => {
    const processors = [processor(A, { status: 'unavailable' }), processor(B, { supported_currencies: ['EUR'] }), processor(C, { supported_networks: ['amex'] })];
    expect(planTier(routing({ processors }), facts, null).plan).toEqual([step(A, 'unavailable'), step(B, 'unsupported_currency'), step(C, 'unsupported_network')]);
  });

  it('fills in the failover defaults: every failure kind moves on, no hard codes, no cap', () => {
    expect(planTier(routing(), facts, null)).toMatchObject({ failover: { on: ['decline', 'timeout', 'error'], decline_codes: null, max_attempts: null }, optimized_retry: false });
  });

  it("keeps the route's failover and optimized retry", () => {
    const route = policy({ failover: { on: ['decline'], decline_codes: ['05'], max_attempts: 2 }, optimized_retry: true });
    expect(planTier(routing({ route }), facts, null)).toMatchObject({ failover: { on: ['decline'], decline_codes: ['05'], max_attempts: 2 }, optimized_retry: true });
  });

  describe('without a route', () => {
    it('tries the default processor first, then the others in connection order, with priority and failover defaults', () => {
      const plan = planTier(routing({ route: null, default_processor_id: B }), facts, null);
      expect(plan).toEqual({
        route_id: null,
        route_revision: null,
        strategy: 'priority',
        candidate_order: [B, A, C],
        why: { default_processor_id: B },
        plan: [step(B), step(A), step(C)],
        failover: { on: ['decline', 'timeout', 'error'], decline_codes: null, max_attempts: null },
        optimized_retry: false,
      });
    });

    it('keeps connection order when the account has no default processor', () => {
      expect(planTier(routing({ route: null }), facts, null).candidate_order).toEqual([A, B, C]);
    });
  });

  describe('with routing attempts', () => {
    it('tries only the attempted processors, in the order of the attempts, and skips the others first', () => {
      const plan = planTier(routing(), facts, [{ processor_id: C }, { processor_id: A }]);
      expect(plan.candidate_order).toEqual([A, B, C]);
      expect(plan.plan).toEqual([step(B, 'not_in_attempts'), step(C), step(A)]);
    });

    it('still skips an attempted processor that cannot take the payment', () => {
      const processors = [processor(A), processor(B, { status: 'unavailable' }), processor(C)];
      expect(planTier(routing({ processors }), facts, [{ processor_id: B }]).plan).toEqual([step(A, 'not_in_attempts'), step(C, 'not_in_attempts'), step(B, 'unavailable')]);
    });

    it("sends a network attempt to the first processor of the tier's order that supports the network, over that network", () => {
      const processors = [processor(A, { supported_networks: ['visa'] }), processor(B, { supported_networks: ['visa', 'star'] }), processor(C, { supported_networks: ['star'] })];
      const plan = planTier(routing({ processors, route: policy({ processors: [{ processor_id: C }, { processor_id: A }, { processor_id: B }] }) }), facts, [{ network: 'star' }]);
      expect(plan.plan).toEqual([step(A, 'not_in_attempts'), step(B, 'not_in_attempts'), step(C, null, 'star')]);
    });

    it('can send a processor attempt and a network attempt to the same processor, each over its own network', () => {
      const plan = planTier(routing(), facts, [{ processor_id: A }, { network: 'star' }]);
      expect(plan.plan).toEqual([step(B, 'not_in_attempts'), step(C, 'not_in_attempts'), step(A), step(A, null, 'star')]);
    });

    it('passes over an attempt that the tier cannot place: a processor outside its route, a network none of its processors supports', () => {
      const processors = [processor(A, { supported_networks: ['visa'] }), processor(B, { supported_networks: ['visa'] }), processor(C)];
      const route = policy({ processors: [{ processor_id: A }, { processor_id: B }] });
      const plan = planTier(routing({ processors, route }), facts, [{ processor_id: C }, { network: 'jcb' }, { processor_id: B }]);
      expect(plan.plan).toEqual([step(A, 'not_in_attempts'), step(B)]);
    });

    it('checks a network attempt against the currency like any other step', () => {
      const processors = [processor(A, { supported_networks: ['star'], supported_currencies: ['EUR'] }), processor(B), processor(C)];
      expect(planTier(routing({ processors }), facts, [{ network: 'star' }]).plan).toEqual([
        step(B, 'not_in_attempts'),
        step(C, 'not_in_attempts'),
        step(A, 'unsupported_currency', 'star'),
      ]);
    });
  });
});

describe('failover defaults', () => {
  it('moves on for every failure kind when `on` is absent, and for none when it is empty', () => {
    expect(resolveFailover({}).on).toEqual(['decline', 'timeout', 'error']);
    expect(resolveFailover({ on: [] }).on).toEqual([]);
  });

  it('treats an empty decline_codes list as not set, so no decline is hard', () => {
    expect(resolveFailover({ decline_codes: [] }).decline_codes).toBeNull();
    expect(resolveFailover({ decline_codes: null }).decline_codes).toBeNull();
  });
});

/**
 * The routing document's rule-based example, "Visa to stripe, Mastercard to adyen, default
 * [stripe]", with our field names: adyen is named by a rule only, not in the default list.
 */
describe("the routing document's example: visa to stripe, mastercard to adyen, default [stripe]", () => {
  const STRIPE = 'proc_stg_stripe';
  const ADYEN = 'proc_stg_adyen';
  const documentRoute = policy({
    strategy: 'rule_based',
    processors: [{ processor_id: STRIPE }],
    rules: [
      { conditions: [{ field: 'card_network', operator: 'equal', value: 'visa' }], processors: [{ processor_id: STRIPE }] },
      { conditions: [{ field: 'card_network', operator: 'equal', value: 'mastercard' }], processors: [{ processor_id: ADYEN }] },
    ],
  });
  const given = (processors: ProcessorSnapshot[]): TierRouting => ({ route: documentRoute, processors, default_processor_id: STRIPE });
  const connected = [processor(STRIPE), processor(ADYEN)];
  const step = (processor_id: string, skip_reason: string | null = null, network = 'visa') => ({ processor_id, network, skip_reason });

  it('given the route, when a visa card pays, then only stripe is tried', () => {
    const plan = planTier(given(connected), facts, null);
    expect([plan.candidate_order, plan.plan]).toEqual([[STRIPE], [step(STRIPE)]]);
  });

  it('given the route, when a mastercard pays, then adyen is tried although the default list does not hold it', () => {
    const plan = planTier(given(connected), { ...facts, card_network: 'mastercard' }, null);
    expect([plan.candidate_order, plan.plan]).toEqual([[ADYEN], [step(ADYEN, null, 'mastercard')]]);
  });

  it('given the route, when a card no rule names pays, then the default list is tried', () => {
    const plan = planTier(given(connected), { ...facts, card_network: 'amex' }, null);
    expect([plan.candidate_order, plan.plan]).toEqual([[STRIPE], [step(STRIPE, null, 'amex')]]);
  });

  it("given adyen unavailable, when a mastercard pays, then adyen is skipped as unavailable and the tier does not fall back to the default list", () => {
    const plan = planTier(given([processor(STRIPE), processor(ADYEN, { status: 'unavailable' })]), { ...facts, card_network: 'mastercard' }, null);
    expect(plan.plan).toEqual([step(ADYEN, 'unavailable', 'mastercard')]);
  });

  it('given adyen no longer among the account\'s processors, when a mastercard pays, then adyen is skipped as unavailable', () => {
    expect(planTier(given([processor(STRIPE)]), { ...facts, card_network: 'mastercard' }, null).plan).toEqual([step(ADYEN, 'unavailable', 'mastercard')]);
  });

  it('given adyen without the currency, when a mastercard pays in it, then adyen is skipped for the currency', () => {
    const plan = planTier(given([processor(STRIPE), processor(ADYEN, { supported_currencies: ['EUR'] })]), { ...facts, card_network: 'mastercard' }, null);
    expect(plan.plan).toEqual([step(ADYEN, 'unsupported_currency', 'mastercard')]);
  });

  it("given routing attempts, when a mastercard pays, then an attempt can only choose among the matched rule's processors", () => {
    const plan = planTier(given(connected), { ...facts, card_network: 'mastercard' }, [{ processor_id: STRIPE }, { processor_id: ADYEN }]);
    expect(plan.plan).toEqual([step(ADYEN, null, 'mastercard')]);
  });
});
