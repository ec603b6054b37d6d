import { AnalyticsWindow } from '@payments/domain';
import { ReadModelStore } from '../read-model-store';
import { ANALYTICS_COLLECTIONS, AnalyticsHour, ProcessorHour, RouteTierHour, hourId, processorHourId, routeHourId } from './analytics';
import { latencyPercentiles } from './analytics-latency';

/** Numbers of one processor over a window, as API.md's "Analytics" answers them. */
export interface ProcessorAnalytics {
  processor_id: string;
  attempts: number;
  approved: number;
  declined: number;
  timeouts: number;
  errors: number;
  skipped: number;
  /** approved / attempts, to 4 decimals; null without attempts. */
  approval_rate: number | null;
  p50_ms: number | null;
  p95_ms: number | null;
  decline_codes: Record<string, number>;
}

export interface RouteTierAnalytics {
  route_id: string | null;
  tier: number;
  payments: number;
  succeeded: number;
  /** Payments approved by the first processor the tier called / payments, to 4 decimals. */
  first_processor_success_share: number;
  /** Processors called per payment (each once per payment), to 4 decimals. */
  mean_attempts: number;
}

export interface SegmentFilter {
  currency?: string;
  network?: string;
}

/** The account's processors with any payment in the window's hours and segments, by processor id. */
export async function processorAnalytics(store: ReadModelStore, accountId: string, window: AnalyticsWindow, filter: SegmentFilter = {}): Promise<ProcessorAnalytics[]> {
  const listings = await hourListings(store, accountId, window);
  const ids = listings.flatMap(({ hour, processors }) =>
    processors
      .filter(({ currency, network }) => (filter.currency ?? currency) === currency && (filter.network ?? network) === network)
      .map((segment) => processorHourId(accountId, hour, segment.processor_id, segment)),
  );
  const buckets = defined(await store.getMany<ProcessorHour>(ANALYTICS_COLLECTIONS.processorHours, ids));
  return [...groupBy(buckets, (bucket) => bucket.processor_id)].sort(([a], [b]) => compare(a, b)).map(([processorId, of]) => sumProcessor(processorId, of));
}

/** The account's routes and tiers with any payment in the window's hours, by route id (no route last), then tier. */
export async function routeAnalytics(store: ReadModelStore, accountId: string, window: AnalyticsWindow): Promise<RouteTierAnalytics[]> {
  const listings = await hourListings(store, accountId, window);
  const ids = listings.flatMap(({ hour, routes }) => routes.map(({ route_id, tier }) => routeHourId(accountId, hour, route_id, tier)));
  const buckets = defined(await store.getMany<RouteTierHour>(ANALYTICS_COLLECTIONS.routeHours, ids));
  const groups = [...groupBy(buckets, (bucket) => `${bucket.route_id ?? ''}:${bucket.tier}`).values()];
  return groups.map(sumRouteTier).sort((a, b) => (a.route_id === b.route_id ? a.tier - b.tier : a.route_id === null ? 1 : b.route_id === null ? -1 : compare(a.route_id, b.route_id)));
}

async function hourListings(store: ReadModelStore, accountId: string, { fromHour, toHour }: AnalyticsWindow): Promise<AnalyticsHour[]> {
  const ids = Array.from({ length: toHour - fromHour }, (_, offset) => hourId(accountId, fromHour + offset));
  return defined(await store.getMany<AnalyticsHour>(ANALYTICS_COLLECTIONS.hours, ids));
}

function sumProcessor(processorId: string, buckets: readonly ProcessorHour[]): ProcessorAnalytics {
  const sum = (field: 'attempts' | 'approved' | 'declined' | 'timeouts' | 'errors' | 'skipped') => buckets.reduce((total, bucket) => total + bucket[field], 0);
  const attempts = sum('attempts');
  const approved = sum('approved');
  const declineCodes: Record<string, number> = {};
  for (const bucket of buckets) for (const [code, n] of Object.entries(bucket.decline_codes)) declineCodes[code] = (declineCodes[code] ?? 0) + n;
  return {
    processor_id: processorId,
    attempts,
    approved,
    declined: sum('declined'),
    timeouts: sum('timeouts'),
    errors: sum('errors'),
    skipped: sum('skipped'),
    approval_rate: attempts === 0 ? null : ratio(approved, attempts),
    ...latencyPercentiles(buckets.map((bucket) => bucket.latency)),
    decline_codes: Object.fromEntries(Object.entries(declineCodes).sort(([a], [b]) => compare(a, b))),
  };
}

function sumRouteTier(buckets: readonly RouteTierHour[]): RouteTierAnalytics {
  const sum = (field: 'payments' | 'succeeded' | 'first_processor_succeeded' | 'attempts') => buckets.reduce((total, bucket) => total + bucket[field], 0);
  const payments = sum('payments');
  return {
    route_id: buckets[0].route_id,
    tier: buckets[0].tier,
    payments,
    succeeded: sum('succeeded'),
    first_processor_success_share: ratio(sum('first_processor_succeeded'), payments),
    mean_attempts: ratio(sum('attempts'), payments),
  };
}

/** A bucket exists only once something counted in it, so `payments` is never 0 here. */
function ratio(part: number, whole: number): number {
  return Math.round((part / whole) * 10_000) / 10_000;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

function defined<T>(items: readonly (T | undefined)[]): T[] {
  return items.filter((item): item is T => item !== undefined);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
