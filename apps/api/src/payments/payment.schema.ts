import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CAPTURE_METHODS, CARD_FUNDINGS, CARD_NETWORKS, CaptureMethod, CardFunding, CardNetwork, ROUTE_STRATEGIES, RouteStrategy } from '@payments/domain';
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

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'US',
    description: 'The issuing country (ISO 3166-1 alpha-2) from the BIN table (the longest prefix of the number that the table holds); null when the table does not hold the BIN, and then no bin_country rule condition holds',
  })
  country!: string | null;

  @ApiProperty({ enum: CARD_FUNDINGS, example: 'credit', description: 'From the BIN table; unknown when the table does not hold the BIN' })
  funding!: CardFunding;
}

export class PaymentAttempt {
  @ApiProperty({ type: 'integer', minimum: 0, example: 0 })
  tier!: number;

  @ApiProperty({ example: 'proc_stg_4f8Kd2mQ9xTa' })
  processor_id!: string;

  @ApiProperty({ enum: ['attempted', 'skipped'], description: 'skipped: the processor was not called (see reason)' })
  kind!: 'attempted' | 'skipped';

  @ApiProperty({
    enum: ['approved', 'declined', 'timeout', 'error', null],
    nullable: true,
    example: 'declined',
    description:
      'null while the call has no answer, and for a skip. A timeout, and an error that may hide a charge (a connection error, a 5xx), is not a decline: ' +
      'see resolution for what the processor later said of it',
  })
  outcome!: 'approved' | 'declined' | 'timeout' | 'error' | null;

  @ApiProperty({ example: false, description: 'An optimized retry on the same processor' })
  optimized!: boolean;

  @ApiProperty({ type: String, nullable: true, example: '51', description: "The processor's response code" })
  code!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description:
      'For a skip, why the processor was skipped: unavailable, unsupported_currency, unsupported_network or not_in_attempts. For a call that timed out or ' +
      'failed, why, in words for people (e.g. "could not reach the processor (ECONNREFUSED)", "the processor did not answer within 5000 ms"; not a stable value). ' +
      'null otherwise',
  })
  reason!: string | null;

  @ApiProperty({ type: 'integer', nullable: true, example: 12, description: 'null until the call answered, and for a skip' })
  duration_ms!: number | null;

  @ApiProperty({
    enum: [null, 'unresolved', 'not_charged', 'late_approval_voided'],
    nullable: true,
    example: null,
    description:
      'Of a call whose outcome may hide a charge (a timeout, a connection error, a 5xx, or a call the payment ended without an answer to; docs/events.md, "Outcomes ' +
      'that may hide a charge"): unresolved while the processor has not said what became of it, or it approved late and that approval is not undone yet (or its undoing ' +
      'was refused: the payment events say so); not_charged when it declined, never saw the call, or no longer holds the money; late_approval_voided when it ' +
      'approved late and the service voided (or, for a sale, refunded) that approval. A late approval is never the payment\'s approval. null for every other attempt',
  })
  resolution!: 'unresolved' | 'not_charged' | 'late_approval_voided' | null;
}

export class ProcessorCost {
  @ApiProperty({ example: 'proc_stg_4f8Kd2mQ9xTa' })
  processor_id!: string;

  @ApiProperty({ type: Number, nullable: true, example: 175, description: 'amount * fees.percent / 100 + fees.fixed, in minor units; null: the processor has no fees' })
  cost!: number | null;
}

export class ApprovalSegment {
  @ApiProperty({ enum: CARD_NETWORKS, example: 'visa' })
  network!: CardNetwork;

  @ApiProperty({ example: 'USD' })
  currency!: string;
}

export class ProcessorRate {
  @ApiProperty({ example: 'proc_stg_4f8Kd2mQ9xTa' })
  processor_id!: string;

  @ApiProperty({ example: 0.9, minimum: 0, maximum: 1, description: 'approved / attempts, or the route\'s default_rate on a cold start' })
  rate!: number;

  @ApiProperty({ type: 'integer', example: 200, description: "The processor's attempts in the segment within the route's window" })
  attempts!: number;

