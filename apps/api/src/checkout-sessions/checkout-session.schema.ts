import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CAPTURE_METHODS, CaptureMethod } from '@payments/domain';
import { PageOf } from '../http/page.schema';
import { CreateCheckoutSessionDto } from './checkout-session.dto';

// What presentCheckoutSession and presentCheckoutSessionToPublishable answer, field by field.

const STATUS = { enum: ['open', 'complete', 'expired'], description: 'An open session past expires_at reads as expired.' } as const;
const PAYMENT_STATUS = { enum: ['unpaid', 'paid'] } as const;
const TIMESTAMP = { format: 'date-time', example: '2026-11-21T10:00:00.000Z' } as const;
const CAPTURE_METHOD = {
  enum: CAPTURE_METHODS,
  example: 'automatic',
  description: 'automatic: the approval captures the money. manual: it only authorizes (the payment is requires_capture) until POST /v1/payments/{id}/capture or /void; voided by the service after 7 days.',
} as const;
const CUSTOM_FIELDS = { type: 'object', additionalProperties: { type: 'string' }, example: { order_id: 'order_12345' } } as const;

export class SessionLineItem {
  @ApiProperty({ example: 'price_stg_3b9Xk2Lm7Qw' })
  price_id!: string;

  @ApiProperty({ example: 'prod_stg_7f3k2m9q1x' })
  product_id!: string;

  @ApiProperty({ type: 'integer', example: 1 })
  quantity!: number;

  @ApiProperty({ type: 'integer', example: 4900, description: "The price's unit amount when the session was created" })
  unit_amount!: number;

  @ApiProperty({ type: 'integer', example: 4900, description: 'unit_amount * quantity' })
  amount_subtotal!: number;
}

/** A tier's amounts, as a publishable token sees them. */
export class PublishableSessionTier {
  @ApiProperty({ type: 'integer', minimum: 0, example: 0, description: '0 for line_items, then one per cascade tier' })
  index!: number;

  @ApiProperty({ type: [SessionLineItem] })
  line_items!: SessionLineItem[];

  @ApiProperty({ type: 'integer', example: 4900 })
  amount_subtotal!: number;

  @ApiProperty({ type: 'integer', example: 0, description: "The coupon's or promotion code's discount" })
  amount_discount!: number;

  @ApiProperty({ type: 'integer', example: 4900, description: 'What a payment in this tier charges' })
  amount_total!: number;

  @ApiProperty({ example: 'USD' })
  currency!: string;
}

export class CheckoutSessionTier extends PublishableSessionTier {
  @ApiProperty({ type: String, nullable: true, example: null, description: "null: the session's route applies" })
  processor_route_id!: string | null;
}

export class SessionParamsForSub {
  @ApiPropertyOptional(CUSTOM_FIELDS)
  custom_fields?: Record<string, string>;
}

/** A session as a secret token sees it. */
export class CheckoutSession {
  @ApiProperty({ example: 'cs_stg_6Tg2Kp9Xm4Wd' })
  id!: string;

  @ApiProperty({ enum: ['checkout_session'] })
  object!: 'checkout_session';

  @ApiProperty(STATUS)
  status!: 'open' | 'complete' | 'expired';

  @ApiProperty(PAYMENT_STATUS)
  payment_status!: 'unpaid' | 'paid';

  @ApiProperty({ example: 'cs_stg_6Tg2Kp9Xm4Wd_9f86d081884c7d659a2feaa0c55ad015', description: 'The session id and a signature: opens the hosted checkout page of this one session' })
  secure_token!: string;

  @ApiProperty({ example: 'http://localhost:3000/checkout/cs_stg_6Tg2Kp9Xm4Wd_9f86d081884c7d659a2feaa0c55ad015', description: 'The hosted checkout page' })
  url!: string;

  @ApiProperty({ type: String, nullable: true, example: null })
  customer_id!: string | null;

  @ApiProperty({ type: [CheckoutSessionTier], description: 'Tier 0 (line_items), then the cascade tiers, in the order a payment tries them' })
  tiers!: CheckoutSessionTier[];

  @ApiProperty({ type: String, nullable: true, example: 'proute_stg_8Wc3Nf6Lp2Qz' })
  processor_route_id!: string | null;

