import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Clock, checkoutSessionDecider, streamName } from '@payments/domain';
import { EventStore } from '@payments/event-store';
import { ProjectionRunner, ReadModelStore } from '@payments/read-models';
import { UnfinishedPayment, payments, unfinishedPayments } from '@payments/read-models/projections/payments';
import { SessionPayments } from '../checkout-sessions/session-payments';
import { CommandRunner } from '../command-handling/command-runner';
import { errorMessage } from '../error-message';
import { READ_MODEL_STORE } from '../projections/read-models.tokens';
import { CLOCK, EVENT_STORE } from '../tokens';
import { PaymentCascade } from './payment-cascade';
import { loadPayment } from './payment-stream';

/**
 * A pay records the session's SessionPaymentBegan and then, at once, PaymentStarted. A payment
 * without PaymentStarted this long after its beginning was given up by a pay that crashed or
 * failed in between; until then, it may still be starting in another process.
 */
export const UNSTARTED_PAYMENT_GRACE_MS = 10_000;

const PAGE = 500;

/**
 * Continues, when the service starts, every payment a previous run left unfinished: started
 * payments are driven on from their last event (a stream that ends in ProcessorAttempted re-sends
 * that call with its idempotency key), finished ones whose session was not told are ended on
 * their session, and payments that began on their session but never started are ended as
 * failed, so the session takes payments again.
 *
 * They are found in the payments read model's `unfinished` index, which holds a payment from its
 * SessionPaymentBegan until the session records its end. Recovery first runs the payments
 * projection up to the end of the log with a runner of its own (checkpoints are compare-and-set,
 * so it competes safely with the service's runner), so the index is complete however far the
 * projections lagged when the previous run stopped.
 */
@Injectable()
export class PaymentRecovery implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(PaymentRecovery.name);
  /** Recovery and the resumptions under way, which shutdown waits for. */
  private readonly pending = new Set<Promise<void>>();
  private readonly waiting = new Set<NodeJS.Timeout>();

  constructor(
    private readonly cascade: PaymentCascade,
    private readonly runner: CommandRunner,
    private readonly sessions: SessionPayments,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_MODEL_STORE) private readonly store: ReadModelStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** In the background: the service answers while recovery catches up and drives. */
  onApplicationBootstrap(): void {
    this.track(this.recover(), 'recover unfinished payments');
  }

  async beforeApplicationShutdown(): Promise<void> {
    for (const timer of this.waiting) clearTimeout(timer);
    await Promise.all(this.pending);
  }

  /** Finds every unfinished payment and resumes each; resolves once each is handed to the saga. */
  async recover(): Promise<void> {
    await new ProjectionRunner(payments, this.events, this.store).catchUp();
    // Read whole before resuming: payments that finish meanwhile leave the index and would shift its pages.
    const unfinished: UnfinishedPayment[] = [];
    for (let offset = 0; ; offset += PAGE) {
      const page = await unfinishedPayments(this.store, { limit: PAGE, offset });
      unfinished.push(...page);
      if (page.length < PAGE) break;
    }
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

  private resumeInTime({ paymentId, checkoutSessionId, started, beganAt }: UnfinishedPayment): void {
    const resume = () => this.track(this.resume(paymentId, checkoutSessionId), `resume payment ${paymentId}`);
    const graceLeftMs = started ? 0 : Date.parse(beganAt) + UNSTARTED_PAYMENT_GRACE_MS - this.clock.now().getTime();
    if (graceLeftMs <= 0) return resume();
    const timer = setTimeout(() => {
      this.waiting.delete(timer);
      resume();
    }, graceLeftMs);
    this.waiting.add(timer);
  }

  private track(work: Promise<void>, what: string): void {
    const tracked = work.catch((error: unknown) => this.logger.error(`could not ${what}: ${errorMessage(error)}`)).finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }
}
