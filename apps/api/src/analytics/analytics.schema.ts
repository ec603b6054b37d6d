import { Type } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';

// What AnalyticsReader answers, field by field; docs/analytics.md says what each number counts,
// with a worked example.

export class ProcessorAnalytics {
  @ApiProperty({ example: 'proc_stg_4f8Kd2mQ9xTa' })
  processor_id!: string;

  @ApiProperty({
    type: 'integer',
    minimum: 0,
    example: 4,
    description:
      'Payments that called the processor and got an answer: once per payment, however many calls it made there (an optimized retry, another tier, a call re-sent after a crash). ' +
      'attempts = approved + declined + timeouts + errors. A call still waiting for its answer is not counted yet; a skip never is.',
  })
  attempts!: number;

  @ApiProperty({ type: 'integer', minimum: 0, example: 2, description: 'Of the attempts, the payments whose last call to the processor was approved' })
  approved!: number;

  @ApiProperty({ type: 'integer', minimum: 0, example: 1, description: 'Of the attempts, the payments whose last call to the processor was declined' })
  declined!: number;

  @ApiProperty({ type: 'integer', minimum: 0, example: 1, description: 'Of the attempts, the payments whose last call to the processor timed out' })
  timeouts!: number;

  @ApiProperty({ type: 'integer', minimum: 0, example: 0, description: 'Of the attempts, the payments whose last call to the processor failed (connection error, 5xx)' })
  errors!: number;

  @ApiProperty({
    type: 'integer',
    minimum: 0,
    example: 1,
    description: 'Payments that skipped the processor (unavailable, currency or network not supported), once per payment; apart from attempts. Processors left out by routing.attempts are not counted.',
  })
  skipped!: number;

  @ApiProperty({ type: Number, nullable: true, minimum: 0, maximum: 1, example: 0.5, description: 'approved / attempts, to 4 decimals; null without attempts' })
  approval_rate!: number | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 120.31456328864704,
    description:
      "Median duration of the processor's answered calls (every call, optimized retries and timeouts included), unrounded, within 1 % of the exact median " +
      '(the duration of rank ⌊q·(n−1)⌋ of the n sorted durations, q = 0.5); null without any',
  })
  p50_ms!: number | null;

  @ApiProperty({ type: Number, nullable: true, example: 130.33555804543153, description: '95th percentile of the same durations (q = 0.95), within 1 % of exact; null without any' })
  p95_ms!: number | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer', minimum: 1 },
    example: { '05': 1 },
    description: 'The declined payments by the code of their last decline (`none`: declined without a code); adds up to declined',
  })
  decline_codes!: Record<string, number>;
}

export class RouteTierAnalytics {
  @ApiProperty({ type: String, nullable: true, example: 'proute_stg_8Wc3Nf6Lp2Qz', description: 'null: tiers that ran without a route (the account default processor, then the others)' })
  route_id!: string | null;

  @ApiProperty({ type: 'integer', minimum: 0, example: 0 })
  tier!: number;

  @ApiProperty({ type: 'integer', minimum: 1, example: 3, description: 'Payments that started this tier on this route' })
  payments!: number;

  @ApiProperty({ type: 'integer', minimum: 0, example: 2, description: 'Of those, the payments approved in this tier' })
  succeeded!: number;

  @ApiProperty({
    type: Number,
    minimum: 0,
    maximum: 1,
    example: 0.3333,
    description: 'Of the payments, the share approved by the first processor the tier called (an optimized retry on it included), to 4 decimals',
  })
  first_processor_success_share!: number;

  @ApiProperty({ type: Number, minimum: 0, example: 1.6667, description: 'Processors called in the tier per payment, each processor once per payment (skips not counted), to 4 decimals' })
  mean_attempts!: number;
}

/**
 * The OpenAPI schema of an analytics answer, `{from, to, items}`, named `<Item>Report`. Not a
 * page: an account has a handful of processors and routes, so every row comes at once.
 */
function ReportOf<Item>(item: Type<Item>, order: string): Type<{ from: string; to: string; items: Item[] }> {
  class ItemReport {
    @ApiProperty({ example: '2026-11-20T11:00:00.000Z', description: "The first whole hour counted: the query's from rounded down to the hour" })
    from!: string;

    @ApiProperty({ example: '2026-11-21T11:00:00.000Z', description: "The end of the last hour counted, excluded: the query's to rounded up to the hour" })
    to!: string;

    @ApiProperty({ type: [item], description: `Every ${order}; not paginated` })
    items!: Item[];
  }
  Object.defineProperty(ItemReport, 'name', { value: `${item.name}Report` });
  return ItemReport;
}

export const ProcessorAnalyticsReport = ReportOf(ProcessorAnalytics, 'processor with a payment in the window, by processor id');
export const RouteTierAnalyticsReport = ReportOf(RouteTierAnalytics, 'route and tier with a payment in the window, by route id (null last), then tier');
