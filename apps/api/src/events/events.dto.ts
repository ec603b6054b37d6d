import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { IntegerFromString } from '../http/integer-from-string';

/** A global-log position as a query or header value: up to 18 decimal digits (any position a log reaches, below 2^63). */
export const POSITION = /^(0|[1-9]\d{0,17})$/;

/** Event type names as the catalog spells them (PascalCase); the shape only, so a type that is new or not yet written is valid. */
const TYPE_NAME = /^[A-Z][A-Za-z0-9]{0,99}$/;
const MAX_TYPES = 50;

/** `after` and `type`, shared by the page and the SSE stream. Query strings are always 400 when wrong. */
export class EventStreamQuery {
  @ApiPropertyOptional({
    type: 'string',
    pattern: POSITION.source,
    example: '118',
    description: 'Only events strictly after this position of the global log (a `position` or `next_after` seen before); omitted: from the start',
  })
  @IsOptional()
  @IsString()
  @Matches(POSITION, { message: 'after must be a position: decimal digits without a sign or leading zeros' })
  after?: string;

  @ApiPropertyOptional({
    type: [String],
    example: ['PaymentSucceeded', 'PaymentFailed'],
    description:
      `Only events of these types (docs/events.md); repeatable or comma separated, up to ${MAX_TYPES}. ` +
      'A well-formed name of a type that no event has matches nothing (no error), so a consumer may name a type before the service writes it; check spelling against the catalog.',
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === undefined ? value : [value].flat().flatMap((item: unknown) => (typeof item === 'string' ? item.split(',') : [item]))))
  @IsString({ each: true })
  @Matches(TYPE_NAME, { each: true, message: 'each type must be an event type name such as PaymentSucceeded' })
  @ArrayMaxSize(MAX_TYPES)
  type?: string[];
}

export class ListEventsQuery extends EventStreamQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 50, description: 'Most events in the page' })
  @IntegerFromString()
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 50;
}
