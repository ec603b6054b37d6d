import { setTimeout as sleep } from 'node:timers/promises';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { Clock, checkoutSessionDecider, streamName } from '@payments/domain';
import { SessionPayments } from '../checkout-sessions/session-payments';
import { CommandRunner } from '../command-handling/command-runner';
import { errorMessage } from '../error-message';
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

  constructor(
    private readonly cascade: PaymentCascade,
    private readonly runner: CommandRunner,
    private readonly sessions: SessionPayments,
    private readonly work: PaymentWorkLog,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() @Inject(PAYMENT_METRICS) private readonly metrics?: PaymentMetrics,
  ) {}

  /** In the background: the service answers while recovery catches up and drives. */
  onApplicationBootstrap(): void {
    this.track(this.recover());
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    for (const timer of this.waiting) clearTimeout(timer);
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
   * Continues one payment: a started one is handed to the saga (not awaited: it may run long);
   * one that never started is ended as failed on its session (safe to repeat: a session ends a
   * payment once).
   */
  async resume(paymentId: string, checkoutSessionId: string): Promise<void> {
    const { state } = await loadPayment(this.runner, paymentId);
    if (state.status !== 'none') {
      void this.cascade.drive(paymentId);
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
    this.track(this.retrying(paymentId, checkoutSessionId, failed));
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
