import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsNumber, IsOptional, IsString } from 'class-validator';
import { MAX_CATALOG_NAME_LENGTH, MAX_EMAIL_LENGTH, MAX_UNIT_AMOUNT } from '@payments/domain';

// The DTOs check types only (400); the catalog deciders own every rule (422), so each rule
// documented here is enforced in one place. catalogController checks each DTO against the
// command's CatalogInputs.

export class CreateProductDto {
  @ApiProperty({ example: 'Premium plan', minLength: 1, maxLength: MAX_CATALOG_NAME_LENGTH })
  @IsString()
  name!: string;
}

export class CreatePriceDto {
  @ApiProperty({ example: 'prod_stg_7f3k2m9q1x', description: 'A product of the account; unknown: 422' })
  @IsString()
  product_id!: string;

  @ApiProperty({ example: 4900, minimum: 0, maximum: MAX_UNIT_AMOUNT, description: 'Minor units of the currency' })
  @IsInt()
  unit_amount!: number;

  @ApiProperty({ example: 'USD', description: 'Upper-case ISO 4217 code' })
  @IsString()
  currency!: string;
}

export class CreateCustomerDto {
  @ApiProperty({ example: 'ada@example.com', maxLength: MAX_EMAIL_LENGTH })
  @IsString()
  email!: string;

  @ApiPropertyOptional({ example: 'Ada Lovelace', nullable: true, minLength: 1, maxLength: MAX_CATALOG_NAME_LENGTH })
  @IsOptional()
  @IsString()
  name?: string | null;
}

export class CreateCouponDto {
  @ApiPropertyOptional({ example: 20, exclusiveMinimum: true, minimum: 0, maximum: 100, nullable: true, description: 'Exactly one of percent_off and amount_off; at most two decimals' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  percent_off?: number | null;

  @ApiPropertyOptional({ example: 500, minimum: 1, maximum: MAX_UNIT_AMOUNT, nullable: true, description: 'Minor units of `currency`; exactly one of percent_off and amount_off' })
  @IsOptional()
  @IsInt()
  amount_off?: number | null;

  @ApiPropertyOptional({ example: 'USD', nullable: true, description: 'Required with amount_off, refused with percent_off' })
  @IsOptional()
  @IsString()
  currency?: string | null;

  @ApiPropertyOptional({ example: 'Launch discount', nullable: true, minLength: 1, maxLength: MAX_CATALOG_NAME_LENGTH })
  @IsOptional()
  @IsString()
  name?: string | null;
}

export class CreatePromotionCodeDto {
  @ApiProperty({ example: 'SAVE20', pattern: '^[A-Za-z0-9]{1,50}$', description: 'Unique per account regardless of case (duplicate: 409); customers may type it in any case' })
  @IsString()
  code!: string;

  @ApiProperty({ example: 'coupon_stg_7f3k2m9q1x', description: 'A coupon of the account; unknown: 422' })
  @IsString()
  coupon_id!: string;
}
