import { FieldError } from '../shared/errors';
import { isIntegerBetween, nameErrors } from '../shared/validation';
import { Processor } from '../processor/processor';
import { ruleConditionErrors } from './rule-condition';
import { FailoverPolicy, MAX_AUTH_RATE_WINDOW, MAX_FAILOVER_ATTEMPTS, MAX_ROUTE_NAME_LENGTH, MAX_ROUTE_PROCESSORS, RouteDefinition, RoutingRule } from './route-definition';

/**
 * Every rule a route definition breaks, with the field path of each (`processors[1].processor_id`).
 * `accountProcessors` are the account's connected processors: active and unavailable ones alike may
 * be listed, in `processors` and in rules, since an unavailable processor is only skipped when a
 * payment runs.
 */
export function validateRouteDefinition(definition: RouteDefinition, accountProcessors: readonly Pick<Processor, 'id'>[]): FieldError[] {
  const known = new Set(accountProcessors.map((p) => p.id));
  return [
    ...nameErrors('name', definition.name, MAX_ROUTE_NAME_LENGTH),
    ...processorErrors(definition, known),
    ...splitErrors(definition),
    ...ruleErrors(definition, known),
    ...failoverErrors(definition.failover),
    ...authRateErrors(definition),
  ];
}

function processorErrors({ processors }: RouteDefinition, known: ReadonlySet<string>): FieldError[] {
  if (processors.length === 0 || processors.length > MAX_ROUTE_PROCESSORS) {
    return [{ field: 'processors', message: `list 1 to ${MAX_ROUTE_PROCESSORS} processors, not ${processors.length}` }];
  }
  return processorIdErrors(processors, 'processors', known, (id) => `unknown processor ${id}`);
}

/** Splits belong to volume_split alone: elsewhere they would be ignored, and a silently ignored weight misleads. */
function splitErrors({ strategy, processors }: RouteDefinition): FieldError[] {
  if (strategy !== 'volume_split') {
    return processors.flatMap(({ split }, index) =>
      split === null ? [] : [{ field: `processors[${index}].split`, message: `split applies only to the volume_split strategy, not ${strategy}` }],
    );
  }
  const errors = processors.flatMap(({ split }, index) => {
    if (split === null) return [{ field: `processors[${index}].split`, message: 'volume_split needs a split on every processor' }];
    if (!isIntegerBetween(split, 0, 100)) return [{ field: `processors[${index}].split`, message: 'must be an integer from 0 to 100' }];
    return [];
  });
  if (errors.length > 0) return errors;
  const total = processors.reduce((sum, { split }) => sum + (split ?? 0), 0);
  return total === 100 ? [] : [{ field: 'processors', message: `splits must add up to 100, not ${total}` }];
}

/** Rules, like splits, belong to their strategy alone. */
function ruleErrors({ strategy, rules }: RouteDefinition, known: ReadonlySet<string>): FieldError[] {
  if (strategy !== 'rule_based') {
    return rules.length === 0 ? [] : [{ field: 'rules', message: `rules apply only to the rule_based strategy, not ${strategy}` }];
  }
  if (rules.length === 0) return [{ field: 'rules', message: 'the rule_based strategy needs at least one rule' }];
  return rules.flatMap((rule, index) => oneRuleErrors(rule, `rules[${index}]`, known));
}

/**
 * A rule may name any processor of the account, listed in the route's `processors` or not, as the
 * routing documents write rules ("visa to A, mastercard to B, default [A]"): `processors` is the
 * default list, used when no rule holds, not the whole set the route may call.
 */
function oneRuleErrors(rule: RoutingRule, path: string, known: ReadonlySet<string>): FieldError[] {
  const conditions =
    rule.conditions.length === 0
      ? [{ field: `${path}.conditions`, message: 'a rule needs at least one condition' }]
      : rule.conditions.flatMap((condition, index) => ruleConditionErrors(condition, `${path}.conditions[${index}]`));
  if (rule.processors.length === 0) return [...conditions, { field: `${path}.processors`, message: 'a rule needs at least one processor' }];
  const processors = processorIdErrors(rule.processors, `${path}.processors`, known, (id) => `unknown processor ${id}`);
  return [...conditions, ...processors];
}

