import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import { IntegerFromString } from './integer-from-string';

/** `limit` and `offset` of every list (API.md "Conventions"); list queries with filters extend it. Out of range: 400. */
export class PaginationQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 50 })
  @IntegerFromString()
  @IsInt()
  @Min(1)
  @Max(100)
  limit = 50;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IntegerFromString()
  @IsInt()
  @Min(0)
  offset = 0;
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
