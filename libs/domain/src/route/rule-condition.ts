import { CARD_NETWORKS, isCardNetwork } from '../card/networks';
import { FieldError } from '../shared/errors';
import { isCurrency } from '../shared/money';
import { isCountryCode } from '../shared/country-codes';
import { ConditionField, ConditionOperator, RuleCondition } from './route-definition';

/** Ordering only means something for amounts; the other fields are names and codes. */
const AMOUNT_ONLY_OPERATORS: readonly ConditionOperator[] = ['greater_than', 'less_than', 'between'];

interface FieldValues {
  accepts(value: unknown): boolean;
  expected: string;
}

const FIELD_VALUES: Record<ConditionField, FieldValues> = {
  card_network: { accepts: isCardNetwork, expected: `a card network (${CARD_NETWORKS.join(', ')})` },
  currency: { accepts: isCurrency, expected: 'an upper-case ISO 4217 currency code' },
  amount: { accepts: (value) => Number.isSafeInteger(value) && (value as number) >= 0, expected: 'a non-negative integer amount in minor units' },
  bin_country: { accepts: isCountryCode, expected: 'an upper-case ISO 3166-1 alpha-2 country code' },
  bin: { accepts: (value) => typeof value === 'string' && /^\d{6,8}$/.test(value), expected: 'a string of 6 to 8 digits' },
};

/** Errors of one rule condition; `path` is where it sits, e.g. `rules[0].conditions[1]`. */
export function ruleConditionErrors({ field, operator, value }: RuleCondition, path: string): FieldError[] {
  if (AMOUNT_ONLY_OPERATORS.includes(operator) && field !== 'amount') {
    return [{ field: `${path}.operator`, message: `${operator} compares amounts only, not ${field}` }];
  }
  const values = FIELD_VALUES[field];
  const valueError = (message: string, at = `${path}.value`): FieldError => ({ field: at, message });
  switch (operator) {
    case 'in':
    case 'not_in':
      if (!isList(value) || value.length === 0) return [valueError(`${operator} takes a non-empty list, each ${values.expected}`)];
      return value.flatMap((item, index) => (values.accepts(item) ? [] : [valueError(`must be ${values.expected}`, `${path}.value[${index}]`)]));
    case 'between': {
      if (!isList(value) || value.length !== 2) return [valueError('between takes [min, max]')];
      const errors = value.flatMap((item, index) => (values.accepts(item) ? [] : [valueError(`must be ${values.expected}`, `${path}.value[${index}]`)]));
      if (errors.length === 0 && (value[0] as number) > (value[1] as number)) return [valueError(`min ${value[0]} is greater than max ${value[1]}`)];
      return errors;
    }
    default:
      return values.accepts(value) ? [] : [valueError(`${operator} takes ${values.expected}`)];
  }
}

function isList(value: unknown): value is readonly unknown[] {
  return Array.isArray(value);
}
