import { Inject, Injectable } from '@nestjs/common';
import { AnalyticsWindow, Clock, analyticsWindow, hourStart } from '@payments/domain';
import { ReadModelStore } from '@payments/read-models';
import { ProcessorAnalytics, RouteTierAnalytics, processorAnalytics, routeAnalytics } from '@payments/read-models/projections/analytics-reports';
import { READ_MODEL_STORE } from '../projections/read-models.tokens';
import { CLOCK } from '../tokens';

/** An analytics answer: the whole hours it covers, and its rows. */
export interface AnalyticsReport<Item> {
  /** The first hour counted, ISO 8601. */
  from: string;
  /** The end of the last hour counted (excluded), ISO 8601. */
  to: string;
  items: Item[];
}

export interface AnalyticsQuery {
  from?: string;
  to?: string;
}

/**
 * Reads of the analytics read model. The window's default ("the last 24 hours") is reckoned by
 * the service's clock, the same clock whose time payments record as their start, which is the
 * hour their numbers count in.
 */
@Injectable()
export class AnalyticsReader {
  constructor(
    @Inject(READ_MODEL_STORE) private readonly store: ReadModelStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Malformed (400) for a bad window; see analyticsWindow. */
  async processors(accountId: string, query: AnalyticsQuery & { currency?: string; cardNetwork?: string }): Promise<AnalyticsReport<ProcessorAnalytics>> {
    const window = analyticsWindow(query, this.clock.now());
    return report(window, await processorAnalytics(this.store, accountId, window, { currency: query.currency, network: query.cardNetwork }));
  }

  async routes(accountId: string, query: AnalyticsQuery): Promise<AnalyticsReport<RouteTierAnalytics>> {
    const window = analyticsWindow(query, this.clock.now());
    return report(window, await routeAnalytics(this.store, accountId, window));
  }
}

function report<Item>({ fromHour, toHour }: AnalyticsWindow, items: Item[]): AnalyticsReport<Item> {
  return { from: hourStart(fromHour), to: hourStart(toHour), items };
}
