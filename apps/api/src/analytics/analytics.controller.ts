import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AnalyticsReader } from '@payments/orchestration';
import { ApiProblems } from '../http/api-problems';
import { Auth, CurrentPrincipal, Principal, accountOf } from '../http/principal';
import { AnalyticsWindowQuery, ProcessorAnalyticsQuery } from './analytics.dto';
import { PROCESSOR_ANALYTICS_EXAMPLE, ROUTE_ANALYTICS_EXAMPLE } from './analytics.examples';
import { ProcessorAnalyticsReport, RouteTierAnalyticsReport } from './analytics.schema';

const COUNTED =
  'Counted from the stored payment events by a projection (never on the request path), in hourly buckets: every number of a payment counts in the hour it started ' +
  '(its `created_at`), so a payment is wholly inside or outside a window. The read model follows the event log within moments (its lag is in /metrics). docs/analytics.md has a worked example.';
const BAD_WINDOW = 'from or to is not an ISO 8601 timestamp with a time zone (or a date), from is not before to after rounding to whole hours, or the window is longer than 31 days.';

@ApiTags('Analytics')
@ApiBearerAuth()
@Controller('v1/analytics')
export class AnalyticsController {
  constructor(private readonly reader: AnalyticsReader) {}

  @Get('processors')
  @Auth('secret')
  @ApiOperation({
    operationId: 'getProcessorAnalytics',
    summary: 'Per processor: payments that called it, their outcomes, approval rate, latency percentiles and decline codes',
    description:
      `${COUNTED} A payment counts once per processor, by the answer to its last call there: an optimized retry, the same processor in another tier, ` +
      'or a call re-sent after a crash is not a second attempt. `approval_rate` = approved / attempts. `currency` and `card_network` keep the payments ' +
      'whose first call to the processor was in that currency and over that network.',
  })
  @ApiOkResponse({ type: ProcessorAnalyticsReport, example: PROCESSOR_ANALYTICS_EXAMPLE })
  @ApiProblems({ 400: BAD_WINDOW })
  processors(@Query() query: ProcessorAnalyticsQuery, @CurrentPrincipal() principal: Principal) {
    return this.reader.processors(accountOf(principal), { from: query.from, to: query.to, currency: query.currency, cardNetwork: query.card_network });
  }

  @Get('routes')
  @Auth('secret')
  @ApiOperation({
    operationId: 'getRouteAnalytics',
    summary: 'Per route and tier: payments, successes, the share approved by the first processor tried, and processors called per payment',
    description: `${COUNTED} A tier that ran without a route (the account default processor, then the others) has \`route_id: null\`.`,
  })
  @ApiOkResponse({ type: RouteTierAnalyticsReport, example: ROUTE_ANALYTICS_EXAMPLE })
  @ApiProblems({ 400: BAD_WINDOW })
  routes(@Query() query: AnalyticsWindowQuery, @CurrentPrincipal() principal: Principal) {
    return this.reader.routes(accountOf(principal), { from: query.from, to: query.to });
  }
}
