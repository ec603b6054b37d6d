import { FieldError } from '@payments/domain';
import { RouteDefinition, RouteDefinitionInput, RuleCondition, applyRouteDefaults, validateRouteDefinition } from '@payments/domain/route';

const accountProcessors = [{ id: 'proc_stg_a' }, { id: 'proc_stg_b' }, { id: 'proc_stg_c' }];

function definition(over: Partial<RouteDefinitionInput> = {}): RouteDefinition {
  return applyRouteDefaults({ name: 'US Optimized', processors: [{ processor_id: 'proc_stg_a' }, { processor_id: 'proc_stg_b' }], ...over });
}

function errorsOf(over: Partial<RouteDefinitionInput>): FieldError[] {
  return validateRouteDefinition(definition(over), accountProcessors);
}

function fieldsOf(over: Partial<RouteDefinitionInput>): string[] {
  return errorsOf(over).map((e) => e.field);
}

/** A rule_based definition whose single rule has the given condition. */
function withCondition(condition: RuleCondition): Partial<RouteDefinitionInput> {
  return { strategy: 'rule_based', rules: [{ conditions: [condition], processors: [{ processor_id: 'proc_stg_b' }] }] };
}

describe('route defaults', () => {
  it('fills in priority, no rules, failover on every failure and no optimized retry', () => {
    expect(applyRouteDefaults({ name: 'r', processors: [{ processor_id: 'proc_stg_a' }] })).toEqual({
      name: 'r',
      processors: [{ processor_id: 'proc_stg_a', split: null }],
      strategy: 'priority',
      rules: [],
      failover: { on: ['decline', 'timeout', 'error'], decline_codes: null, max_attempts: null },
      optimized_retry: false,
      auth_rate: null,
    });
  });

  it('keeps a failover that names only some of its fields, defaulting the rest', () => {
    expect(definition({ failover: { max_attempts: 3 } }).failover).toEqual({ on: ['decline', 'timeout', 'error'], decline_codes: null, max_attempts: 3 });
  });
});

