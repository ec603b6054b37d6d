import { ResolvedEvent } from '@eventstore/db-client';
import { setTimeout as sleep } from 'node:timers/promises';
import { isConsumerTooSlow } from './eventstoredb-answers';
import { RecordedEvent, SubscribeToAllOptions, Subscription } from './event-store';
import { reportDeliveryFailure } from './open-subscriptions';

/** What the subscription needs of the client's catch-up subscription to $all. */
export interface ServerSubscription extends AsyncIterable<ResolvedEvent> {
  /** Ends the call; resolves once it is cancelled. */
  unsubscribe(): Promise<void>;
  /** Ends the iteration at once (stop() uses it: the iterator may be waiting for the server). */
  destroy(): void;
}

export interface ResubscribingOptions {
  /** Opens a server subscription delivering the events strictly after `position` (0n: from the start). */
  open(position: bigint): ServerSubscription;
  /** The port's event for a delivered one, or undefined to skip it (a system event, or one at or before `after`). */
  toEvent(resolved: ResolvedEvent, after: bigint): RecordedEvent | undefined;
  /** Where resubscriptions are told. */
  warn(message: string): void;
}

/**
 * How many times in a row the server may end the subscription as too slow, with no event
 * delivered between, before the subscription fails: a reader that cannot take even one event
 * between resubscriptions would otherwise resubscribe for ever.
 */
export const MAX_RESUBSCRIPTIONS_WITHOUT_PROGRESS = 5;
const RESUBSCRIBE_BACKOFF_MS = 100;

/** Thrown to onError when the server ends a subscription without an error: nothing more would be delivered. */
export class SubscriptionEndedError extends Error {
  constructor() {
    super('EventStoreDB ended the subscription to $all without an error: no more events would be delivered');
    this.name = 'SubscriptionEndedError';
  }
}

/** An error of onEvent, kept apart from the server's so that it is never taken for a reason to resubscribe. */
class HandlerFailure {
  constructor(readonly error: unknown) {}
}

/**
 * The port's subscription on EventStoreDB's catch-up subscriptions. The server may end one it
 * finds too slow (isConsumerTooSlow); this resubscribes from the last delivered position, which
 * the port's exclusive start makes free of gaps and duplicates, up to
 * MAX_RESUBSCRIPTIONS_WITHOUT_PROGRESS times in a row without an event delivered, each logged.
 * Any other error, and a subscription the server ends without an error, stop it and go to
 * onError (or surface as an unhandled rejection without one): a subscription never goes quiet
 * while still looking alive.
 */
export function startResubscribingSubscription(options: SubscribeToAllOptions, server: ResubscribingOptions): Subscription {
  const stopping = new AbortController();
  let current: ServerSubscription | undefined;

  async function deliverFrom(after: bigint, onDelivered: (position: bigint) => void): Promise<void> {
    const subscription = server.open(after);
    current = subscription;
    try {
      for await (const resolved of subscription) {
        if (stopping.signal.aborted) return;
        const event = server.toEvent(resolved, after);
        if (!event) continue;
        try {
          await options.onEvent(event);
        } catch (error) {
          throw new HandlerFailure(error);
        }
        after = event.position;
        onDelivered(after);
      }
      if (!stopping.signal.aborted) throw new SubscriptionEndedError();
    } catch (error) {
      // Destroying the stream to stop it ends the loop with a premature-close error.
      if (!stopping.signal.aborted) throw error;
    } finally {
      await subscription.unsubscribe();
    }
  }

  async function deliver(): Promise<void> {
    let position = options.fromPosition ?? 0n;
    let withoutProgress = 0;
    while (!stopping.signal.aborted) {
      try {
        await deliverFrom(position, (delivered) => {
          position = delivered;
          withoutProgress = 0;
        });
        return;
      } catch (error) {
        if (error instanceof HandlerFailure) throw error.error;
        if (!isConsumerTooSlow(error) || ++withoutProgress > MAX_RESUBSCRIPTIONS_WITHOUT_PROGRESS) throw error;
        server.warn(
          `EventStoreDB ended the subscription to $all as too slow (${error instanceof Error ? error.message : String(error)}); ` +
            `resubscribing after position ${position}, attempt ${withoutProgress} of ${MAX_RESUBSCRIPTIONS_WITHOUT_PROGRESS} without progress`,
        );
        await sleep(RESUBSCRIBE_BACKOFF_MS * withoutProgress, undefined, { signal: stopping.signal }).catch(() => undefined);
      }
    }
  }

  const delivery = reportDeliveryFailure(deliver(), options);

  return {
    async stop() {
      stopping.abort();
      current?.destroy();
      await delivery.catch(() => undefined);
    },
  };
}
