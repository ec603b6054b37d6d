/** What a merchant configures on a processor route (API.md "Processor routes"); the shape of event data and of responses. */
export const ROUTE_STRATEGIES = ['priority', 'volume_split', 'rule_based', 'cost_optimized'] as const;
export type RouteStrategy = (typeof ROUTE_STRATEGIES)[number];

export const CONDITION_FIELDS = ['card_network', 'currency', 'amount', 'bin_country', 'bin'] as const;
export type ConditionField = (typeof CONDITION_FIELDS)[number];

export const CONDITION_OPERATORS = ['equal', 'not_equal', 'in', 'not_in', 'greater_than', 'less_than', 'between'] as const;
export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];

export const FAILOVER_TRIGGERS = ['decline', 'timeout', 'error'] as const;
export type FailoverTrigger = (typeof FAILOVER_TRIGGERS)[number];

export const MAX_ROUTE_PROCESSORS = 20;
export const MAX_FAILOVER_ATTEMPTS = 20;
export const MAX_ROUTE_NAME_LENGTH = 200;

export interface RouteProcessor {
  processor_id: string;
  /** Weight in percent, only with the volume_split strategy; null otherwise. */
  split: number | null;
}

/** A scalar (network, currency, amount, country, bin), a list for in/not_in, or [min, max] for between. */
export type ConditionValue = string | number | readonly (string | number)[];

export interface RuleCondition {
  field: ConditionField;
  operator: ConditionOperator;
  value: ConditionValue;
}

export interface RoutingRule {
  conditions: RuleCondition[];
  processors: { processor_id: string }[];
}

export interface FailoverPolicy {
  on: FailoverTrigger[];
  /** When set, a decline with any other code is hard and ends the whole payment. */
  decline_codes: string[] | null;
  /** Most processor calls in one tier; null: as many as the tier has processors. */
  max_attempts: number | null;
}

export interface RouteDefinition {
  name: string;
  processors: RouteProcessor[];
  strategy: RouteStrategy;
  rules: RoutingRule[];
  failover: FailoverPolicy;
  optimized_retry: boolean;
}

/** A definition as a client sends it: only name and processors are required. */
export interface RouteDefinitionInput {
  name: string;
  processors: { processor_id: string; split?: number | null }[];
  strategy?: RouteStrategy;
  rules?: RoutingRule[];
  failover?: FailoverInput;
  optimized_retry?: boolean;
}

export interface FailoverInput {
  on?: FailoverTrigger[];
  decline_codes?: string[] | null;
  max_attempts?: number | null;
}

/** A PATCH replaces each field it names; a `failover` it names is replaced whole, with the defaults for what it leaves out. */
export type RouteDefinitionPatch = Partial<RouteDefinitionInput>;

export function applyRouteDefaults(input: RouteDefinitionInput): RouteDefinition {
  return {
    name: input.name,
    processors: input.processors.map(({ processor_id, split }) => ({ processor_id, split: split ?? null })),
    strategy: input.strategy ?? 'priority',
    rules: (input.rules ?? []).map(normalizeRule),
    failover: applyFailoverDefaults(input.failover ?? {}),
    optimized_retry: input.optimized_retry ?? false,
  };
}

/** Rules keep exactly their documented fields, in one order, so equal rules compare equal. */
function normalizeRule(rule: RoutingRule): RoutingRule {
  return {
    conditions: rule.conditions.map(({ field, operator, value }) => ({ field, operator, value })),
    processors: rule.processors.map(({ processor_id }) => ({ processor_id })),
  };
}

function applyFailoverDefaults(input: FailoverInput): FailoverPolicy {
  return {
    on: input.on ?? [...FAILOVER_TRIGGERS],
    decline_codes: input.decline_codes ?? null,
    max_attempts: input.max_attempts ?? null,
  };
}

/** The definition after a PATCH, with defaults for anything the patch leaves out of a field it replaces. */
export function patchRouteDefinition(current: RouteDefinition, patch: RouteDefinitionPatch): RouteDefinition {
  return applyRouteDefaults({
    name: patch.name ?? current.name,
    processors: patch.processors ?? current.processors,
    strategy: patch.strategy ?? current.strategy,
    rules: patch.rules ?? current.rules,
    failover: patch.failover ?? current.failover,
    optimized_retry: patch.optimized_retry ?? current.optimized_retry,
  });
}
