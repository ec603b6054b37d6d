import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsCurrencyCode } from '../http/currency-code.validator';
import { CARD_NETWORKS, CardNetwork, ConnectorKind, ProcessorStatus, SimulatorOutcome, SimulatorRefundOutcome } from '@payments/domain';

export class FeesDto {
  @ApiProperty({ example: 2.9, minimum: 0, maximum: 100, description: 'Percent of the amount' })
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 4 })
  @Min(0)
  @Max(100)
  percent!: number;

  @ApiProperty({ example: 30, minimum: 0, description: 'Fixed fee in minor units' })
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  fixed!: number;
}

export class SimulatorDto {
  @ApiPropertyOptional({ enum: ['approve', 'decline', 'timeout', 'error'], default: 'approve' })
  @IsOptional()
  @IsIn(['approve', 'decline', 'timeout', 'error'])
  outcome?: SimulatorOutcome;

  @ApiPropertyOptional({ example: '05', default: '05' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9]{1,8}$/, { message: 'decline_code must be 1 to 8 letters or digits' })
  decline_code?: string;

  @ApiPropertyOptional({ example: 0, minimum: 0, maximum: 60000, default: 0 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(60000)
  latency_ms?: number;

  @ApiPropertyOptional({ default: false, description: 'Declines the first try, approves an optimized retry (before any approval_rate)' })
  @IsOptional()
  @IsBoolean()
  approve_optimized_retry?: boolean;

  @ApiPropertyOptional({
    default: false,
    description:
      'Only with outcome `timeout` or `error`: the simulator approves and keeps the charge although its answer is lost, as a real processor that approved but answered late would; asking the authorization\'s status later tells the approval.',
  })
  @IsOptional()
  @IsBoolean()
  charge_on_timeout?: boolean;

  @ApiPropertyOptional({ enum: ['succeed', 'fail'], default: 'succeed', description: '`fail`: every refund fails with the code `refund_declined`' })
  @IsOptional()
  @IsIn(['succeed', 'fail'])
  refund_outcome?: SimulatorRefundOutcome;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 0,
    maximum: 1,
    default: null,
    example: 0.8,
    description:
      'Approves this share of payments, drawn from a hash of processor and payment (every try of one payment at one processor draws the same); the rest get `outcome`, or a decline with `decline_code` when `outcome` is `approve`. null: `outcome` alone decides.',
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 4 })
  @Min(0)
  @Max(1)
  approval_rate?: number | null;
}

export class HttpEndpointDto {
  @ApiProperty({ example: 'https://processor.example/authorize' })
  @IsString()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  url!: string;

  @ApiProperty({ description: 'Signs requests (PaymentKit-Signature); write-only, never returned', minLength: 16 })
  @IsString()
  @Length(16, 256)
  secret!: string;
}

export class CreateProcessorDto {
  @ApiProperty({ example: 'Acme US' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({ enum: ['simulator', 'http'] })
  @IsIn(['simulator', 'http'])
  connector!: ConnectorKind;

  @ApiPropertyOptional({ example: ['USD', 'EUR'], description: 'Omitted or empty: all currencies' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ArrayUnique()
  @IsCurrencyCode({ each: true })
  supported_currencies?: string[];

  @ApiPropertyOptional({ example: ['visa', 'mastercard'], enum: CARD_NETWORKS, isArray: true, description: 'Omitted or empty: all networks' })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(CARD_NETWORKS, { each: true })
  supported_networks?: CardNetwork[];

  @ApiPropertyOptional({ type: FeesDto, description: 'Default {percent: 0, fixed: 0}' })
  @IsOptional()
  @ValidateNested()
  @Type(() => FeesDto)
  fees?: FeesDto;

  @ApiPropertyOptional({ enum: ['active', 'unavailable'], default: 'active' })
  @IsOptional()
  @IsIn(['active', 'unavailable'])
  status?: ProcessorStatus;

  @ApiPropertyOptional({ minimum: 50, maximum: 60000, default: 5000 })
  @IsOptional()
  @IsInt()
  @Min(50)
  @Max(60000)
  timeout_ms?: number;

  @ApiPropertyOptional({ type: SimulatorDto, description: 'Behaviour of a simulator connector' })
  @IsOptional()
  @ValidateNested()
  @Type(() => SimulatorDto)
  simulator?: SimulatorDto;

  @ApiPropertyOptional({ type: HttpEndpointDto, description: 'Required for the http connector' })
  @IsOptional()
  @ValidateNested()
  @Type(() => HttpEndpointDto)
  http?: HttpEndpointDto;
}

/** PATCH takes any field but `connector` (sending it is an unknown property: 400). */
export class UpdateProcessorDto extends PartialType(OmitType(CreateProcessorDto, ['connector'] as const)) {}