/** Each listed processor must be one of `allowed`, and listed once. */
function processorIdErrors(
  entries: readonly { processor_id: string }[],
  path: string,
  allowed: ReadonlySet<string>,
  notAllowed: (id: string) => string,
): FieldError[] {
  const ids = entries.map((p) => p.processor_id);
  const repeated = repeatedIndexes(ids);
  return ids.flatMap((id, index) => {
    const field = `${path}[${index}].processor_id`;
    if (!allowed.has(id)) return [{ field, message: notAllowed(id) }];
    if (repeated.has(index)) return [{ field, message: `${id} is listed more than once` }];
    return [];
  });
}

function failoverErrors({ on, decline_codes, max_attempts }: FailoverPolicy): FieldError[] {
  const repeated = repeatedIndexes(on);
  const errors: FieldError[] = on.flatMap((trigger, index) =>
    repeated.has(index) ? [{ field: `failover.on[${index}]`, message: `${trigger} is listed more than once` }] : [],
  );
  if (decline_codes !== null) {
    // An empty list would make every decline hard; leaving the list out says what is meant.
    if (decline_codes.length === 0) errors.push({ field: 'failover.decline_codes', message: 'list at least one code, or leave decline_codes out' });
    decline_codes.forEach((code, index) => {
      if (typeof code !== 'string' || code.trim() === '') errors.push({ field: `failover.decline_codes[${index}]`, message: 'must be a non-empty code' });
    });
  }
  if (max_attempts !== null && !isIntegerBetween(max_attempts, 1, MAX_FAILOVER_ATTEMPTS)) {
    errors.push({ field: 'failover.max_attempts', message: `must be an integer from 1 to ${MAX_FAILOVER_ATTEMPTS}` });
  }
  return errors;
}

/** The auth_rate settings, like splits and rules, belong to their strategy alone. */
function authRateErrors({ strategy, auth_rate }: RouteDefinition): FieldError[] {
  if (auth_rate === null) return [];
  if (strategy !== 'auth_rate') return [{ field: 'auth_rate', message: `auth_rate settings apply only to the auth_rate strategy, not ${strategy}` }];
  const { window, min_samples, default_rate, exploration_percent } = auth_rate;
  const errors: FieldError[] = [];
  if (!isIntegerBetween(window, 1, MAX_AUTH_RATE_WINDOW)) errors.push({ field: 'auth_rate.window', message: `must be an integer from 1 to ${MAX_AUTH_RATE_WINDOW}` });
  if (!isIntegerBetween(min_samples, 1, MAX_AUTH_RATE_WINDOW)) {
    errors.push({ field: 'auth_rate.min_samples', message: `must be an integer from 1 to ${MAX_AUTH_RATE_WINDOW}` });
  } else if (errors.length === 0 && min_samples > window) {
    // No window would ever hold enough attempts: every processor would count as default_rate for good.
    errors.push({ field: 'auth_rate.min_samples', message: `must be at most the window (${window})` });
  }
  if (!isNumberBetween(default_rate, 0, 1)) errors.push({ field: 'auth_rate.default_rate', message: 'must be a number from 0 to 1' });
  if (!isNumberBetween(exploration_percent, 0, 100)) errors.push({ field: 'auth_rate.exploration_percent', message: 'must be a number from 0 to 100' });
  return errors;
}

function isNumberBetween(value: number, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
}

/** Indexes of values that already appeared earlier in the list. */
function repeatedIndexes(values: readonly string[]): ReadonlySet<number> {
  const seen = new Set<string>();
  const repeated = new Set<number>();
  values.forEach((value, index) => {
    if (seen.has(value)) repeated.add(index);
    seen.add(value);
  });
  return repeated;
}
