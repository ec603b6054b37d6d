import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional } from 'class-validator';
import { REFUND_REASONS, RefundReason } from '@payments/domain';
import { PaginationQuery } from '../http/pagination';

// The DTOs check the shape only (400). How much may be captured or refunded is the domain's
// afterApprovalDecider, which answers 422 with the amount field.

export class CapturePaymentDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, example: 4900, description: 'Minor units, 1 to the amount authorized; absent: all of it. Less is a partial capture, and the rest of the hold is released.' })
  @IsOptional()
  @IsInt()
  amount?: number;
}

export class CreateRefundDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, example: 1000, description: 'Minor units, 1 to what is left: amount_captured less the refunds succeeded and pending; absent: all of that.' })
  @IsOptional()
  @IsInt()
  amount?: number;

  @ApiPropertyOptional({
    enum: [...REFUND_REASONS, null],
    nullable: true,
    example: 'requested_by_customer',
    description: "Stripe's refund reasons; any other value is 400 (reports group refunds by it, so it is not free text).",
  })
  @IsOptional()
  @IsIn(REFUND_REASONS)
  reason?: RefundReason | null;
}

export class ListRefundsQuery extends PaginationQuery {}
