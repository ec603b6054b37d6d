/** What a merchant configures on a processor route (API.md "Processor routes"); the shape of event data and of responses. */
export const ROUTE_STRATEGIES = ['priority', 'volume_split', 'rule_based', 'cost_optimized', 'auth_rate'] as const;
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
/** The longest `auth_rate.window`: the approval-rates read model keeps this many attempts per processor and segment. */
export const MAX_AUTH_RATE_WINDOW = 1000;

/** How the `auth_rate` strategy learns (API.md "Processor routes"), every field filled in. */
export interface AuthRateSettings {
  /** How many of the processor's latest attempts in the payment's segment its rate counts. */
  window: number;
  /** Fewer attempts than this in the window: the processor counts as `default_rate`. */
  min_samples: number;
  /** 0..1; 1.0 by default, so a new processor gets traffic and with it samples. */
  default_rate: number;
  /** 0..100: the share of payments that try the processors as listed instead, drawn from the payment id. */
  exploration_percent: number;
}

export const AUTH_RATE_DEFAULTS: Readonly<AuthRateSettings> = { window: 200, min_samples: 5, default_rate: 1, exploration_percent: 5 };

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
  /** With the auth_rate strategy, its settings; null with any other. */
  auth_rate: AuthRateSettings | null;
}

/** A definition as a client sends it: only name and processors are required. */
export interface RouteDefinitionInput {
  name: string;
  processors: { processor_id: string; split?: number | null }[];
  strategy?: RouteStrategy;
  rules?: RoutingRule[];
  failover?: FailoverInput;
  optimized_retry?: boolean;
  /** Each setting optional; null or absent: the defaults with auth_rate, none with another strategy. */
  auth_rate?: Partial<AuthRateSettings> | null;
}

export interface FailoverInput {
  on?: FailoverTrigger[];
  decline_codes?: string[] | null;
  max_attempts?: number | null;
}

/** A PATCH replaces each field it names; a `failover` it names is replaced whole, with the defaults for what it leaves out. */
export type RouteDefinitionPatch = Partial<RouteDefinitionInput>;

export function applyRouteDefaults(input: RouteDefinitionInput): RouteDefinition {
  const strategy = input.strategy ?? 'priority';
  return {
    name: input.name,
    processors: input.processors.map(({ processor_id, split }) => ({ processor_id, split: split ?? null })),
    strategy,
    rules: (input.rules ?? []).map(normalizeRule),
    failover: applyFailoverDefaults(input.failover ?? {}),
    optimized_retry: input.optimized_retry ?? false,
    // Settings given with another strategy are kept, so that validation refuses them rather than drop them unseen.
    auth_rate: input.auth_rate != null ? applyAuthRateDefaults(input.auth_rate) : strategy === 'auth_rate' ? { ...AUTH_RATE_DEFAULTS } : null,
  };
}

function applyAuthRateDefaults(input: Partial<AuthRateSettings>): AuthRateSettings {
  return {
    window: input.window ?? AUTH_RATE_DEFAULTS.window,
    min_samples: input.min_samples ?? AUTH_RATE_DEFAULTS.min_samples,
    default_rate: input.default_rate ?? AUTH_RATE_DEFAULTS.default_rate,
    exploration_percent: input.exploration_percent ?? AUTH_RATE_DEFAULTS.exploration_percent,
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

/**
 * The definition after a PATCH, with defaults for anything the patch leaves out of a field it
 * replaces. `auth_rate` settings belong to their strategy: a PATCH that moves the route to another
 * strategy without naming `auth_rate` drops them (they were not asked for by this request), and
 * `auth_rate: null` resets them to the defaults.
 */
export function patchRouteDefinition(current: RouteDefinition, patch: RouteDefinitionPatch): RouteDefinition {
  const strategy = patch.strategy ?? current.strategy;
  const keptAuthRate = strategy === 'auth_rate' ? current.auth_rate : null;
  return applyRouteDefaults({
    name: patch.name ?? current.name,
    processors: patch.processors ?? current.processors,
    strategy,
    rules: patch.rules ?? current.rules,
    failover: patch.failover ?? current.failover,
    optimized_retry: patch.optimized_retry ?? current.optimized_retry,
    auth_rate: patch.auth_rate !== undefined ? patch.auth_rate : keptAuthRate,
  });
}
