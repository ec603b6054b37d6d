import { setTimeout as sleep } from 'node:timers/promises';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, Optional } from '@nestjs/common';
import {
  Clock,
  OpenPayment,
  PAYMENT_RECOVERY_STREAM,
  PaymentRecoveryEvent,
  ProcessorAttemptedData,
  attemptsToResolve,
  categoryOf,
  domainEventOf,
  eventOfStream,
  evolveOpenPayment,
  isEventOf,
  isOpen,
  paymentOfWorkEvent,
  schemaVersionOf,
} from '@payments/domain';
import { EventStore, RecordedEvent, Subscription, randomEventId } from '@payments/event-store';
import { errorMessage } from '../error-message';
import { CLOCK, EVENT_STORE } from '../tokens';
import { PAYMENT_METRICS, PaymentMetrics } from './payment-metrics';

/** How often the low-water mark is moved on (when it has moved). */
export const LOW_WATER_MARK_INTERVAL_MS = 30_000;
const FIRST_RETRY_MS = 200;
const MAX_RETRY_MS = 30_000;
/** Events read at start between two turns of the event loop, so that requests are served meanwhile. */
const EVENTS_PER_TURN = 500;

/** A payment that began and whose session has not been told it ended, as recovery resumes it. */
export interface UnfinishedPayment {
  paymentId: string;
  checkoutSessionId: string;
  beganAt: string;
  /** False while the payment stream has no PaymentStarted. */
  started: boolean;
}

/** An attempt whose outcome may hide a charge and whose resolution has work left. */
export interface AttemptToResolve {
  paymentId: string;
  call: ProcessorAttemptedData;
  /** When the log recorded that its outcome was in doubt: the status is asked once the call's timeout has passed since. */
  since: Date;
}

/**
 * The work the service owes payments (payment-work.ts: payments to start, drive or tell their
 * session about, attempts to resolve), followed from the event store itself, so that no read
 * model (which Redis may evict) decides what a restart continues.
 *
 * It reads the log from a low-water mark kept in the event store (the `recovery-payments`
 * stream): every payment with work left began after the mark. Caught up, it follows the log live,
 * dropping each payment once nothing is owed it, and moves the mark on every
 * LOW_WATER_MARK_INTERVAL_MS to just before the oldest payment still open, so a start reads only
 * the log since then. Several processes may each follow the log and move the mark: every mark
 * written was a safe start when written, and stays one, since a payment with nothing owed never
 * gets work again.
 */