  @ApiProperty(CAPTURE_METHOD)
  capture_method!: CaptureMethod;

  @ApiProperty({ example: 'https://shop.example/ok?session_id={CHECKOUT_SESSION_ID}' })
  success_url!: string;

  @ApiProperty({ type: String, nullable: true, example: null })
  return_url!: string | null;

  @ApiProperty(TIMESTAMP)
  expires_at!: string;

  @ApiProperty(TIMESTAMP)
  created_at!: string;

  @ApiPropertyOptional({ ...CUSTOM_FIELDS, description: 'Only with expand=custom_fields' })
  custom_fields?: Record<string, string>;

  @ApiPropertyOptional({ type: SessionParamsForSub, nullable: true, description: 'Only with expand=custom_fields' })
  params_for_sub?: SessionParamsForSub | null;
}

/**
 * A session as a publishable token sees it: what a payment page needs, without customer,
 * custom fields, route ids or the secure link.
 */
export class PublishableCheckoutSession {
  @ApiProperty({ example: 'cs_stg_6Tg2Kp9Xm4Wd' })
  id!: string;

  @ApiProperty({ enum: ['checkout_session'] })
  object!: 'checkout_session';

  @ApiProperty(STATUS)
  status!: 'open' | 'complete' | 'expired';

  @ApiProperty(PAYMENT_STATUS)
  payment_status!: 'unpaid' | 'paid';

  @ApiProperty({ type: [PublishableSessionTier] })
  tiers!: PublishableSessionTier[];

  @ApiProperty({ example: 'https://shop.example/ok?session_id={CHECKOUT_SESSION_ID}' })
  success_url!: string;

  @ApiProperty({ type: String, nullable: true, example: null })
  return_url!: string | null;

  @ApiProperty(TIMESTAMP)
  expires_at!: string;

  @ApiProperty(TIMESTAMP)
  created_at!: string;
}

export const CheckoutSessionPage = PageOf(CheckoutSession);

/** The README's session, with one cheaper cascade tier. */
export const CREATE_SESSION_EXAMPLE: CreateCheckoutSessionDto = {
  line_items: [{ price_id: 'price_stg_3b9Xk2Lm7Qw', quantity: 1 }],
  cascade_line_items: [{ line_items: [{ price_id: 'price_stg_Basic4Tn8Zr', quantity: 1 }] }],
  processor_route_id: 'proute_stg_8Wc3Nf6Lp2Qz',
  success_url: 'https://shop.example/ok?session_id={CHECKOUT_SESSION_ID}',
};

export const SESSION_EXAMPLE: CheckoutSession = {
  id: 'cs_stg_6Tg2Kp9Xm4Wd',
  object: 'checkout_session',
  status: 'open',
  payment_status: 'unpaid',
  secure_token: 'cs_stg_6Tg2Kp9Xm4Wd_9f86d081884c7d659a2feaa0c55ad015',
  url: 'http://localhost:3000/checkout/cs_stg_6Tg2Kp9Xm4Wd_9f86d081884c7d659a2feaa0c55ad015',
  customer_id: null,
  tiers: [
    {
      index: 0,
      line_items: [{ price_id: 'price_stg_3b9Xk2Lm7Qw', product_id: 'prod_stg_7f3k2m9q1x', quantity: 1, unit_amount: 4900, amount_subtotal: 4900 }],
      amount_subtotal: 4900,
      amount_discount: 0,
      amount_total: 4900,
      currency: 'USD',
      processor_route_id: null,
    },
    {
      index: 1,
      line_items: [{ price_id: 'price_stg_Basic4Tn8Zr', product_id: 'prod_stg_7f3k2m9q1x', quantity: 1, unit_amount: 1900, amount_subtotal: 1900 }],
      amount_subtotal: 1900,
      amount_discount: 0,
      amount_total: 1900,
      currency: 'USD',
      processor_route_id: null,
    },
  ],
  processor_route_id: 'proute_stg_8Wc3Nf6Lp2Qz',
  capture_method: 'automatic',
  success_url: 'https://shop.example/ok?session_id={CHECKOUT_SESSION_ID}',
  return_url: null,
  expires_at: '2026-11-22T10:00:00.000Z',
  created_at: '2026-11-21T10:00:00.000Z',
};
