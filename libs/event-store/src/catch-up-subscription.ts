import { AppendSignal } from './append-signal';
import { RecordedEvent, SubscribeToAllOptions, Subscription } from './event-store';
import { reportDeliveryFailure } from './open-subscriptions';

/** What a catch-up subscription needs from a store whose global log can be read in pages. */
export interface PagedLog {
  /**
   * Up to `limit` events strictly after `afterPosition`, in global order. A store read over the
   * network answers with a promise, and once `stopping` fires it may answer with no events
   * instead of waiting for a read (or a retry) under way.
   */
  readAllPage(afterPosition: bigint, limit: number, stopping: AbortSignal): RecordedEvent[] | Promise<RecordedEvent[]>;
  readonly appends: AppendSignal;
  /** Re-read this often even without a signal, to see appends made by other processes. */
  readonly pollIntervalMs?: number;
}

const PAGE_SIZE = 500;

/**
 * Catch-up then live delivery from one loop: read the next page after the last delivered
 * position; a short page means caught up, so sleep until an append is signalled or the poll
 * interval passes. Resuming from the last delivered position is what makes the switch from
 * catch-up to live free of gaps and duplicates. This relies on the store assigning positions
 * in commit order, so no later read can turn up an event below a position already delivered.
 *
 * Without `onError`, a failure surfaces as an unhandled rejection rather than being swallowed.
 */
export function startCatchUpSubscription(log: PagedLog, options: SubscribeToAllOptions): Subscription {
  const stopping = new AbortController();

  async function deliver(): Promise<void> {
    let position = options.fromPosition ?? 0n;
    while (!stopping.signal.aborted) {
      const seenAppends = log.appends.appendCount;
      const page = await log.readAllPage(position, PAGE_SIZE, stopping.signal);
      for (const event of page) {
        if (stopping.signal.aborted) return;
        await options.onEvent(event);
        position = event.position;
      }
      if (page.length < PAGE_SIZE) await log.appends.waitForAppend(seenAppends, log.pollIntervalMs, stopping.signal);
    }
  }

  const delivery = reportDeliveryFailure(deliver(), options);

  return {
    async stop() {
      stopping.abort();
      await delivery.catch(() => undefined);
    },
  };
}
