import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsDefined, IsIn, IsInt, IsNumber, IsOptional, IsString, ValidateIf, ValidateNested } from 'class-validator';
import {
  AUTH_RATE_DEFAULTS,
  CONDITION_FIELDS,
  CONDITION_OPERATORS,
  ConditionField,
  ConditionOperator,
  ConditionValue,
  FAILOVER_TRIGGERS,
  FailoverTrigger,
  MAX_AUTH_RATE_WINDOW,
  MAX_FAILOVER_ATTEMPTS,
  MAX_ROUTE_NAME_LENGTH,
  MAX_ROUTE_PROCESSORS,
  ROUTE_STRATEGIES,
  RouteStrategy,
} from '@payments/domain';

/*
 * These classes check the SHAPE of a route only (types, enums, unknown properties: 400). Every
 * rule (counts, distinct processors, splits, rules against the strategy, condition values) is the
 * domain's validateRouteDefinition, answered as 422 with one field error each, so no rule is
 * checked, or worded, twice.
 */

/** May be left out, but null is not a value of the field (400): only nullable fields take null. */
const Omittable = () => ValidateIf((_, value) => value !== undefined);

export class RouteProcessorDto {
  @ApiProperty({ example: 'proc_stg_a', description: 'A processor of the account, active or unavailable (an unavailable one is skipped when a payment runs). Unknown: 422.' })
  @IsString()
  processor_id!: string;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    example: 30,
    minimum: 0,
    maximum: 100,
    description:
      'Weight in percent, an integer. Required on every processor with strategy volume_split, where the splits add up to 100; ' +
      'any other strategy refuses it (422) rather than ignore it, so null or absent there: a split on a priority route is a 422.',
  })
  @IsOptional()
  @IsInt()
  split?: number | null;
}

export class RuleConditionDto {
  @ApiProperty({ enum: CONDITION_FIELDS, example: 'card_network' })
  @IsIn(CONDITION_FIELDS)
  field!: ConditionField;

  @ApiProperty({
    enum: CONDITION_OPERATORS,
    example: 'equal',
    description: 'greater_than, less_than and between compare amounts only; on another field they are 422.',
  })
  @IsIn(CONDITION_OPERATORS)
  operator!: ConditionOperator;

  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'integer' }, { type: 'array', items: { oneOf: [{ type: 'string' }, { type: 'integer' }] } }],
    example: 'visa',
    description:
      'equal / not_equal / greater_than / less_than: one value; in / not_in: a non-empty list; between: [min, max] with min <= max. ' +
      'Values by field: card_network a network name (visa, mastercard, ...), currency an upper-case ISO 4217 code, amount a ' +
      'non-negative integer in minor units, bin_country an upper-case ISO 3166-1 alpha-2 code, bin a string of 6 to 8 digits. ' +
      'A value that does not fit its field and operator is 422.',
  })
  @IsDefined()
  value!: ConditionValue;
}

export class RuleProcessorDto {
  @ApiProperty({
    example: 'proc_stg_b',
    description: "Any processor of the account, active or unavailable, listed in the route's `processors` or not (unknown: 422).",
  })
  @IsString()
  processor_id!: string;
}

export class RoutingRuleDto {
  @ApiProperty({ type: [RuleConditionDto], description: 'At least one; the rule applies when all of them hold.' })
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => RuleConditionDto)
  conditions!: RuleConditionDto[];

  @ApiProperty({
    type: [RuleProcessorDto],
    description: "The order to try when the rule applies: at least one, distinct, each a processor of the account (in the route's `processors` or not).",
  })
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => RuleProcessorDto)
  processors!: RuleProcessorDto[];
}

export class FailoverDto {
  @ApiPropertyOptional({ enum: FAILOVER_TRIGGERS, isArray: true, default: [...FAILOVER_TRIGGERS], description: 'Failures that move on to the next processor, each listed once. Empty: none does.' })
  @Omittable()
  @IsArray()
  @IsIn(FAILOVER_TRIGGERS, { each: true })
  on?: FailoverTrigger[];

  @ApiPropertyOptional({
    type: [String],
    nullable: true,
    example: ['05', '51'],
    description:
      'When set, a decline with any other code is hard: the whole payment fails at once, no further processor or tier. ' +
      'null or absent: every decline is soft. An empty list is 422 (it would make every decline hard; leave the field out instead).',
  })
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  decline_codes?: string[] | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 1,
    maximum: MAX_FAILOVER_ATTEMPTS,
    example: 3,
    description: `Most processor calls in one tier, 1 to ${MAX_FAILOVER_ATTEMPTS}. null or absent: as many as the tier has processors.`,
  })
  @IsOptional()
  @IsInt()
  max_attempts?: number | null;
}

