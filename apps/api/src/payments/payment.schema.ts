import { ApiProperty } from '@nestjs/swagger';
import { CARD_NETWORKS, CardNetwork } from '@payments/domain';
import { StoredEvent } from '../events/event.schema';
import { PageOf } from '../http/page.schema';
import { PAYMENT_STATUSES, PayDto } from './payment.dto';

// What presentPayment answers, field by field (a payment's events are StoredEvent). A nullable enum lists null
// among its values, as OpenAPI 3.0.3 asks.

export class PaymentSource {
  @ApiProperty({ enum: ['card'] })
  type!: 'card';

  @ApiProperty({ example: '4242', description: 'The last four digits; the full number and cvc are never stored or shown' })
  last4!: string;

  @ApiProperty({ example: '424242', description: 'The first six digits' })
  bin!: string;

  @ApiProperty({ enum: CARD_NETWORKS, example: 'visa' })
  network!: CardNetwork;

  @ApiProperty({ example: 'c0a8f3e1b2d4968570e1f2a3b4c5d6e7', description: 'Recognises the same card across payments; a keyed hash, not reversible' })
  fingerprint!: string;
}

export class PaymentAttempt {
  @ApiProperty({ type: 'integer', minimum: 0, example: 0 })
  tier!: number;

  @ApiProperty({ example: 'proc_stg_4f8Kd2mQ9xTa' })
  processor_id!: string;

  @ApiProperty({ enum: ['attempted', 'skipped'], description: 'skipped: the processor was not called (see reason)' })
  kind!: 'attempted' | 'skipped';

  @ApiProperty({ enum: ['approved', 'declined', 'timeout', 'error', null], nullable: true, example: 'declined', description: 'null while the call has no answer, and for a skip' })
  outcome!: 'approved' | 'declined' | 'timeout' | 'error' | null;

  @ApiProperty({ example: false, description: 'An optimized retry on the same processor' })
  optimized!: boolean;

  @ApiProperty({ type: String, nullable: true, example: '51', description: "The processor's response code" })
  code!: string | null;

  @ApiProperty({
    enum: ['unavailable', 'unsupported_currency', 'unsupported_network', 'not_in_attempts', null],
    nullable: true,
    example: null,
    description: 'Why the processor was skipped; null for a call',
  })
  reason!: 'unavailable' | 'unsupported_currency' | 'unsupported_network' | 'not_in_attempts' | null;

  @ApiProperty({ type: 'integer', nullable: true, example: 12, description: 'null until the call answered, and for a skip' })
  duration_ms!: number | null;
}

export class Payment {
  @ApiProperty({ example: 'pay_stg_2Jx7Qm4Lk9Wd' })
  id!: string;

  @ApiProperty({ enum: ['payment'] })
  object!: 'payment';

  @ApiProperty({ example: 'cs_stg_6Tg2Kp9Xm4Wd' })
  checkout_session_id!: string;

  @ApiProperty({ enum: PAYMENT_STATUSES, example: 'succeeded', description: 'processing: the cascade still runs; read the payment again later' })
  status!: (typeof PAYMENT_STATUSES)[number];

  @ApiProperty({ type: 'integer', example: 4900, description: 'Of the tier the payment is in, succeeded in, or last failed in, in minor units' })
  amount!: number;

  @ApiProperty({ example: 'USD' })
  currency!: string;

  @ApiProperty({ type: 'integer', minimum: 0, example: 0 })
  tier!: number;

  @ApiProperty({ type: String, nullable: true, example: 'proc_stg_4f8Kd2mQ9xTa', description: 'The approving processor, else the last one called' })
  processor_id!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'proute_stg_8Wc3Nf6Lp2Qz' })
  route_id!: string | null;

  @ApiProperty({ type: 'integer', nullable: true, example: 1, description: 'The revision of the route the tier used' })
  route_revision!: number | null;

  @ApiProperty({ type: String, nullable: true, example: 'A1B2C3' })
  auth_code!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '00', description: 'Of the last processor answer' })
  response_code!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'Approved' })
  response_summary!: string | null;

  @ApiProperty({ enum: ['hard_decline', 'all_tiers_failed', null], nullable: true, example: null })
  failure_reason!: 'hard_decline' | 'all_tiers_failed' | null;

  @ApiProperty({ type: PaymentSource })
  source!: PaymentSource;

  @ApiProperty({ type: [PaymentAttempt], description: 'Every processor tried or skipped, in order' })
  attempts!: PaymentAttempt[];

  @ApiProperty({ format: 'date-time', example: '2026-11-21T10:00:00.000Z' })
  created_at!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, example: '2026-11-21T10:00:00.045Z', description: 'null while processing' })
  completed_at!: string | null;
}

/** GET /v1/payments/{id}/events: the whole stream, not paginated. */
export class PaymentEventList {
  @ApiProperty({ type: [StoredEvent] })
  items!: StoredEvent[];
}

export const PaymentPage = PageOf(Payment);

/** The README's pay: a test card that passes the Luhn check. */
export const PAY_EXAMPLE: PayDto = {
  payment_method: { type: 'card', card: { number: '4242424242424242', exp_month: 12, exp_year: 2030, cvc: '123' } },
};

/** The README's cascade: the decliner declines with 51, the cascade moves on, the approver approves. */
export const PAYMENT_EXAMPLE: Payment = {
  id: 'pay_stg_2Jx7Qm4Lk9Wd',
  object: 'payment',
  checkout_session_id: 'cs_stg_6Tg2Kp9Xm4Wd',
  status: 'succeeded',
  amount: 4900,
  currency: 'USD',
  tier: 0,
  processor_id: 'proc_stg_Approver3Xm8',
  route_id: 'proute_stg_8Wc3Nf6Lp2Qz',
  route_revision: 1,
  auth_code: 'A1B2C3',
  response_code: '00',
  response_summary: 'Approved',
  failure_reason: null,
  source: { type: 'card', last4: '4242', bin: '424242', network: 'visa', fingerprint: 'c0a8f3e1b2d4968570e1f2a3b4c5d6e7' },
  attempts: [
    { tier: 0, processor_id: 'proc_stg_Decliner7Kq2', kind: 'attempted', outcome: 'declined', optimized: false, code: '51', reason: null, duration_ms: 3 },
    { tier: 0, processor_id: 'proc_stg_Approver3Xm8', kind: 'attempted', outcome: 'approved', optimized: false, code: '00', reason: null, duration_ms: 2 },
  ],
  created_at: '2026-11-21T10:00:00.000Z',
  completed_at: '2026-11-21T10:00:00.012Z',
};
