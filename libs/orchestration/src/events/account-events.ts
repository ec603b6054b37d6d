import { Inject, Injectable } from '@nestjs/common';
import { EventStore, RecordedEvent, Subscription } from '@payments/event-store';
import { EVENT_STORE } from '../tokens';

/**
 * Which events of the global log a consumer asked for: those of one account (every event the
 * service writes names its account in `metadata.account_id`; one that names none is nobody's),
 * optionally only some types. A type no event has simply matches nothing.
 */
export interface EventSelection {
  accountId: string;
  /** Undefined or empty: every type. */
  types?: readonly string[];
}

export interface EventPage {
  /** The selected events after the cursor, in global order. */
  events: RecordedEvent[];
  /**
   * Where the next page starts: the position of the last event examined, selected or not, so
   * that a consumer never examines the same stretch of the log twice; the cursor itself when
   * there was nothing after it.
   */
  nextAfter: bigint;
  /** The page stopped before the end of the log (it filled `limit`, or examined `scanLimit` events): read on at once. */
  hasMore: boolean;
}

/**
 * The most events of the global log one page examines. The log is shared by every account,
 * and the store's port has no filter, so a page of a quiet account in a busy log would
 * otherwise read until it found `limit` events of its own, however far that is. A page that
 * examined this many answers what it found, possibly nothing, with `nextAfter` past them all.
 */
export const MAX_EVENTS_EXAMINED = 1000;

export function selects(selection: EventSelection): (event: RecordedEvent) => boolean {
  const types = selection.types && selection.types.length > 0 ? new Set(selection.types) : undefined;
  return (event) => event.metadata.account_id === selection.accountId && (types === undefined || types.has(event.type));
}

/** Up to `limit` selected events strictly after `after`, examining at most `scanLimit` events of the log. */
export async function readAccountEvents(
  store: EventStore,
  selection: EventSelection,
  { after, limit, scanLimit }: { after: bigint; limit: number; scanLimit: number },
): Promise<EventPage> {
  const selected = selects(selection);
  const events: RecordedEvent[] = [];
  let nextAfter = after;
  let examined = 0;
  for await (const event of store.readAll({ fromPosition: after, maxCount: scanLimit })) {
    examined++;
    nextAfter = event.position;
    if (!selected(event)) continue;
    events.push(event);
    if (events.length === limit) return { events, nextAfter, hasMore: true };
  }
  return { events, nextAfter, hasMore: examined === scanLimit };
}

/** An account's events, read in bounded pages or followed live from the store's log. */
@Injectable()
export class AccountEvents {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  page(selection: EventSelection, cursor: { after: bigint; limit: number }): Promise<EventPage> {
    return readAccountEvents(this.store, selection, { ...cursor, scanLimit: MAX_EVENTS_EXAMINED });
  }

  /**
   * The selected events strictly after `after`, from the store's own catch-up subscription: the
   * past first, then each new event as the store delivers it. onEvent's promise holds back the
   * next event, which is how a slow consumer slows the subscription instead of piling events up.
   */
  follow(selection: EventSelection, options: { after: bigint; onEvent(event: RecordedEvent): void | Promise<void>; onError(error: unknown): void }): Subscription {
    const selected = selects(selection);
    return this.store.subscribeToAll({
      fromPosition: options.after,
      onEvent: (event) => (selected(event) ? options.onEvent(event) : undefined),
      onError: options.onError,
    });
  }
}
