import { ApiProperty } from '@nestjs/swagger';
import { MAX_EVENTS_EXAMINED } from '@payments/orchestration';

// What presentEvent answers, field by field, and the event stream's page around it.

/** A stored event (docs/events.md "Envelope"), as a payment's events and the event stream show it. */
export class StoredEvent {
  @ApiProperty({ example: 'evt_stg_0f8e2a4b6c8d4e0f9a1b2c3d4e5f6a7b', description: 'Unique per event: consumers dedupe on it' })
  id!: string;

  @ApiProperty({ example: 'ProcessorDeclined', description: 'The event types and their data are listed in docs/events.md.' })
  type!: string;

  @ApiProperty({
    example: 'payment-pay_stg_2Jx7Qm4Lk9Wd',
    description: 'The stream it belongs to, `<category>-<id>`; a token stream, named by the token\'s hash, shows as `account_token-[redacted]`',
  })
  stream!: string;

  @ApiProperty({ type: 'integer', minimum: 0, example: 3, description: 'Position in its stream, from 0' })
  revision!: number;

  @ApiProperty({ type: 'integer', minimum: 0, example: 118, description: 'Position in the global log: only grows, not contiguous' })
  position!: number;

  @ApiProperty({ format: 'date-time', example: '2026-11-21T10:00:00.020Z', description: 'When the store committed it' })
  created_at!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { payment_id: 'pay_stg_2Jx7Qm4Lk9Wd', tier: 0, processor_id: 'proc_stg_Decliner7Kq2', attempt: 1, optimized: false, code: '51', hard: false, duration_ms: 3 },
    description: "The event's data; secrets (a processor's signing secret, a token's hash) read `[redacted]`",
  })
  data!: Record<string, unknown>;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { account_id: 'acc_stg_sandbox', request_id: 'req_9Xk2Lm5Qd8Wz', correlation_id: 'req_9Xk2Lm5Qd8Wz', causation_id: 'req_9Xk2Lm5Qd8Wz', schema_version: 1 },
    description: 'account_id, request_id, correlation_id, causation_id (an event id when a saga step caused it), schema_version',
  })
  metadata!: Record<string, unknown>;
}

/** GET /v1/events: a page of the account's events after a position of the global log. */
export class EventList {
  @ApiProperty({ type: [StoredEvent], description: "The account's events after `after`, in global order; possibly none" })
  items!: StoredEvent[];

  @ApiProperty({
    type: 'integer',
    minimum: 0,
    example: 118,
    description: 'Pass as `after` for the next page, also after an empty page: the position of the last event this page examined (of any account), else `after` itself',
  })
  next_after!: number;

  @ApiProperty({
    example: false,
    description: `true: the page stopped before the end of the log (it filled \`limit\`, or examined ${MAX_EVENTS_EXAMINED} events of the log), so read the next page at once; false: it reached the end, so poll again later`,
  })
  has_more!: boolean;
}
