import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsArray, IsIn, IsInt, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';
import {
  CAPTURE_METHODS,
  CaptureMethod,
  CheckoutSessionRequest,
  DEFAULT_CAPTURE_METHOD,
  DEFAULT_EXPIRES_IN_HOURS,
  MAX_CASCADE_TIERS,
  MAX_CUSTOM_FIELDS,
  MAX_CUSTOM_FIELD_KEY_LENGTH,
  MAX_CUSTOM_FIELD_VALUE_LENGTH,
  MAX_EXPIRES_IN_HOURS,
  MAX_LINE_ITEMS,
  MAX_QUANTITY,
  SessionStatus,
} from '@payments/domain';
import { PaginationQuery } from '../http/pagination';

// The DTOs check the shape only (400); the rules of API.md (counts, ranges, URLs, custom field
// limits: 422) are the domain's validateCheckoutSessionRequest, so they live in one place.

/** Clients used to one id per processor send a list here; the answer says where the list goes. */
const ONE_ROUTE_ID =
  'processor_route_id must be a single route id string: a checkout session takes one route id, and the route holds the list of processors (create one with POST /v1/processor-routes)';

const CUSTOM_FIELDS_RULE = `Up to ${MAX_CUSTOM_FIELDS} string values, keys up to ${MAX_CUSTOM_FIELD_KEY_LENGTH} characters, values up to ${MAX_CUSTOM_FIELD_VALUE_LENGTH}.`;

export class LineItemDto {
  @ApiProperty({ example: 'price_stg_premium' })
  @IsString()
  price_id!: string;

  @ApiProperty({ example: 1, minimum: 1, maximum: MAX_QUANTITY })
  @IsInt()
  quantity!: number;
}

export class CascadeTierDto {
  @ApiProperty({ type: [LineItemDto], minItems: 1, maxItems: MAX_LINE_ITEMS })
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => LineItemDto)
  line_items!: LineItemDto[];

  @ApiPropertyOptional({ type: String, nullable: true, example: 'proute_stg_fallback', description: "Null or absent: the session's route." })
  @IsOptional()
  @IsString({ message: ONE_ROUTE_ID })
  processor_route_id?: string | null;
}

export class ParamsForSubDto {
  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, example: { tier: 'enterprise' }, description: CUSTOM_FIELDS_RULE })
  @IsOptional()
  @IsObject()
  custom_fields?: Record<string, string>;
}

export class CreateCheckoutSessionDto implements CheckoutSessionRequest {
  @ApiPropertyOptional({ type: String, nullable: true, example: 'cus_stg_x' })
  @IsOptional()
  @IsString()
  customer_id?: string | null;

  @ApiProperty({ type: [LineItemDto], minItems: 1, maxItems: MAX_LINE_ITEMS, description: 'Tier 0. All prices of a tier share one currency.' })
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => LineItemDto)
  line_items!: LineItemDto[];

  @ApiPropertyOptional({ type: [CascadeTierDto], maxItems: MAX_CASCADE_TIERS, description: 'Further tiers, tried in order when a tier fails: 10 tiers in all.' })
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => CascadeTierDto)
  cascade_line_items?: CascadeTierDto[];

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: 'proute_stg_x',
    description: 'One route id; the route holds the processors. An array or any other type is 400.',
  })
  @IsOptional()
  @IsString({ message: ONE_ROUTE_ID })
  processor_route_id?: string | null;

  @ApiProperty({ example: 'https://shop.example/ok?session_id={CHECKOUT_SESSION_ID}', description: 'An absolute http(s) URL.' })
  @IsString()
  success_url!: string;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'https://shop.example/cancel', description: 'An absolute http(s) URL.' })
  @IsOptional()
  @IsString()
  return_url?: string | null;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_EXPIRES_IN_HOURS, default: DEFAULT_EXPIRES_IN_HOURS })
  @IsOptional()
  @IsInt()
  expires_in_hours?: number;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' }, example: { order_id: 'order_12345' }, description: CUSTOM_FIELDS_RULE })
  @IsOptional()
  @IsObject()
  custom_fields?: Record<string, string>;

  @ApiPropertyOptional({ type: ParamsForSubDto, nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => ParamsForSubDto)
  params_for_sub?: ParamsForSubDto | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'SAVE20', description: 'A promotion code, in any case. Excludes coupon_id.' })
  @IsOptional()
  @IsString()
  promotion_code?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'coupon_stg_x', description: 'Excludes promotion_code.' })
  @IsOptional()
  @IsString()
  coupon_id?: string | null;

  @ApiPropertyOptional({
    enum: CAPTURE_METHODS,
    default: DEFAULT_CAPTURE_METHOD,
    description: 'automatic: the approval captures the money. manual: it only authorizes; capture or void the payment later (POST /v1/payments/{id}/capture, /void), else the service voids it after 7 days.',
  })
  @IsOptional()
  @IsIn(CAPTURE_METHODS)
  capture_method?: CaptureMethod;
}

export const EXPANDABLE = ['custom_fields'] as const;
export type Expandable = (typeof EXPANDABLE)[number];

export class ExpandQuery {
  @ApiPropertyOptional({
    enum: EXPANDABLE,
    isArray: true,
    description: 'Repeatable or comma separated. `custom_fields` adds `custom_fields` and `params_for_sub` (secret tokens only).',
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === undefined ? value : [value].flat().flatMap((item: unknown) => (typeof item === 'string' ? item.split(',') : [item]))))
  @IsIn(EXPANDABLE, { each: true })
  expand?: Expandable[];
}

export class ListCheckoutSessionsQuery extends IntersectionType(PaginationQuery, ExpandQuery) {
  @ApiPropertyOptional({ enum: ['open', 'complete', 'expired'], description: 'A session past expires_at is expired.' })
  @IsOptional()
  @IsIn(['open', 'complete', 'expired'])
  status?: SessionStatus;
}
