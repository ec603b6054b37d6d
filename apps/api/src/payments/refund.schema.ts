import { ApiProperty } from '@nestjs/swagger';
import { REFUND_REASONS, RefundReason } from '@payments/domain';
import { PageOf } from '../http/page.schema';

// What presentRefund answers, field by field. A nullable enum lists null among its values, as OpenAPI 3.0.3 asks.

export class Refund {
  @ApiProperty({ example: 're_stg_8Hq2Xw5Kd3Lm' })
  id!: string;

  @ApiProperty({ enum: ['refund'] })
  object!: 'refund';

  @ApiProperty({ example: 'pay_stg_2Jx7Qm4Lk9Wd' })
  payment_id!: string;

  @ApiProperty({ type: 'integer', minimum: 1, example: 1000, description: 'Minor units' })
  amount!: number;

  @ApiProperty({ example: 'USD' })
  currency!: string;

  @ApiProperty({
    enum: ['pending', 'succeeded', 'failed'],
    example: 'succeeded',
    description:
      'pending: recorded and not yet answered by the processor (or queued behind another refund of the payment), its amount reserved; the service keeps sending it under the same idempotency key. ' +
      'failed: the processor refused it (failure_code), and its amount can be refunded again.',
  })
  status!: 'pending' | 'succeeded' | 'failed';

  @ApiProperty({ enum: [...REFUND_REASONS, null], nullable: true, example: 'requested_by_customer' })
  reason!: RefundReason | null;

  @ApiProperty({ example: 'proc_stg_Approver3Xm8', description: 'The processor that approved the payment, which the refund went to' })
  processor_id!: string;

  @ApiProperty({ type: String, nullable: true, example: null, description: "The processor's code when it refused the refund (the simulator's: refund_declined)" })
  failure_code!: string | null;

  @ApiProperty({ format: 'date-time', example: '2026-11-21T10:05:00.000Z', description: 'When it was requested' })
  created_at!: string;
}

export const RefundPage = PageOf(Refund);

export const REFUND_EXAMPLE: Refund = {
  id: 're_stg_8Hq2Xw5Kd3Lm',
  object: 'refund',
  payment_id: 'pay_stg_2Jx7Qm4Lk9Wd',
  amount: 1000,
  currency: 'USD',
  status: 'succeeded',
  reason: 'requested_by_customer',
  processor_id: 'proc_stg_Approver3Xm8',
  failure_code: null,
  created_at: '2026-11-21T10:05:00.000Z',
};

/** GET /v1/payments/{id}/refunds after a refund of 1000 the processor refused and one it took. */
export const REFUND_PAGE_EXAMPLE = {
  items: [
    { ...REFUND_EXAMPLE, id: 're_stg_3Vb7Nc1Qk5Xp', created_at: '2026-11-21T10:06:00.000Z' },
    { ...REFUND_EXAMPLE, status: 'failed', failure_code: 'refund_declined' },
  ] satisfies Refund[],
  total: 2,
  has_more: false,
};