  @ApiProperty({ type: 'integer', example: 180, description: 'Of those, the approved ones' })
  approved!: number;

  @ApiProperty({ example: false, description: 'Fewer than min_samples attempts: the rate is the default_rate' })
  cold_start!: boolean;
}

/** Which fields it has depends on the strategy; a priority tier's is empty (the order is the listed one). */
export class RoutingWhy {
  @ApiPropertyOptional({ type: String, nullable: true, description: "Without a route: the account's default processor, put first (then connection order)" })
  default_processor_id?: string | null;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, maximum: 99, description: "volume_split: the payment's draw, from a hash of its id; the listed shares take 0..99 in turn" })
  draw?: number;

  @ApiPropertyOptional({ type: 'integer', nullable: true, description: 'rule_based: the index of the first rule whose conditions all held; null: none held, the default list' })
  matched_rule?: number | null;

  @ApiPropertyOptional({ type: String, nullable: true, description: "rule_based: the card's issuing country from the BIN table; null: the BIN is not in the table, so no bin_country condition held" })
  bin_country?: string | null;

  @ApiPropertyOptional({ type: [ProcessorCost], description: "cost_optimized: each listed processor's fee for the tier's amount" })
  costs?: ProcessorCost[];

  @ApiPropertyOptional({ type: ApprovalSegment, description: 'auth_rate: the segment whose rates were used' })
  segment?: ApprovalSegment;

  @ApiPropertyOptional({ type: [ProcessorRate], description: "auth_rate: each listed processor's rate, with its sample counts, as read when the tier started" })
  rates?: ProcessorRate[];

  @ApiPropertyOptional({ description: 'auth_rate: the payment explored: it tried the processors as listed instead of by rate' })
  explored?: boolean;

  @ApiPropertyOptional({ minimum: 0, maximum: 100, description: "auth_rate: the payment's exploration draw in [0, 100), from a hash of its id; below exploration_percent it explores" })
  exploration_draw?: number;
}

export class PaymentTierRouting {
  @ApiProperty({ type: 'integer', minimum: 0, example: 0 })
  tier!: number;

  @ApiProperty({ type: String, nullable: true, example: 'proute_stg_8Wc3Nf6Lp2Qz', description: 'null: the tier had no route' })
  route_id!: string | null;

  @ApiProperty({ type: 'integer', nullable: true, example: 1 })
  route_revision!: number | null;

  @ApiProperty({ enum: ROUTE_STRATEGIES, example: 'auth_rate', description: 'priority without a route' })
  strategy!: RouteStrategy;

  @ApiProperty({ type: [String], example: ['proc_stg_Approver3Xm8', 'proc_stg_Decliner7Kq2'], description: "The strategy's order, before the payer's routing.attempts and before any skip" })
  order!: string[];

  @ApiProperty({ type: RoutingWhy, nullable: true, description: 'What decided the order; null for a tier started before it was recorded' })
  why!: RoutingWhy | null;
}

export class Payment {
  @ApiProperty({ example: 'pay_stg_2Jx7Qm4Lk9Wd' })
  id!: string;

  @ApiProperty({ enum: ['payment'] })
  object!: 'payment';

  @ApiProperty({ example: 'cs_stg_6Tg2Kp9Xm4Wd' })
  checkout_session_id!: string;

  @ApiProperty({
    enum: PAYMENT_STATUSES,
    example: 'succeeded',
    description:
      'processing: the cascade still runs; read the payment again later. requires_capture: a manual payment was approved and its amount is held until ' +
      'POST /v1/payments/{id}/capture (then succeeded) or /void (then canceled); an authorization not captured within 7 days is voided by the service (canceled).',
  })
  status!: (typeof PAYMENT_STATUSES)[number];

  @ApiProperty({ type: 'integer', example: 4900, description: 'Of the tier the payment is in, succeeded in, or last failed in, in minor units' })
  amount!: number;

  @ApiProperty({
    type: 'integer',
    minimum: 0,
    example: 4900,
    description: 'Taken from the card: the whole amount once an automatic payment succeeds, the captured amount once a manual one is captured (a partial capture takes less), else 0',
  })
  amount_captured!: number;