@Injectable()
export class PaymentWorkLog implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(PaymentWorkLog.name);
  private readonly open = new Map<string, OpenPayment>();
  private readonly toResolve = new Map<string, AttemptToResolve>();
  private readonly stopping = new AbortController();
  /** The position of the last event applied, or where reading started. */
  private position = 0n;
  private mark: bigint | undefined;
  private subscription: Subscription | undefined;
  private timer: NodeJS.Timeout | undefined;
  private markWrite: Promise<void> | undefined;
  private following: Promise<void> | undefined;
  private settleCaughtUp!: (caughtUp: boolean) => void;
  private readonly caughtUp = new Promise<boolean>((resolve) => (this.settleCaughtUp = resolve));

  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() @Inject(PAYMENT_METRICS) private readonly metrics?: PaymentMetrics,
  ) {}

  /** In the background: the service answers while the log is read. */
  onApplicationBootstrap(): void {
    this.following = this.follow();
  }

  /**
   * True once the log has been read up to its end as it was when reading began, so that the work
   * it owes is known; false when the service stops first.
   */
  whenCaughtUp(): Promise<boolean> {
    return this.caughtUp;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    this.settleCaughtUp(false);
    clearTimeout(this.timer);
    await this.following;
    await this.subscription?.stop();
    await this.markWrite;
  }

  /** Payments that began and whose session was not told that they ended, in the order they began. */
  unfinishedPayments(): UnfinishedPayment[] {
    return [...this.open.values()]
      .filter((payment) => !payment.session_ended)
      .sort((a, b) => (a.read_after < b.read_after ? -1 : a.read_after > b.read_after ? 1 : 0))
      .map((payment) => ({ paymentId: payment.payment_id, checkoutSessionId: payment.checkout_session_id, beganAt: payment.began_at, started: payment.started }));
  }

  /** Attempts whose resolution has work left, oldest first. */
  attemptsToResolve(): AttemptToResolve[] {
    return [...this.toResolve.values()];
  }

  /** Reads from the mark to the end, then follows the log live; a failure starts over from the mark, after a pause. */
  private async follow(): Promise<void> {
    let retryMs = FIRST_RETRY_MS;
    while (!this.stopping.signal.aborted) {
      try {
        this.mark = await readLowWaterMark(this.events);
        this.open.clear();
        this.toResolve.clear();
        this.position = this.mark ?? 0n;
        let read = 0;
        for await (const event of this.events.readAll({ fromPosition: this.mark })) {
          if (this.stopping.signal.aborted) return;
          this.apply(event);
          if (++read % EVENTS_PER_TURN === 0) await new Promise(setImmediate);
        }
        this.settleCaughtUp(true);
        this.logger.log(`read the log from position ${this.mark ?? 0n}: ${this.unfinishedPayments().length} unfinished payment(s), ${this.toResolve.size} attempt(s) to resolve`);
        await this.live();
        return;
      } catch (error) {
        this.logger.error(`could not read the log for unfinished payment work, again in ${retryMs} ms: ${errorMessage(error)}`);
        this.metrics?.recordStepRetry('work_log');
        await sleep(retryMs, undefined, { signal: this.stopping.signal }).catch(() => undefined);
        retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
      }
    }
  }

  /** Follows the log from where the read stopped until shutdown, or until the subscription fails (then throws). */
  private live(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.stopping.signal.aborted) return resolve();
      this.stopping.signal.addEventListener('abort', () => resolve(), { once: true });
      this.subscription = this.events.subscribeToAll({ fromPosition: this.position, onEvent: (event) => this.apply(event), onError: reject });
      this.scheduleMark();
    });
  }

  private apply(recorded: RecordedEvent): void {
    // Most of the log is neither a payment's nor a session's: told by the stream name, before any parsing.
    const category = categoryOf(recorded.streamId);
    // The mark's own events do not move it on: else each mark written would be a reason to write
    // the next, and an idle service would append one every interval forever.
    if (category === 'recovery') return;
    const after = this.position;
    this.position = recorded.position;
    if (category !== 'payment' && category !== 'checkout_session') return;
    const event = domainEventOf(recorded);
    if (!isEventOf(event, 'payment') && !isEventOf(event, 'checkout_session')) return;
    const paymentId = paymentOfWorkEvent(event);
    if (paymentId === undefined) return;
    const current = this.open.get(paymentId);
    const next = evolveOpenPayment(current, event, { after, created_at: recorded.createdAt.toISOString() });
    if (next === undefined || next === current) return;
    if (isOpen(next)) this.open.set(paymentId, next);
    else this.open.delete(paymentId);
    this.updateResolutions(paymentId, next, recorded.createdAt);
  }

  private updateResolutions(paymentId: string, payment: OpenPayment, at: Date): void {
    const pending = new Set<string>();
    for (const attempt of attemptsToResolve(payment)) {
      const key = attempt.call.idempotency_key;
      pending.add(key);
      if (!this.toResolve.has(key)) this.toResolve.set(key, { paymentId, call: attempt.call, since: at });
    }
    for (const attempt of payment.in_doubt.attempts) if (!pending.has(attempt.call.idempotency_key)) this.toResolve.delete(attempt.call.idempotency_key);
  }

  private scheduleMark(): void {
    if (this.stopping.signal.aborted) return;
    this.timer = setTimeout(() => {
      this.markWrite = this.moveMark()
        .catch((error: unknown) => {
          this.logger.error(`could not move the payment work low-water mark on, trying again later: ${errorMessage(error)}`);
          this.metrics?.recordStepRetry('work_log');
        })
        .finally(() => {
          this.markWrite = undefined;
          this.scheduleMark();
        });
    }, LOW_WATER_MARK_INTERVAL_MS);
  }

  /** Records the new mark when it has moved: just before the oldest open payment, else where the log has been read to. */
  async moveMark(): Promise<void> {
    let mark = this.position;
    for (const payment of this.open.values()) if (payment.read_after < mark) mark = payment.read_after;
    if (this.mark !== undefined && mark <= this.mark) return;
    const event: PaymentRecoveryEvent = {
      type: 'PaymentWorkLowWaterMarkAdvanced',
      data: { position: mark.toString(), open_payments: this.open.size, advanced_at: this.clock.now().toISOString() },
    };
    await this.events.appendToStream(
      PAYMENT_RECOVERY_STREAM,
      [{ id: randomEventId(), type: event.type, data: event.data, metadata: { schema_version: schemaVersionOf(event.type) ?? 1 } }],
      { expectedRevision: 'any' },
    );
    this.mark = mark;
  }
}

/**
 * The last mark recorded, or undefined (read the whole log) when there is none. The stream only
 * grows, by one event per interval at most, so its end is found by doubling and halving the
 * revision read rather than by reading it all.
 */
export async function readLowWaterMark(events: EventStore): Promise<bigint | undefined> {
  const last = await lastEventOf(events, PAYMENT_RECOVERY_STREAM);
  const event = last && eventOfStream(last, 'recovery');
  return event ? BigInt(event.data.position) : undefined;
}

async function lastEventOf(events: EventStore, stream: string): Promise<RecordedEvent | undefined> {
  const at = async (revision: bigint) => {
    for await (const event of events.readStream(stream, { fromRevision: revision, maxCount: 1 })) return event;
    return undefined;
  };
  let found = await at(0n);
  if (!found) return undefined;
  // Grow the step until past the end, then close in on the last revision that exists.
  let low = 0n;
  let high = 1n;
  for (let next = await at(high); next; next = await at(high)) {
    [low, found, high] = [high, next, high * 2n];
  }
  while (high - low > 1n) {
    const middle = (low + high) / 2n;
    const event = await at(middle);
    if (event) [low, found] = [middle, event];
    else high = middle;
  }
  return found;
}
