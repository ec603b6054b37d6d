import { RoutePolicyCondition, RoutePolicyRule, RoutePolicyRuleField, RoutingFacts } from './route-policy';

/** The index of the first rule whose conditions all hold (a rule without conditions always holds); null when none does. */
export function matchingRuleIndex(rules: readonly RoutePolicyRule[], facts: RoutingFacts): number | null {
  const index = rules.findIndex((rule) => rule.conditions.every((condition) => ruleConditionHolds(condition, facts)));
  return index === -1 ? null : index;
}

/**
 * Equality operators compare the fact and value as text, so `bin` matches `424242` given as a
 * string or a number. Ordering operators (`greater_than`, `less_than`, `between` inclusive) compare
 * numbers, so they hold only for `amount` and `bin`. An unknown fact (a `bin_country` nobody could
 * tell) holds no condition, not even `not_equal`: routing must not act on what it does not know.
 * A value that does not fit its operator (`in` without a list) never holds.
 */
export function ruleConditionHolds(condition: RoutePolicyCondition, facts: RoutingFacts): boolean {
  const fact = factOf(condition.field, facts);
  if (fact === null) return false;
  const { operator, value } = condition;
  switch (operator) {
    case 'equal':
      return !isList(value) && String(fact) === String(value);
    case 'not_equal':
      return !isList(value) && String(fact) !== String(value);
    case 'in':
      return isList(value) && value.some((item) => String(item) === String(fact));
    case 'not_in':
      return isList(value) && !value.some((item) => String(item) === String(fact));
    case 'greater_than':
      return !isList(value) && numberOf(fact) > numberOf(value);
    case 'less_than':
      return !isList(value) && numberOf(fact) < numberOf(value);
    case 'between':
      return isList(value) && value.length === 2 && numberOf(value[0]) <= numberOf(fact) && numberOf(fact) <= numberOf(value[1]);
  }
}

function factOf(field: RoutePolicyRuleField, facts: RoutingFacts): string | number | null {
  return field === 'card_network' ? facts.card_network : facts[field];
}

function isList(value: RoutePolicyCondition['value']): value is ReadonlyArray<string | number> {
  return Array.isArray(value);
}

/** NaN for anything but a number or a decimal numeral, so every comparison with it fails. */
function numberOf(value: string | number): number {
  if (typeof value === 'number') return value;
  return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
}
