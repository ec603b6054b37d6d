import { PaymentEvent, categoryOf, domainEventOf, hourOf, isEventOf } from '@payments/domain';
import { Projection, ProjectionReader } from '../projection';
import { ReadModelWrite } from '../read-model-store';
import { LatencySketch, addLatency, emptyLatency } from './analytics-latency';

/**
 * Processor and route analytics, counted from the payment events into hourly buckets (see
 * docs/analytics.md for what each number counts). Everything a payment contributes goes into the
 * hour its PaymentStarted records (`started_at`, the payment's `created_at`), so a payment is
 * wholly inside or wholly outside a window. Per processor, a payment counts once however many
 * calls it made there (an optimized retry, the same processor again in another tier or through a
 * second routing attempt, a call re-sent after a crash): by the answer of its last call there,
 * in the segment (currency, card network) of its first call there.
 */
export const ANALYTICS_COLLECTIONS = {
  /** A running payment's tally, deleted when it finishes. */
  payments: 'analytics_payments',
  processorHours: 'analytics_processor_hours',
  routeHours: 'analytics_route_hours',
  /** Per account and hour, which buckets exist: a query reads these, then the buckets they name. */
  hours: 'analytics_hours',
} as const;

const { payments: PAYMENTS, processorHours: PROCESSOR_HOURS, routeHours: ROUTE_HOURS, hours: HOURS } = ANALYTICS_COLLECTIONS;

export type CallOutcome = 'approved' | 'declined' | 'timeout' | 'error';

export interface Segment {
  currency: string;
  network: string;
}

/** One processor, one hour, one currency and card network. */
export interface ProcessorHour extends Segment {
  account_id: string;
  hour: number;
  processor_id: string;
  /** Payments whose calls here have an answer; each also counts in exactly one of the four outcomes. */
  attempts: number;
  approved: number;
  declined: number;
  timeouts: number;
  errors: number;
  /** Payments that skipped it (unavailable, currency or network not supported). */
  skipped: number;
  /** The declined payments by their decline code (`none` without one): they add up to `declined`. */
  decline_codes: Record<string, number>;
  /** The duration of every answered call, as DDSketch bins (analytics-latency.ts). */
  latency: LatencySketch;
}

/** One route (null: a tier without a route), one tier index, one hour. */
export interface RouteTierHour {
  account_id: string;
  hour: number;
  route_id: string | null;
  tier: number;
  /** Payments that started the tier on the route. */
  payments: number;
  /** Of those, the ones approved in the tier. */
  succeeded: number;
  /** Of those, the ones approved by the first processor the tier called. */
  first_processor_succeeded: number;
  /** Processors called, each counted once per payment. */
  attempts: number;
}

export interface AnalyticsHour {
  account_id: string;
  hour: number;
  processors: (Segment & { processor_id: string })[];
  routes: { route_id: string | null; tier: number }[];
}

/** What analytics need to remember of a running payment. */
interface PaymentTally {
  account_id: string;
  hour: number;
  /** Per tier index. */
  currencies: string[];
  processors: Record<string, ProcessorTally>;
  tiers: Record<number, { route_id: string | null; called: string[] }>;
}

interface ProcessorTally {
  /** Of the payment's first call there; null while it was only skipped. */
  segment: Segment | null;
  /** The answer to the payment's last call there; null before the first answer. */
  outcome: CallOutcome | null;
  code: string | null;
  skipped: boolean;
}

const OUTCOME_FIELDS = { approved: 'approved', declined: 'declined', timeout: 'timeouts', error: 'errors' } as const;
const NO_CODE = 'none';

export const analytics: Projection = {
  name: 'analytics',
  collections: Object.values(ANALYTICS_COLLECTIONS),
  async project(event, reader) {
    // Most events of the log are not a payment's: tell by the stream name, before reading any tally.
    if (categoryOf(event.streamId) !== 'payment') return [];
    const payment = domainEventOf(event);
    if (!isEventOf(payment, 'payment')) return [];
    if (payment.type === 'PaymentStarted') {
      const { payment_id, account_id, tiers, started_at } = payment.data;
      const tally: PaymentTally = { account_id, hour: hourOf(started_at), currencies: tiers.map((tier) => tier.currency), processors: {}, tiers: {} };
      return [putTally(payment_id, tally)];
    }
    const tally = await reader.get<PaymentTally>(PAYMENTS, payment.data.payment_id);
    // A payment whose start this projection never saw has nothing to add to.
    return tally ? apply(tally, payment, reader) : [];
  },
};