  @ApiProperty({ type: 'integer', minimum: 0, example: 0, description: 'The sum of the refunds that succeeded; at most amount_captured' })
  amount_refunded!: number;

  @ApiProperty({ enum: CAPTURE_METHODS, example: 'automatic', description: "The checkout session's: automatic, the approval takes the money; manual, it only holds it (requires_capture)" })
  capture_method!: CaptureMethod;

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

  @ApiProperty({
    enum: ['hard_decline', 'all_tiers_failed', 'processing_error', null],
    nullable: true,
    example: null,
    description:
      'hard_decline: a hard decline ended the payment; all_tiers_failed: every tier failed; processing_error: the service could not take the payment further ' +
      '(a route or processor that cannot be read, a step that kept failing past its retries): the PaymentFailed event says why (failure_detail)',
  })
  failure_reason!: 'hard_decline' | 'all_tiers_failed' | 'processing_error' | null;

  @ApiProperty({ type: PaymentSource })
  source!: PaymentSource;

  @ApiProperty({ type: [PaymentAttempt], description: 'Every processor tried or skipped, in order' })
  attempts!: PaymentAttempt[];

  @ApiProperty({ type: [PaymentTierRouting], description: 'How each tier started ordered its processors, and why (TierStarted), in order' })
  routing!: PaymentTierRouting[];

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
  amount_captured: 4900,
  amount_refunded: 0,
  capture_method: 'automatic',
  currency: 'USD',
  tier: 0,
  processor_id: 'proc_stg_Approver3Xm8',
  route_id: 'proute_stg_8Wc3Nf6Lp2Qz',
  route_revision: 1,
  auth_code: 'A1B2C3',
  response_code: '00',
  response_summary: 'Approved',
  failure_reason: null,
  source: { type: 'card', last4: '4242', bin: '424242', network: 'visa', fingerprint: 'c0a8f3e1b2d4968570e1f2a3b4c5d6e7', country: 'US', funding: 'credit' },
  attempts: [
    { tier: 0, processor_id: 'proc_stg_Decliner7Kq2', kind: 'attempted', outcome: 'declined', optimized: false, code: '51', reason: null, duration_ms: 3, resolution: null },
    { tier: 0, processor_id: 'proc_stg_Approver3Xm8', kind: 'attempted', outcome: 'approved', optimized: false, code: '00', reason: null, duration_ms: 2, resolution: null },
  ],
  routing: [{ tier: 0, route_id: 'proute_stg_8Wc3Nf6Lp2Qz', route_revision: 1, strategy: 'priority', order: ['proc_stg_Decliner7Kq2', 'proc_stg_Approver3Xm8'], why: {} }],
  created_at: '2026-11-21T10:00:00.000Z',
  completed_at: '2026-11-21T10:00:00.012Z',
};

/** A payment of an auth_rate route: the approver had the best rate in visa / USD, so it went first. */
export const AUTH_RATE_PAYMENT_EXAMPLE: Payment = {
  ...PAYMENT_EXAMPLE,
  attempts: [{ tier: 0, processor_id: 'proc_stg_Approver3Xm8', kind: 'attempted', outcome: 'approved', optimized: false, code: '00', reason: null, duration_ms: 2, resolution: null }],
  routing: [
    {
      tier: 0,
      route_id: 'proute_stg_8Wc3Nf6Lp2Qz',
      route_revision: 2,
      strategy: 'auth_rate',
      order: ['proc_stg_Approver3Xm8', 'proc_stg_Decliner7Kq2'],
      why: {
        segment: { network: 'visa', currency: 'USD' },
        rates: [
          { processor_id: 'proc_stg_Decliner7Kq2', rate: 0.31, attempts: 200, approved: 62, cold_start: false },
          { processor_id: 'proc_stg_Approver3Xm8', rate: 0.9, attempts: 200, approved: 180, cold_start: false },
        ],
        explored: false,
        exploration_draw: 63.17,
      },
    },
  ],
};
