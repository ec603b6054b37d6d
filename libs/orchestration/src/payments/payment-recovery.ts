import { setTimeout as sleep } from 'node:timers/promises';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { Clock, checkoutSessionDecider, streamName } from '@payments/domain';
import { SessionPayments } from '../checkout-sessions/session-payments';
import { CommandRunner } from '../command-handling/command-runner';
import { errorMessage } from '../error-message';
import { LeaseKeeper } from '../leases/lease-keeper';
import { CLOCK } from '../tokens';
import { PaymentCascade } from './payment-cascade';
import { PAYMENT_METRICS, PaymentMetrics } from './payment-metrics';
import { loadPayment } from './payment-stream';
import { PaymentWorkLog, UnfinishedPayment } from './payment-work-log';

/**
 * A pay records the session's SessionPaymentBegan and then, at once, PaymentStarted. A payment
 * without PaymentStarted this long after its beginning was given up by a pay that crashed or
 * failed in between; until then, it may still be starting in another process.
 */
export const UNSTARTED_PAYMENT_GRACE_MS = 10_000;

/**
 * A payment resumed by a look for orphans is not resumed by another look this long after: a drive
 * that gave up (a session that refuses to be told) is not repeated every look, only this often.
 */
export const ORPHAN_REST_MS = 60_000;

/** Pauses between tries of a resumption that failed: doubling, at most this far apart. */
const FIRST_RETRY_MS = 200;
const MAX_RETRY_MS = 30_000;

/**
 * Continues, when the service starts, every payment a previous run left unfinished: started
 * payments are driven on from their last event (a stream that ends in ProcessorAttempted re-sends
 * that call with its idempotency key), finished ones whose session was not told are ended on
 * their session, and payments that began on their session but never started are ended as
 * failed, so the session takes payments again.
 *
 * Then, every half LEASE_TTL, it does the same for the payments of other processes of the
 * deployment that died: a started payment unfinished at two looks in a row whose lease
 * (`payment:<id>`) is free is driven here, so a payment whose driver was killed is finished
 * once its lease lapses. Payments this process drives, and those another live process holds
 * the lease of, are left alone; the two looks spare a payment that a live pay has just
 * started and is about to take the lease of.
 *
 * They are found by PaymentWorkLog, which reads the event store itself from a low-water mark kept
 * there, so no read model (Redis may evict one) decides what is continued. A resumption that
 * fails (a store that is down) is logged, counted and tried again with backoff until it is done
 * or the service stops; what is left then, the next start finds again.
 */