async function apply(tally: PaymentTally, event: Exclude<PaymentEvent, { type: 'PaymentStarted' }>, reader: ProjectionReader): Promise<ReadModelWrite[]> {
  const paymentId = event.data.payment_id;
  switch (event.type) {
    case 'TierStarted': {
      const { tier, route_id } = event.data;
      tally.tiers[tier] = { route_id, called: [] };
      return [putTally(paymentId, tally), ...(await updateRouteHour(reader, tally, tier, (bucket) => bucket.payments++))];
    }
    case 'ProcessorSkipped': {
      const { tier, processor_id, network, reason } = event.data;
      const processor = processorTally(tally, processor_id);
      // Leaving out a processor the payment's routing.attempts did not name is the merchant's choice, not the processor's shortfall.
      if (reason === 'not_in_attempts' || processor.skipped) return [];
      processor.skipped = true;
      const segment = { currency: tally.currencies[tier], network };
      return [putTally(paymentId, tally), ...(await updateProcessorHour(reader, tally, processor_id, segment, (bucket) => bucket.skipped++))];
    }
    case 'ProcessorAttempted': {
      const { tier, processor_id, currency, network } = event.data;
      const processor = processorTally(tally, processor_id);
      const firstCall = processor.segment === null;
      processor.segment ??= { currency, network };
      const called = tally.tiers[tier]?.called;
      const firstInTier = called !== undefined && !called.includes(processor_id);
      // An optimized retry, or the same processor again in the tier, changes nothing.
      if (!firstCall && !firstInTier) return [];
      if (!firstInTier) return [putTally(paymentId, tally)];
      called.push(processor_id);
      return [putTally(paymentId, tally), ...(await updateRouteHour(reader, tally, tier, (bucket) => bucket.attempts++))];
    }
    case 'ProcessorApproved':
      return answered(reader, tally, event.data, 'approved', null);
    case 'ProcessorDeclined':
      return answered(reader, tally, event.data, 'declined', event.data.code);
    case 'ProcessorTimedOut':
      return answered(reader, tally, event.data, 'timeout', null);
    case 'ProcessorErrored':
      return answered(reader, tally, event.data, 'error', null);
    case 'TierFailed':
      return [];
    // An approval is a success of its tier whatever the capture method: a manual payment's ends in PaymentAuthorized.
    case 'PaymentAuthorized':
    case 'PaymentSucceeded': {
      const { tier, processor_id } = event.data;
      const first = tally.tiers[tier]?.called[0];
      const finished: ReadModelWrite = { op: 'delete', collection: PAYMENTS, id: paymentId };
      return [
        finished,
        ...(await updateRouteHour(reader, tally, tier, (bucket) => {
          bucket.succeeded++;
          if (first === processor_id) bucket.first_processor_succeeded++;
        })),
      ];
    }
    case 'PaymentFailed':
      return [{ op: 'delete', collection: PAYMENTS, id: paymentId }];
    default:
      // A payment event these numbers do not depend on (what happens after the approval, say).
      return [];
  }
}

/** A call's answer: the payment now counts by it at that processor, in place of the answer before. */
async function answered(
  reader: ProjectionReader,
  tally: PaymentTally,
  call: { payment_id: string; processor_id: string; duration_ms: number },
  outcome: CallOutcome,
  code: string | null,
): Promise<ReadModelWrite[]> {
  const processor = tally.processors[call.processor_id];
  // Every answer follows its ProcessorAttempted, which gave the processor its segment.
  if (processor?.segment == null) return [];
  const previous = { outcome: processor.outcome, code: processor.code };
  processor.outcome = outcome;
  processor.code = outcome === 'declined' ? (code ?? NO_CODE) : null;
  const bucketWrites = await updateProcessorHour(reader, tally, call.processor_id, processor.segment, (bucket) => {
    if (previous.outcome === null) bucket.attempts++;
    else count(bucket, previous.outcome, previous.code, -1);
    count(bucket, outcome, processor.code, 1);
    addLatency(bucket.latency, call.duration_ms);
  });
  return [putTally(call.payment_id, tally), ...bucketWrites];
}