describe('route definition validation', () => {
  it('accepts the example route of API.md', () => {
    expect(
      errorsOf({
        processors: [{ processor_id: 'proc_stg_a' }, { processor_id: 'proc_stg_b' }],
        strategy: 'rule_based',
        rules: [{ conditions: [{ field: 'card_network', operator: 'equal', value: 'visa' }], processors: [{ processor_id: 'proc_stg_b' }] }],
        failover: { on: ['decline', 'timeout', 'error'], decline_codes: ['05', '51'], max_attempts: 3 },
        optimized_retry: false,
      }),
    ).toEqual([]);
  });

  it('refuses an empty name', () => {
    expect(fieldsOf({ name: '  ' })).toEqual(['name']);
  });

  it('refuses a processor the account does not have, naming its position', () => {
    expect(errorsOf({ processors: [{ processor_id: 'proc_stg_a' }, { processor_id: 'proc_stg_zz' }] })).toEqual([
      { field: 'processors[1].processor_id', message: 'unknown processor proc_stg_zz' },
    ]);
  });

  it('refuses a processor listed twice', () => {
    expect(errorsOf({ processors: [{ processor_id: 'proc_stg_a' }, { processor_id: 'proc_stg_b' }, { processor_id: 'proc_stg_a' }] })).toEqual([
      { field: 'processors[2].processor_id', message: 'proc_stg_a is listed more than once' },
    ]);
  });

  it('refuses a route without processors or with more than 20', () => {
    const many = Array.from({ length: 21 }, (_, i) => ({ id: `proc_stg_${i}` }));
    expect(fieldsOf({ processors: [] })).toEqual(['processors']);
    expect(validateRouteDefinition(definition({ processors: many.map((p) => ({ processor_id: p.id })) }), many)).toEqual([
      { field: 'processors', message: 'list 1 to 20 processors, not 21' },
    ]);
    expect(validateRouteDefinition(definition({ processors: many.slice(0, 20).map((p) => ({ processor_id: p.id })) }), many)).toEqual([]);
  });

  describe('volume split', () => {
    it('accepts integer splits that add up to 100, zero included', () => {
      const processors = [
        { processor_id: 'proc_stg_a', split: 70 },
        { processor_id: 'proc_stg_b', split: 30 },
        { processor_id: 'proc_stg_c', split: 0 },
      ];
      expect(errorsOf({ strategy: 'volume_split', processors })).toEqual([]);
    });

    it('needs a split on every processor', () => {
      expect(errorsOf({ strategy: 'volume_split', processors: [{ processor_id: 'proc_stg_a', split: 100 }, { processor_id: 'proc_stg_b' }] })).toEqual([
        { field: 'processors[1].split', message: 'volume_split needs a split on every processor' },
      ]);
    });

    it('refuses splits that do not add up to 100', () => {
      expect(
        errorsOf({ strategy: 'volume_split', processors: [{ processor_id: 'proc_stg_a', split: 60 }, { processor_id: 'proc_stg_b', split: 30 }] }),
      ).toEqual([{ field: 'processors', message: 'splits must add up to 100, not 90' }]);
    });

    it('refuses fractional and negative splits', () => {
      expect(
        fieldsOf({ strategy: 'volume_split', processors: [{ processor_id: 'proc_stg_a', split: 100.5 }, { processor_id: 'proc_stg_b', split: -0.5 }] }),
      ).toEqual(['processors[0].split', 'processors[1].split']);
    });

    it('refuses a split on a route whose strategy is not volume_split', () => {
      expect(errorsOf({ processors: [{ processor_id: 'proc_stg_a' }, { processor_id: 'proc_stg_b', split: 30 }] })).toEqual([
        { field: 'processors[1].split', message: 'split applies only to the volume_split strategy, not priority' },
      ]);
    });
  });

  describe('rules', () => {
    it('needs at least one rule for the rule_based strategy', () => {
      expect(errorsOf({ strategy: 'rule_based' })).toEqual([{ field: 'rules', message: 'the rule_based strategy needs at least one rule' }]);
    });

    it('refuses rules on a route whose strategy is not rule_based', () => {
      const rules = [{ conditions: [{ field: 'currency' as const, operator: 'equal' as const, value: 'USD' }], processors: [{ processor_id: 'proc_stg_a' }] }];
      expect(fieldsOf({ strategy: 'cost_optimized', rules })).toEqual(['rules']);
    });

    it("accepts a rule that names a processor of the account outside the route's default list", () => {
      expect(
        errorsOf({
          processors: [{ processor_id: 'proc_stg_a' }],
          strategy: 'rule_based',
          rules: [{ conditions: [{ field: 'currency', operator: 'equal', value: 'USD' }], processors: [{ processor_id: 'proc_stg_c' }] }],
        }),
      ).toEqual([]);
    });

    it('refuses a rule processor the account does not have, naming its position', () => {
      expect(
        errorsOf({
          strategy: 'rule_based',
          rules: [{ conditions: [{ field: 'currency', operator: 'equal', value: 'USD' }], processors: [{ processor_id: 'proc_stg_a' }, { processor_id: 'proc_stg_zz' }] }],
        }),
      ).toEqual([{ field: 'rules[0].processors[1].processor_id', message: 'unknown processor proc_stg_zz' }]);
    });

    it('refuses a rule without conditions or without processors', () => {
      expect(fieldsOf({ strategy: 'rule_based', rules: [{ conditions: [], processors: [] }] })).toEqual(['rules[0].conditions', 'rules[0].processors']);
    });

    it('refuses a processor listed twice in one rule', () => {
      const processors = [{ processor_id: 'proc_stg_a' }, { processor_id: 'proc_stg_a' }];
      expect(fieldsOf({ strategy: 'rule_based', rules: [{ conditions: [{ field: 'amount', operator: 'less_than', value: 100 }], processors }] })).toEqual([
        'rules[0].processors[1].processor_id',
      ]);
    });

    it('accepts a valid value for every field', () => {
      const conditions: RuleCondition[] = [
        { field: 'card_network', operator: 'in', value: ['visa', 'star'] },
        { field: 'currency', operator: 'not_equal', value: 'EUR' },
        { field: 'amount', operator: 'between', value: [100, 100] },
        { field: 'amount', operator: 'greater_than', value: 0 },
        { field: 'bin_country', operator: 'not_in', value: ['US', 'GB'] },
        { field: 'bin', operator: 'equal', value: '42424242' },
      ];
      expect(errorsOf({ strategy: 'rule_based', rules: [{ conditions, processors: [{ processor_id: 'proc_stg_a' }] }] })).toEqual([]);
    });

    it.each([
      ['card_network', 'greater_than'],
      ['currency', 'less_than'],
      ['bin', 'between'],
      ['bin_country', 'greater_than'],
    ] as const)('refuses the amount-only operator on %s with %s', (field, operator) => {
      expect(errorsOf(withCondition({ field, operator, value: 'x' }))).toEqual([
        { field: 'rules[0].conditions[0].operator', message: `${operator} compares amounts only, not ${field}` },
      ]);
    });

    it.each([
      ['card_network', 'paypal'],
      ['currency', 'usd'],
      ['currency', 'XYZ'],
      ['amount', -1],
      ['amount', 10.5],
      ['amount', '100'],
      ['bin_country', 'USA'],
      ['bin_country', 'XK'],
      ['bin', '12345'],
      ['bin', '123456789'],
      ['bin', 424242],
    ] as const)('refuses %s = %p', (field, value) => {
      expect(fieldsOf(withCondition({ field, operator: 'equal', value }))).toEqual(['rules[0].conditions[0].value']);
    });

    it('refuses a list for equal and a scalar or empty list for in', () => {
      expect(fieldsOf(withCondition({ field: 'currency', operator: 'equal', value: ['USD'] }))).toEqual(['rules[0].conditions[0].value']);
      expect(fieldsOf(withCondition({ field: 'currency', operator: 'in', value: 'USD' }))).toEqual(['rules[0].conditions[0].value']);
      expect(fieldsOf(withCondition({ field: 'currency', operator: 'not_in', value: [] }))).toEqual(['rules[0].conditions[0].value']);
    });

    it('names the list entry that is wrong', () => {
      expect(errorsOf(withCondition({ field: 'card_network', operator: 'in', value: ['visa', 'vissa'] }))).toEqual([
        { field: 'rules[0].conditions[0].value[1]', message: expect.stringMatching(/^must be a card network/) },
      ]);
    });

    it('refuses a between that is not [min, max] with min <= max', () => {
      expect(errorsOf(withCondition({ field: 'amount', operator: 'between', value: [500, 100] }))).toEqual([
        { field: 'rules[0].conditions[0].value', message: 'min 500 is greater than max 100' },
      ]);
      expect(fieldsOf(withCondition({ field: 'amount', operator: 'between', value: [100] }))).toEqual(['rules[0].conditions[0].value']);
      expect(fieldsOf(withCondition({ field: 'amount', operator: 'between', value: 100 }))).toEqual(['rules[0].conditions[0].value']);
      expect(fieldsOf(withCondition({ field: 'amount', operator: 'between', value: [1, -5] }))).toEqual(['rules[0].conditions[0].value[1]']);
    });
  });

  describe('failover', () => {
    it('refuses a failure kind listed twice', () => {
      expect(fieldsOf({ failover: { on: ['decline', 'timeout', 'decline'] } })).toEqual(['failover.on[2]']);
    });

    it('accepts a failover that moves on after no kind of failure', () => {
      expect(errorsOf({ failover: { on: [] } })).toEqual([]);
    });

    it('refuses an empty decline code list and blank codes', () => {
      expect(fieldsOf({ failover: { decline_codes: [] } })).toEqual(['failover.decline_codes']);
      expect(fieldsOf({ failover: { decline_codes: ['05', ' '] } })).toEqual(['failover.decline_codes[1]']);
    });

    it('takes max_attempts from 1 to 20', () => {
      expect(errorsOf({ failover: { max_attempts: 1 } })).toEqual([]);
      expect(errorsOf({ failover: { max_attempts: 20 } })).toEqual([]);
      expect(fieldsOf({ failover: { max_attempts: 0 } })).toEqual(['failover.max_attempts']);
      expect(fieldsOf({ failover: { max_attempts: 21 } })).toEqual(['failover.max_attempts']);
      expect(fieldsOf({ failover: { max_attempts: 2.5 } })).toEqual(['failover.max_attempts']);
    });
  });

  it('reports every broken rule at once', () => {
    expect(
      fieldsOf({ name: '', processors: [{ processor_id: 'proc_stg_x', split: 10 }], strategy: 'priority', failover: { max_attempts: 0 } }),
    ).toEqual(['name', 'processors[0].processor_id', 'processors[0].split', 'failover.max_attempts']);
  });
});
