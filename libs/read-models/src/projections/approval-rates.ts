import { ApprovalHistory, ApprovalSegment, ApprovalStats, CardNetwork, approvalStatsOf, categoryOf, domainEventOf, isEventOf, withAttempt } from '@payments/domain';
import { Projection } from '../projection';
import { ReadModelStore, ReadModelWrite } from '../read-model-store';

/**
 * What the auth_rate strategy reads (API.md "Processor routes"): each processor's latest attempts
 * per segment (card network and currency) as an ApprovalHistory. A payment counts once per
 * processor, when it ends: approved at the processor that approved it, not approved at every
 * other one it called (declined, timed out, errored), however many calls it made there
 * (optimized retries, re-sends after a crash, later tiers), in the segment of its first call
 * there. Skips are not attempts. Counting at the end keeps an optimized retry's approval from
 * being counted as a decline first.
 */
export const APPROVAL_RATE_COLLECTIONS = {
  /** A running payment's processors called, deleted when it ends. */
  payments: 'approval_rate_payments',
  histories: 'approval_rate_histories',
} as const;

const { payments: PAYMENTS, histories: HISTORIES } = APPROVAL_RATE_COLLECTIONS;

interface CalledProcessor extends ApprovalSegment {
  processor_id: string;
}

interface RunningPayment {
  called: CalledProcessor[];
}

interface ProcessorSegmentHistory extends CalledProcessor {
  history: ApprovalHistory;
}

const historyId = (processorId: string, { network, currency }: ApprovalSegment) => `${processorId}:${currency}:${network}`;

export const approvalRates: Projection = {
  name: 'approval_rates',
  collections: Object.values(APPROVAL_RATE_COLLECTIONS),
  async project(recorded, reader) {
    // Most events of the log are not a payment's: tell by the stream name, before any parsing.
    if (categoryOf(recorded.streamId) !== 'payment') return [];
    const event = domainEventOf(recorded);
    if (!isEventOf(event, 'payment')) return [];
    const paymentId = event.data.payment_id;
    switch (event.type) {
      case 'PaymentStarted':
        return [putPayment(paymentId, { called: [] })];
      case 'ProcessorAttempted': {
        const running = await reader.get<RunningPayment>(PAYMENTS, paymentId);
        const { processor_id, network, currency } = event.data;
        if (!running || running.called.some((called) => called.processor_id === processor_id)) return [];
        running.called.push({ processor_id, network, currency });
        return [putPayment(paymentId, running)];
      }
      case 'PaymentSucceeded':
      case 'PaymentAuthorized':
      case 'PaymentFailed': {
        const running = await reader.get<RunningPayment>(PAYMENTS, paymentId);
        if (!running) return [];
        const approver = event.type === 'PaymentFailed' ? null : event.data.processor_id;
        const ids = running.called.map((called) => historyId(called.processor_id, called));
        const stored = await reader.getMany<ProcessorSegmentHistory>(HISTORIES, ids);
        const writes: ReadModelWrite[] = running.called.map((called, index) => {
          const history = withAttempt(stored[index]?.history ?? '', called.processor_id === approver);
          return { op: 'put', collection: HISTORIES, id: ids[index], doc: { ...called, history }, indexes: [] };
        });
        return [...writes, { op: 'delete', collection: PAYMENTS, id: paymentId }];
      }
      default:
        return [];
    }
  },
};

function putPayment(paymentId: string, running: RunningPayment): ReadModelWrite {
  return { op: 'put', collection: PAYMENTS, id: paymentId, doc: running, indexes: [] };
}

/** Each processor's latest `window` attempts in the segment, by processor id (none yet: 0 of 0). */
export async function readApprovalStats(
  store: Pick<ReadModelStore, 'getMany'>,
  processorIds: readonly string[],
  segment: { network: CardNetwork; currency: string },
  window: number,
): Promise<Record<string, ApprovalStats>> {
  const stored = await store.getMany<ProcessorSegmentHistory>(HISTORIES, processorIds.map((id) => historyId(id, segment)));
  return Object.fromEntries(processorIds.map((id, index) => [id, approvalStatsOf(stored[index]?.history ?? '', window)]));
}