function count(bucket: ProcessorHour, outcome: CallOutcome, code: string | null, by: 1 | -1): void {
  bucket[OUTCOME_FIELDS[outcome]] += by;
  if (code === null) return;
  const codes = bucket.decline_codes;
  codes[code] = (codes[code] ?? 0) + by;
  if (codes[code] === 0) delete codes[code];
}

function processorTally(tally: PaymentTally, processorId: string): ProcessorTally {
  tally.processors[processorId] ??= { segment: null, outcome: null, code: null, skipped: false };
  return tally.processors[processorId];
}

function putTally(paymentId: string, tally: PaymentTally): ReadModelWrite {
  return { op: 'put', collection: PAYMENTS, id: paymentId, doc: tally, indexes: [] };
}

export const hourId = (accountId: string, hour: number) => `${accountId}:${hour}`;
export const processorHourId = (accountId: string, hour: number, processorId: string, { currency, network }: Segment) => `${accountId}:${hour}:${processorId}:${currency}:${network}`;
export const routeHourId = (accountId: string, hour: number, routeId: string | null, tier: number) => `${accountId}:${hour}:${routeId ?? 'none'}:${tier}`;

async function updateProcessorHour(
  reader: ProjectionReader,
  { account_id, hour }: PaymentTally,
  processorId: string,
  segment: Segment,
  change: (bucket: ProcessorHour) => void,
): Promise<ReadModelWrite[]> {
  const id = processorHourId(account_id, hour, processorId, segment);
  const stored = await reader.get<ProcessorHour>(PROCESSOR_HOURS, id);
  const bucket: ProcessorHour = stored ?? {
    account_id,
    hour,
    processor_id: processorId,
    ...segment,
    attempts: 0,
    approved: 0,
    declined: 0,
    timeouts: 0,
    errors: 0,
    skipped: 0,
    decline_codes: {},
    latency: emptyLatency(),
  };
  change(bucket);
  const put: ReadModelWrite = { op: 'put', collection: PROCESSOR_HOURS, id, doc: bucket, indexes: [] };
  if (stored) return [put];
  return [put, await listedInHour(reader, account_id, hour, (listing) => listing.processors.push({ processor_id: processorId, ...segment }))];
}

async function updateRouteHour(reader: ProjectionReader, { account_id, hour, tiers }: PaymentTally, tier: number, change: (bucket: RouteTierHour) => void): Promise<ReadModelWrite[]> {
  const started = tiers[tier];
  if (started === undefined) return [];
  const { route_id } = started;
  const id = routeHourId(account_id, hour, route_id, tier);
  const stored = await reader.get<RouteTierHour>(ROUTE_HOURS, id);
  const bucket: RouteTierHour = stored ?? { account_id, hour, route_id, tier, payments: 0, succeeded: 0, first_processor_succeeded: 0, attempts: 0 };
  change(bucket);
  const put: ReadModelWrite = { op: 'put', collection: ROUTE_HOURS, id, doc: bucket, indexes: [] };
  if (stored) return [put];
  return [put, await listedInHour(reader, account_id, hour, (listing) => listing.routes.push({ route_id, tier }))];
}

/** The hour's listing with one more bucket. */
async function listedInHour(reader: ProjectionReader, accountId: string, hour: number, add: (listing: AnalyticsHour) => void): Promise<ReadModelWrite> {
  const id = hourId(accountId, hour);
  const listing = (await reader.get<AnalyticsHour>(HOURS, id)) ?? { account_id: accountId, hour, processors: [], routes: [] };
  add(listing);
  return { op: 'put', collection: HOURS, id, doc: listing, indexes: [] };
}
