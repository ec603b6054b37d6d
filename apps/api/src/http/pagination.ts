import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import { IntegerFromString } from './integer-from-string';

/**
 * `limit` and `offset` of every list; list queries with filters extend it. Out of range: 400.
 * The fields are typed explicitly: the OpenAPI document reads each query parameter's type from
 * `design:type`, which is Object for a property typed only by its initializer, and leaves such
 * parameters out.
 */
export class PaginationQuery {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 100, default: 50, description: 'Page size' })
  @IntegerFromString()
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 50;

  @ApiPropertyOptional({ type: 'integer', minimum: 0, default: 0, description: 'How many matching items to skip' })
  @IntegerFromString()
  @IsInt()
  @Min(0)
  offset: number = 0;
}

/** The body of every list response. */
export interface Page<T> {
  items: T[];
  /** How many items match, across all pages. */
  total: number;
  has_more: boolean;
}

/** `items` is the page that `query` selected out of `total` matching items. */
export function toPage<T>(items: T[], total: number, query: PaginationQuery): Page<T> {
  return { items, total, has_more: query.offset + items.length < total };
}
