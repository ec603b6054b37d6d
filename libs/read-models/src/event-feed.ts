import { EventStore, RecordedEvent, Subscription } from '@payments/event-store';

/** Where the feed hands events: a projection runner's buffer. */
export interface FeedMember {
  /** A promise when the member has no room yet: the feed hands out the next event once it resolves. */
  push(event: RecordedEvent): Promise<void> | undefined;
  /** The log could not be read. The member is no longer fed and must join again. */
  fail(error: unknown): void;
}

export interface FeedMembership {
  /** Stops feeding the member; when it was the last one, resolves once the subscription has stopped. */
  leave(): Promise<void>;
}

interface Joined {
  member: FeedMember;
  /** Position of the last event handed to the member, or the one it joined after. */
  cursor: bigint;
  /**
   * Joined behind the subscription that is reading: it waits for the one that starts again from
   * its cursor. Fed by the old one meanwhile, it would jump past the events it joined to get
   * (an old subscription can still hand out a page it was reading when it was told to stop).
   */
  awaitingResubscription: boolean;
}

interface Reading {
  subscription: Subscription;
  /** Position of the last event this subscription handed out, or the one it started after. */
  reached: bigint;
}

/**
 * One subscription to the global log shared by several projection runners, so that each event
 * is read and parsed once, not once per projection. It reads from the lowest position among its
 * members and hands each event to every member that has not had it. A member that joins behind
 * what the subscription has already read makes it start again from there; the others skip what
 * they already had, so each member gets every event after the position it joined at, once and
 * in order.
 *
 * The next event is read once every member has room for this one, so the slowest member sets
 * the pace: a runner that has much to replay (after a failure, a rebuild) catches up alone first.
 */
export class EventFeed {
  private readonly joined = new Set<Joined>();
  private reading: Reading | undefined;
  /** Stops and starts of the subscription, one after the other, so that two never deliver at once. */
  private switching: Promise<void> = Promise.resolve();
  private switchQueued = false;

  constructor(private readonly events: EventStore) {}

  /** Feeds `member` every event after `after` (undefined: from the start of the log). */
  join(after: bigint | undefined, member: FeedMember): FeedMembership {
    const cursor = after ?? 0n;
    const behind = this.reading === undefined || cursor < this.reading.reached;
    const joined: Joined = { member, cursor, awaitingResubscription: behind };
    this.joined.add(joined);
    if (behind) void this.resubscribe();
    return { leave: () => this.leave(joined) };
  }

  private leave(joined: Joined): Promise<void> {
    this.joined.delete(joined);
    return this.joined.size === 0 ? this.resubscribe() : Promise.resolve();
  }

  /** Stops the subscription and, while there are members, starts one from the lowest cursor. */
  private resubscribe(): Promise<void> {
    if (this.switchQueued) return this.switching;
    this.switchQueued = true;
    this.switching = this.switching.then(() => this.switchSubscription());
    return this.switching;
  }

  private async switchSubscription(): Promise<void> {
    const previous = this.reading;
    this.reading = undefined;
    await previous?.subscription.stop();
    // Members that joined while the previous subscription stopped are counted in here.
    this.switchQueued = false;
    if (this.joined.size === 0) return;
    // The subscription starts from the lowest cursor, so it has every waiting member's events.
    for (const joined of this.joined) joined.awaitingResubscription = false;
    // Never rejects: every later switch is chained on this one.
    try {
      this.reading = this.subscribe(lowestCursor(this.joined));
    } catch (error) {
      this.failMembers(error);
    }
  }

  private subscribe(from: bigint): Reading {
    const progress = { reached: from };
    const subscription = this.events.subscribeToAll({
      fromPosition: from,
      onEvent: (event) => this.handOut(progress, event),
      onError: (error) => this.fail(progress, error),
    });
    return Object.assign(progress, { subscription });
  }

  /** Answers a promise only when some member has no room, so that a page is handed out without a wait per event. */
  private handOut(progress: { reached: bigint }, event: RecordedEvent): Promise<void> | undefined {
    progress.reached = event.position;
    let waiting: Promise<void>[] | undefined;
    for (const joined of this.joined) {
      if (joined.awaitingResubscription || joined.cursor >= event.position) continue;
      joined.cursor = event.position;
      const pushed = joined.member.push(event);
      if (pushed) (waiting ??= []).push(pushed);
    }
    return waiting && Promise.all(waiting).then(() => undefined);
  }

  /** The subscription has ended with an error: its members learn of it and join again, which starts another. */
  private fail(progress: { reached: bigint }, error: unknown): void {
    if (this.reading !== progress) return;
    this.failMembers(error);
    void this.resubscribe();
  }

  private failMembers(error: unknown): void {
    const failed = [...this.joined];
    this.joined.clear();
    for (const joined of failed) joined.member.fail(error);
  }
}

function lowestCursor(joined: Iterable<Joined>): bigint {
  let lowest: bigint | undefined;
  for (const { cursor } of joined) if (lowest === undefined || cursor < lowest) lowest = cursor;
  return lowest ?? 0n;
}
