import { ApiProperty } from '@nestjs/swagger';
import {
  CONDITION_FIELDS,
  CONDITION_OPERATORS,
  ConditionField,
  ConditionOperator,
  ConditionValue,
  FAILOVER_TRIGGERS,
  FailoverTrigger,
  ROUTE_STRATEGIES,
  RouteStrategy,
} from '@payments/domain';
import { PageOf } from '../http/page.schema';
import { CreateProcessorRouteDto } from './processor-route.dto';

// What presentRoute and presentRouteWithReferences answer, field by field: the route's definition
// with every default applied, so each field is always there.

export class RouteProcessor {
  @ApiProperty({ example: 'proc_stg_4f8Kd2mQ9xTa' })
  processor_id!: string;

  @ApiProperty({ type: 'integer', nullable: true, example: null, description: 'Weight in percent with strategy volume_split; null otherwise' })
  split!: number | null;
}

export class RouteRuleCondition {
  @ApiProperty({ enum: CONDITION_FIELDS, example: 'card_network' })
  field!: ConditionField;

  @ApiProperty({ enum: CONDITION_OPERATORS, example: 'equal' })
  operator!: ConditionOperator;

  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'integer' }, { type: 'array', items: { oneOf: [{ type: 'string' }, { type: 'integer' }] } }],
    example: 'visa',
    description: 'One value; a list for in / not_in; [min, max] for between',
  })
  value!: ConditionValue;
}

export class RouteRuleProcessor {
  @ApiProperty({ example: 'proc_stg_4f8Kd2mQ9xTa' })
  processor_id!: string;
}

export class RouteRule {
  @ApiProperty({ type: [RouteRuleCondition], description: 'The rule applies when all of them hold.' })
  conditions!: RouteRuleCondition[];

  @ApiProperty({ type: [RouteRuleProcessor], description: 'The order to try when the rule applies' })
  processors!: RouteRuleProcessor[];
}

export class RouteFailover {
  @ApiProperty({ enum: FAILOVER_TRIGGERS, isArray: true, example: [...FAILOVER_TRIGGERS], description: 'Failures that move on to the next processor' })
  on!: FailoverTrigger[];

  @ApiProperty({ type: [String], nullable: true, example: null, description: 'When set, a decline with any other code is hard and ends the payment; null: every decline is soft' })
  decline_codes!: string[] | null;

  @ApiProperty({ type: 'integer', nullable: true, example: null, description: 'Most processor calls in one tier; null: as many as the tier has processors' })
  max_attempts!: number | null;
}

export class RouteAuthRate {
  @ApiProperty({ type: 'integer', example: 200, description: "How many of each processor's latest attempts in the payment's segment its rate counts" })
  window!: number;

  @ApiProperty({ type: 'integer', example: 5, description: 'Fewer attempts in the window: the processor counts as default_rate' })
  min_samples!: number;

  @ApiProperty({ example: 1, description: 'The rate of a processor without min_samples attempts yet' })
  default_rate!: number;

  @ApiProperty({ example: 5, description: 'Percent of payments that try the processors as listed instead (exploration)' })
  exploration_percent!: number;
}

export class ProcessorRoute {
  @ApiProperty({ example: 'proute_stg_8Wc3Nf6Lp2Qz' })
  id!: string;

  @ApiProperty({ enum: ['processor_route'] })
  object!: 'processor_route';

  @ApiProperty({ example: 'Cascade demo' })
  name!: string;

  @ApiProperty({ type: [RouteProcessor], description: 'In priority order' })
  processors!: RouteProcessor[];

  @ApiProperty({ enum: ROUTE_STRATEGIES, example: 'priority' })
  strategy!: RouteStrategy;

  @ApiProperty({ type: [RouteRule], description: 'Empty unless strategy is rule_based' })
  rules!: RouteRule[];

  @ApiProperty({ type: RouteFailover })
  failover!: RouteFailover;

  @ApiProperty({ example: false })
  optimized_retry!: boolean;

  @ApiProperty({ type: RouteAuthRate, nullable: true, description: 'The auth_rate strategy\'s settings, every default filled in; null with any other strategy' })
  auth_rate!: RouteAuthRate | null;

  @ApiProperty({ type: 'integer', minimum: 1, example: 1, description: '1 when created, +1 on every change; each payment records the revision it used' })
  revision!: number;

  @ApiProperty({ format: 'date-time', example: '2026-11-21T10:00:00.000Z' })
  created_at!: string;

  @ApiProperty({ format: 'date-time', example: '2026-11-21T10:00:00.000Z' })
  updated_at!: string;
}

export class RouteReferences {
  @ApiProperty({ type: 'integer', minimum: 0, example: 1, description: 'Open checkout sessions whose tiers name the route' })
  checkout_sessions!: number;

  @ApiProperty({ example: false, description: "Whether it is the account's default route" })
  account_default!: boolean;
}

/** GET one: a referenced route cannot be deleted (409). */
export class ProcessorRouteWithReferences extends ProcessorRoute {
  @ApiProperty({ type: RouteReferences })
  references!: RouteReferences;
}

export const ProcessorRoutePage = PageOf(ProcessorRoute);

/** The README's route: the decliner first, failing over to the approver. */
export const CREATE_ROUTE_EXAMPLE: CreateProcessorRouteDto = {
  name: 'Cascade demo',
  processors: [{ processor_id: 'proc_stg_Decliner7Kq2' }, { processor_id: 'proc_stg_Approver3Xm8' }],
  failover: { on: ['decline', 'timeout', 'error'] },
};

export const ROUTE_EXAMPLE: ProcessorRoute = {
  id: 'proute_stg_8Wc3Nf6Lp2Qz',
  object: 'processor_route',
  name: 'Cascade demo',
  processors: [
    { processor_id: 'proc_stg_Decliner7Kq2', split: null },
    { processor_id: 'proc_stg_Approver3Xm8', split: null },
  ],
  strategy: 'priority',
  rules: [],
  failover: { on: ['decline', 'timeout', 'error'], decline_codes: null, max_attempts: null },
  optimized_retry: false,
  auth_rate: null,
  revision: 1,
  created_at: '2026-11-21T10:00:00.000Z',
  updated_at: '2026-11-21T10:00:00.000Z',
};