export class AuthRateDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_AUTH_RATE_WINDOW,
    default: AUTH_RATE_DEFAULTS.window,
    description: "How many of each processor's latest attempts in the payment's segment (card network and currency) its approval rate counts.",
  })
  @Omittable()
  @IsInt()
  window?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    default: AUTH_RATE_DEFAULTS.min_samples,
    description: 'A processor with fewer attempts than this in the window counts as default_rate. At most window (else 422).',
  })
  @Omittable()
  @IsInt()
  min_samples?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 1, default: AUTH_RATE_DEFAULTS.default_rate, description: 'The rate of a processor without min_samples attempts yet; 1.0 gives a new processor traffic.' })
  @Omittable()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  default_rate?: number;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 100,
    default: AUTH_RATE_DEFAULTS.exploration_percent,
    description: 'The share of payments, drawn from a hash of the payment id, that try the processors as listed instead, so every processor keeps getting samples.',
  })
  @Omittable()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  exploration_percent?: number;
}

export class CreateProcessorRouteDto {
  @ApiProperty({ example: 'US Optimized', minLength: 1, maxLength: MAX_ROUTE_NAME_LENGTH, description: 'Not blank.' })
  @IsString()
  name!: string;

  @ApiProperty({
    type: [RouteProcessorDto],
    minItems: 1,
    maxItems: MAX_ROUTE_PROCESSORS,
    description:
      `1 to ${MAX_ROUTE_PROCESSORS} distinct processors of the account, in priority order: the processors the route calls, ` +
      'or with rule_based the default list, used when no rule holds (rules may name other processors of the account).',
  })
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => RouteProcessorDto)
  processors!: RouteProcessorDto[];

  @ApiPropertyOptional({
    enum: ROUTE_STRATEGIES,
    default: 'priority',
    description:
      'The order in which a tier tries the processors. priority: as listed. volume_split: the first processor drawn by `split` ' +
      'from a hash of the payment id, the rest as listed. rule_based: the first rule whose conditions all hold gives the list, ' +
      'else `processors`. cost_optimized: ascending by amount * fees.percent / 100 + fees.fixed, ties as listed. auth_rate: ' +
      "descending by each processor's recent approval rate in the payment's segment (card network and currency), ties as " +
      'listed; see `auth_rate` for its settings (docs/routing.md).',
  })
  @Omittable()
  @IsIn(ROUTE_STRATEGIES)
  strategy?: RouteStrategy;

  @ApiPropertyOptional({
    type: [RoutingRuleDto],
    default: [],
    description:
      'Only with strategy rule_based, which needs at least one rule; rules on any other strategy are 422 rather than ignored. ' +
      'The first rule whose conditions all hold gives the tier its whole order; none holds: `processors`. A rule may name any ' +
      'processor of the account, listed in `processors` or not, so the routing documents\' "visa to stripe, mastercard to ' +
      'adyen, default [stripe]" is written as processors [stripe] and two rules. What naming a processor in a rule means: it is ' +
      'checked when the route is created or changed (a processor the account does not have is 422); processors are never ' +
      'deleted, only made unavailable, and an unavailable one (or one that cannot be read when the tier starts) stays in the ' +
      'rule and is skipped with reason `unavailable`, as is one without the currency or the card\'s network ' +
      '(`unsupported_currency`, `unsupported_network`), exactly as in the default list. The tier does not fall back to the ' +
      'default list when every processor of the matched rule is skipped or fails: the tier fails and the next tier starts. ' +
      'A payment\'s `routing.attempts` choose only among the tier\'s order, the matched rule\'s list. Rules hold no ' +
      'reference: `references` counts checkout sessions and the account default only, and a PATCH of `processors` leaves ' +
      'the rules as they are.',
  })
  @Omittable()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => RoutingRuleDto)
  rules?: RoutingRuleDto[];

  @ApiPropertyOptional({
    type: FailoverDto,
    description: 'Default {on: [decline, timeout, error], decline_codes: null, max_attempts: null}. A PATCH that names it replaces it whole, with the defaults for what it leaves out.',
  })
  @Omittable()
  @ValidateNested()
  @Type(() => FailoverDto)
  failover?: FailoverDto;

  @ApiPropertyOptional({ default: false, description: 'On a soft decline, call the same processor once more with an optimized request before moving on.' })
  @Omittable()
  @IsBoolean()
  optimized_retry?: boolean;

  @ApiPropertyOptional({
    type: AuthRateDto,
    nullable: true,
    description:
      'Only with strategy auth_rate (on another strategy 422), each setting optional; absent or null: the defaults ' +
      `{window: ${AUTH_RATE_DEFAULTS.window}, min_samples: ${AUTH_RATE_DEFAULTS.min_samples}, default_rate: ${AUTH_RATE_DEFAULTS.default_rate}, exploration_percent: ${AUTH_RATE_DEFAULTS.exploration_percent}}. ` +
      'A PATCH that names it replaces it whole, with the defaults for what it leaves out; a PATCH that moves the route to another strategy drops it.',
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => AuthRateDto)
  auth_rate?: AuthRateDto | null;
}

/**
 * Any field of a route. Fields left out keep their value; null is 400 on fields that cannot be
 * null. The whole resulting route is validated again. `revision` increments only when something
 * changes: a PATCH that changes nothing keeps it.
 */
export class UpdateProcessorRouteDto extends PartialType(CreateProcessorRouteDto, { skipNullProperties: false }) {}
