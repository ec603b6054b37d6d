import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsIn, IsInt, IsObject, IsOptional, IsString, ValidateNested } from 'class-validator';
import { CARD_NETWORKS, MAX_ROUTING_ATTEMPTS } from '@payments/domain';
import { CardNumberField } from '../http/card-numbers-in-bodies';
import { PaginationQuery } from '../http/pagination';

// The DTOs check the shape only (400). The card's rules (Luhn, expiry, known network) and those
// of routing.attempts (1..10, known processors and networks, no two alike) are the domain's
// summariseCard and parseRoutingAttempts, which answer 422 with field paths.

export class CardDto {
  @ApiProperty({ example: '4242424242424242', description: '12 to 19 digits (spaces allowed), Luhn-valid. Never stored, logged or returned.' })
  @IsString()
  @CardNumberField()
  number!: string;

  @ApiProperty({ example: 12, minimum: 1, maximum: 12 })
  @IsInt()
  exp_month!: number;

  @ApiProperty({ example: 2030, description: 'Four digits, or two meaning 20xx' })
  @IsInt()
  exp_year!: number;

  @ApiPropertyOptional({ example: '123', description: '3 or 4 digits. Never stored, logged or returned.' })
  @IsOptional()
  @IsString()
  cvc?: string;

  @ApiPropertyOptional({ enum: CARD_NETWORKS, description: 'Routes over this network instead of the one the BIN tells, e.g. a debit network (star, nyce, accel, pulse, maestro).' })
  @IsOptional()
  @IsString()
  network?: string;
}

export class PaymentMethodDto {
  @ApiProperty({ enum: ['card'] })
  @IsIn(['card'])
  type!: 'card';

  @ApiProperty({ type: CardDto })
  @IsObject()
  @ValidateNested()
  @Type(() => CardDto)
  card!: CardDto;
}

export class RoutingAttemptDto {
  @ApiPropertyOptional({ example: 'proc_stg_b', description: 'A processor of the account; give this or network.' })
  @IsOptional()
  @IsString()
  processor_id?: string;

  @ApiPropertyOptional({ enum: CARD_NETWORKS, example: 'star', description: "The first processor of the tier's order that supports the network; give this or processor_id." })
  @IsOptional()
  @IsString()
  network?: string;
}

export class RoutingDto {
  @ApiProperty({ type: [RoutingAttemptDto], minItems: 1, maxItems: MAX_ROUTING_ATTEMPTS, description: 'Only these are tried, in this order, in every tier; no two alike.' })
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => RoutingAttemptDto)
  attempts!: RoutingAttemptDto[];
}

export class PayDto {
  @ApiProperty({ type: PaymentMethodDto })
  @IsObject()
  @ValidateNested()
  @Type(() => PaymentMethodDto)
  payment_method!: PaymentMethodDto;

  @ApiPropertyOptional({ type: RoutingDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => RoutingDto)
  routing?: RoutingDto;
}

export const PAYMENT_STATUSES = ['processing', 'succeeded', 'failed', 'requires_capture', 'canceled'] as const;

export class ListPaymentsQuery extends PaginationQuery {
  @ApiPropertyOptional({ example: 'cs_stg_x', description: 'Only the payments of this checkout session' })
  @IsOptional()
  @IsString()
  checkout_session_id?: string;

  @ApiPropertyOptional({ enum: PAYMENT_STATUSES })
  @IsOptional()
  @IsIn(PAYMENT_STATUSES)
  status?: (typeof PAYMENT_STATUSES)[number];
}
