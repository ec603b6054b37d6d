import { CardNetwork } from '../card/networks';
import { AuthRateSettings, ConditionField, ConditionOperator, ConditionValue, FAILOVER_TRIGGERS, FailoverTrigger, RouteDefinition, RouteStrategy } from '../route/route-definition';

/**
 * What one tier's routing needs of a processor route, with the field names of API.md
 * ("Processor routes"), so the service maps a stored route onto it field by field.
 * Defaults are applied here rather than trusted to the caller: see `resolveFailover`.
 */
export type RoutePolicyStrategy = RouteStrategy;

export interface RoutePolicyProcessor {
  processor_id: string;
  /** Weight in percent; only `volume_split` reads it. */
  split?: number | null;
}

export type RoutePolicyRuleField = ConditionField;
export type RoutePolicyRuleOperator = ConditionOperator;
export type RoutePolicyRuleValue = ConditionValue;

export interface RoutePolicyCondition {
  field: RoutePolicyRuleField;
  operator: RoutePolicyRuleOperator;
  value: RoutePolicyRuleValue;
}

export interface RoutePolicyRule {
  conditions: readonly RoutePolicyCondition[];
  processors: ReadonlyArray<{ processor_id: string }>;
}

/** The failures a tier may fail over on. */
export type ProcessorFailureKind = FailoverTrigger;

export interface RoutePolicyFailover {
  on?: readonly ProcessorFailureKind[];
  decline_codes?: readonly string[] | null;
  max_attempts?: number | null;
}

export interface RoutePolicy {
  route_id: string;
  revision: number;
  strategy: RoutePolicyStrategy;
  processors: readonly RoutePolicyProcessor[];
  rules: readonly RoutePolicyRule[];
  failover: RoutePolicyFailover;
  optimized_retry: boolean;
  /** The auth_rate strategy's settings; absent or null: its defaults (only auth_rate reads them). */
  auth_rate?: AuthRateSettings | null;
}

/** What a tier routes with of a route at one revision: the saga's (the route now) and the audit's (the revision a payment recorded). */
export function routePolicyOf(
  route: Pick<RouteDefinition, 'strategy' | 'processors' | 'rules' | 'failover' | 'optimized_retry'> & Partial<Pick<RouteDefinition, 'auth_rate'>> & { id: string; revision: number },
): RoutePolicy {
  const { id, revision, strategy, processors, rules, failover, optimized_retry, auth_rate } = route;
  return { route_id: id, revision, strategy, processors, rules, failover, optimized_retry, auth_rate: auth_rate ?? null };
}

/** Failover with every default filled in, as a tier records it. */
export interface ResolvedFailover {
  on: ProcessorFailureKind[];
  /** Soft decline codes; null: every decline is soft. */
  decline_codes: string[] | null;
  /** Most processor calls in the tier; null: no cap beyond the candidates themselves. */
  max_attempts: number | null;
}

/**
 * `on` absent means all three kinds (API.md); an explicit empty `on` means none. An empty
 * `decline_codes` list counts as not set: read literally it would make every decline hard, which
 * nobody writes on purpose, and a route whose codes were cleared must not start failing payments.
 */
export function resolveFailover(failover: RoutePolicyFailover): ResolvedFailover {
  return {
    on: [...(failover.on ?? FAILOVER_TRIGGERS)],
    decline_codes: failover.decline_codes && failover.decline_codes.length > 0 ? [...failover.decline_codes] : null,
    max_attempts: failover.max_attempts ?? null,
  };
}

/** The card facts and amounts a tier routes on. `bin_country` is null when the BIN's country is unknown. */
export interface RoutingFacts {
  payment_id: string;
  amount: number;
  currency: string;
  card_network: CardNetwork;
  bin: string;
  bin_country: string | null;
}