@Injectable()
export class PaymentRecovery implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(PaymentRecovery.name);
  /** Recovery and the resumptions under way, which shutdown waits for. */
  private readonly pending = new Set<Promise<void>>();
  private readonly waiting = new Set<NodeJS.Timeout>();
  private readonly stopping = new AbortController();
  /** Payments with a resumption under way or waiting for its grace: not resumed twice at once. */
  private readonly resuming = new Set<string>();
  /** The started payments unfinished at the last look. */
  private seenUnfinished = new Set<string>();
  /** Payments a look resumed, and until when (Date.now()) no look resumes them again. */
  private readonly resting = new Map<string, number>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;

  constructor(
    private readonly cascade: PaymentCascade,
    private readonly runner: CommandRunner,
    private readonly sessions: SessionPayments,
    private readonly work: PaymentWorkLog,
    private readonly leases: LeaseKeeper,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() @Inject(PAYMENT_METRICS) private readonly metrics?: PaymentMetrics,
  ) {}

  /** In the background: the service answers while recovery catches up and drives. */
  onApplicationBootstrap(): void {
    this.track(this.recover().then(() => this.scheduleSweep()));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    clearTimeout(this.sweepTimer);
    for (const timer of this.waiting) clearTimeout(timer);
    await this.sweeping;
    await Promise.all(this.pending);
  }

  /** Finds every unfinished payment and resumes each; resolves once each is handed to the saga. */
  async recover(): Promise<void> {
    if (!(await this.work.whenCaughtUp())) return;
    const unfinished = this.work.unfinishedPayments();
    if (unfinished.length > 0) this.logger.log(`resuming ${unfinished.length} unfinished payment(s)`);
    for (const payment of unfinished) this.resumeInTime(payment);
  }

  /**
   * One look for payments whose driver died: resumes the started ones unfinished at the last
   * look too, which no process drives now, and those that never started once their grace has
   * passed. What another process drives is found by its lease and left to it.
   */
  async resumeOrphans(): Promise<void> {
    const unfinished = this.work.unfinishedPayments();
    const seen = this.seenUnfinished;
    this.seenUnfinished = new Set(unfinished.filter((payment) => payment.started).map((payment) => payment.paymentId));
    const now = Date.now();
    for (const [paymentId, until] of this.resting) if (until <= now || !this.seenUnfinished.has(paymentId)) this.resting.delete(paymentId);
    for (const payment of unfinished) {
      if (this.stopping.signal.aborted) return;
      const { paymentId, started } = payment;
      if (this.resuming.has(paymentId) || this.cascade.isDriving(paymentId) || this.resting.has(paymentId)) continue;
      if (!started) this.resumeInTime(payment);
      else if (seen.has(paymentId) && (await this.cascade.driveIfFree(paymentId))) this.resting.set(paymentId, now + ORPHAN_REST_MS);
    }
  }

  private scheduleSweep(): void {
    if (this.stopping.signal.aborted) return;
    this.sweepTimer = setTimeout(() => {
      this.sweeping = this.resumeOrphans()
        .catch((error: unknown) => {
          this.metrics?.recordStepRetry('resume');
          this.logger.error(`could not look for payments whose driver died, trying again at the next look: ${errorMessage(error)}`);
        })
        .finally(() => {
          this.sweeping = undefined;
          this.scheduleSweep();
        });
    }, this.leases.ttlMs / 2);
  }

  /**
   * Continues one payment: a started one is handed to the saga (not awaited: it may run long),
   * unless another process holds its lease and so drives it; one that never started is ended as
   * failed on its session (safe to repeat: a session ends a payment once).
   */
  async resume(paymentId: string, checkoutSessionId: string): Promise<void> {
    const { state } = await loadPayment(this.runner, paymentId);
    if (state.status !== 'none') {
      await this.cascade.driveIfFree(paymentId);
      return;
    }
    const session = await this.runner.load(streamName('checkout_session', checkoutSessionId), checkoutSessionDecider);
    if (session.status === 'none' || session.session.activePaymentId !== paymentId) return;
    const { accountId } = session.session;
    await this.sessions.end(accountId, checkoutSessionId, paymentId, 'failed', { accountId, correlationId: paymentId });
    this.logger.warn(`payment ${paymentId} never started; checkout session ${checkoutSessionId} takes payments again`);
  }

  /**
   * Resumes the payment in the background, trying again after each failure, so that a session
   * whose payment could not start is not left answering 409 until the next start. `failed`: the
   * error of a resumption the caller tried already, logged and counted as the first try.
   */
  resumeUntilDone(paymentId: string, checkoutSessionId: string, failed?: { error: unknown }): void {
    this.resuming.add(paymentId);
    this.track(this.retrying(paymentId, checkoutSessionId, failed).finally(() => this.resuming.delete(paymentId)));
  }

  private async retrying(paymentId: string, checkoutSessionId: string, failed?: { error: unknown }): Promise<void> {
    let retryMs = FIRST_RETRY_MS;
    let tries = 0;
    const retryAfter = async (error: unknown) => {
      this.metrics?.recordStepRetry('resume');
      this.logger.error(`could not resume payment ${paymentId} of checkout session ${checkoutSessionId} (try ${tries}), again in ${retryMs} ms: ${errorMessage(error)}`);
      await sleep(retryMs, undefined, { signal: this.stopping.signal }).catch(() => undefined);
      retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    };
    if (failed) {
      tries++;
      await retryAfter(failed.error);
    }
    while (!this.stopping.signal.aborted) {
      tries++;
      try {
        await this.resume(paymentId, checkoutSessionId);
        return;
      } catch (error) {
        await retryAfter(error);
      }
    }
  }

  private resumeInTime({ paymentId, checkoutSessionId, started, beganAt }: UnfinishedPayment): void {
    const graceLeftMs = started ? 0 : Date.parse(beganAt) + UNSTARTED_PAYMENT_GRACE_MS - this.clock.now().getTime();
    if (graceLeftMs <= 0) return this.resumeUntilDone(paymentId, checkoutSessionId);
    this.resuming.add(paymentId);
    const timer = setTimeout(() => {
      this.waiting.delete(timer);
      this.resumeUntilDone(paymentId, checkoutSessionId);
    }, graceLeftMs);
    this.waiting.add(timer);
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => this.logger.error(`could not recover unfinished payments: ${errorMessage(error)}`)).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }
}
