import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString } from 'class-validator';
import { CARD_NETWORKS, CardNetwork } from '@payments/domain';
import { IsCurrencyCode } from '../http/currency-code.validator';

// The DTOs check the shape (400); what a value means for the window (rounding to whole hours,
// from before to, at most 31 days) is the domain's analyticsWindow, 400 too, as for every query.

const WINDOW =
  'Counted in whole UTC hours, by the hour each payment started: a value inside an hour takes in that whole hour (from is rounded down, to up; a to on the hour ends the window there). ' +
  'An ISO 8601 timestamp with a time zone (`2026-11-21T10:00:00Z`, `2026-11-21T12:00:00+02:00`) or a date (midnight UTC).';

export class AnalyticsWindowQuery {
  @ApiPropertyOptional({ example: '2026-11-20T00:00:00Z', description: `Start of the window. Default: 24 hours before to. ${WINDOW}` })
  @IsOptional()
  @IsString()
  from?: string;

  @ApiPropertyOptional({ example: '2026-11-21T00:00:00Z', description: `End of the window (excluded). Default: the end of the current hour. At most 31 days after from. ${WINDOW}` })
  @IsOptional()
  @IsString()
  to?: string;
}

export class ProcessorAnalyticsQuery extends AnalyticsWindowQuery {
  @ApiPropertyOptional({ example: 'USD', description: "Only payments whose first call to the processor (for `skipped`, its first skip) was in this currency, the tier's" })
  @IsOptional()
  @IsCurrencyCode()
  currency?: string;

  @ApiPropertyOptional({ enum: CARD_NETWORKS, example: 'visa', description: 'Only payments whose first call to the processor (for `skipped`, its first skip) went over this card network' })
  @IsOptional()
  @IsIn(CARD_NETWORKS)
  card_network?: CardNetwork;
}
