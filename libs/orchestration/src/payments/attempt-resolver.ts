import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { Clock, LateApprovalUndoMethod, PaymentCommand, Processor, ProcessorAttemptedData, ResolutionStep, lateApprovalOperationKey, nextResolutionStep } from '@payments/domain';
import { OperationResult, ProcessorConnector } from '@payments/processors';
import { CommandMetadata } from '../command-handling/handle-command';
import { CommandRunner } from '../command-handling/command-runner';
import { errorMessage } from '../error-message';
import { LeaseKeeper, LeaseRole } from '../leases/lease-keeper';
import { Settings } from '../settings';
import { CLOCK, SETTINGS } from '../tokens';
import { PAYMENT_METRICS, PaymentMetrics } from './payment-metrics';
import { LoadedPayment, loadPayment, runPaymentCommand } from './payment-stream';
import { AttemptToResolve, PaymentWorkLog } from './payment-work-log';
import { ProcessorCall, profileOf } from './processor-call';
import { PROCESSOR_CONNECTOR } from './processor-connectors.module';

/** How often the attempts to resolve are looked at. */
const TICK_MS = 250;
/** Most attempts resolved at once, so that a processor outage does not open a socket per attempt. */
const MAX_IN_FLIGHT = 32;

/** Where one attempt's resolution waits: until when (on the service's clock), and how many tries in a row got no definite answer. */
interface Waiting {
  untilMs: number;
  tries: number;
}

/**
 * The resolver of API.md "Outcomes that may hide a charge". For every attempt whose outcome may
 * hide a charge (PaymentWorkLog follows them from the event store, so they survive restarts),
 * once the call's timeout, and at least ATTEMPT_RESOLUTION_DELAY, has passed since its outcome
 * was recorded (a not_found asked earlier could be overtaken by the call itself), it asks the processor the attempt's status under the
 * attempt's idempotency key and records what it says (ProcessorAttemptResolved). A late
 * approval is always undone (attempt-resolution.ts: the cascade never adopts one, so a payment
 * never keeps two live approvals): void while authorized, refund once captured, under a key
 * derived from the attempt, and the outcome is recorded (LateApprovalVoided, or
 * LateApprovalVoidFailed when the processor refuses for good).
 *
 * The processor is the one the attempt recorded, with its settings as of the recorded revision.
 * An answer that says nothing (unknown), or a record that fails, is tried again after the next
 * pause of ATTEMPT_RESOLUTION_BACKOFF (the last one repeating), each retry logged and counted.
 * The backoff itself lives in memory: after a restart, each attempt is asked again once due.
 * Every wait is on the service's clock, so that a test clock moves the resolver too.
 *
 * One process of the deployment resolves: the one holding the lease `attempt-resolver`; the
 * others follow the same work (PaymentWorkLog) and take over once its lease lapses. A
 * resolution that runs on after its lease was lost only asks again what the new holder asks,
 * under the same keys, and its records are fenced by the payment stream's revision.
 */
@Injectable()
export class AttemptResolver implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AttemptResolver.name);
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly waiting = new Map<string, Waiting>();
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly lease: LeaseRole;

  constructor(
    private readonly work: PaymentWorkLog,
    private readonly runner: CommandRunner,
    private readonly calls: ProcessorCall,
    @Inject(PROCESSOR_CONNECTOR) private readonly connector: ProcessorConnector,
    @Inject(SETTINGS) private readonly settings: Settings,
    @Inject(CLOCK) private readonly clock: Clock,
    leases: LeaseKeeper,
    @Optional() @Inject(PAYMENT_METRICS) private readonly metrics?: PaymentMetrics,
  ) {
    this.lease = leases.role('attempt-resolver');
  }

  onApplicationBootstrap(): void {
    this.lease.start();
    this.scheduleTick();
  }

  /** Starts nothing more and waits for the calls under way (each bounded by its processor's timeout), then gives the lease up. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.all(this.inFlight.values());
    await this.lease.stop();
  }

  /** Starts the resolution of every attempt that is due and not under way. */
  tick(): void {
    const attempts = this.work.attemptsToResolve();
    this.metrics?.setUnresolvedAttempts(attempts.length);
    const known = new Set(attempts.map((attempt) => attempt.call.idempotency_key));
    for (const key of this.waiting.keys()) if (!known.has(key)) this.waiting.delete(key);
    const now = this.clock.now().getTime();
    for (const attempt of attempts) {
      const key = attempt.call.idempotency_key;
      if (this.stopped || this.inFlight.size >= MAX_IN_FLIGHT) return;
      if (this.inFlight.has(key) || (this.waiting.get(key)?.untilMs ?? 0) > now) continue;
      const resolution = this.resolve(attempt)
        .catch((error: unknown) => this.retryLater(attempt.paymentId, attempt.call, `could not be resolved: ${errorMessage(error)}`))
        .finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, resolution);
    }
  }

  private scheduleTick(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      if (this.lease.held) this.tick();
      this.scheduleTick();
    }, TICK_MS);
  }

  /** Takes the attempt's resolution as far as it goes now: to its end, or to a pause. */
  private async resolve(attempt: AttemptToResolve): Promise<void> {
    const key = attempt.call.idempotency_key;
    for (;;) {
      const loaded = await loadPayment(this.runner, attempt.paymentId);
      if (loaded.state.status === 'none') throw new Error(`payment ${attempt.paymentId} has no stream`);
      const step = nextResolutionStep(loaded.state.inDoubt, key);
      if (step.kind === 'done' || this.stopped) return;
      const processor = await this.calls.processorOf(loaded.state.payment.account_id, step.call);
      const command = step.kind === 'ask_status' ? await this.askStatus(attempt, step, processor) : await this.undo(step, processor);
      if (command === undefined) return;
      const { events } = await runPaymentCommand(this.runner, command, metadataOf(loaded), loaded);
      this.waiting.delete(key);
      for (const event of events) {
        if (event.type === 'ProcessorAttemptResolved') this.metrics?.recordAttemptResolution(event.data.outcome);
        if (event.type === 'LateApprovalVoided') this.metrics?.recordLateApprovalUndo(event.data.method, 'succeeded');
        if (event.type === 'LateApprovalVoidFailed') {
          this.metrics?.recordLateApprovalUndo(event.data.method, 'failed');
          this.logger.error(
            `payment ${attempt.paymentId}: the late approval of attempt ${key} at processor ${event.data.processor_id} could not be undone (${event.data.method}: ${event.data.code ?? event.data.message ?? 'refused'}); the charge stands`,
          );
        }
      }
    }
  }

  /** The processor's status of the attempt as a command to record; undefined when it is not due or said nothing. */
  private async askStatus(attempt: AttemptToResolve, step: Extract<ResolutionStep, { kind: 'ask_status' }>, processor: Processor): Promise<PaymentCommand | undefined> {
    const dueMs = attempt.since.getTime() + Math.max(processor.timeout_ms, this.settings.attemptResolutionDelayMs);
    if (this.clock.now().getTime() < dueMs) {
      this.waiting.set(step.call.idempotency_key, { untilMs: dueMs, tries: this.waiting.get(step.call.idempotency_key)?.tries ?? 0 });
      return undefined;
    }
    const answer = await this.connector.status(profileOf(processor), step.call.idempotency_key, { timeoutMs: processor.timeout_ms });
    const base = { paymentId: step.call.payment_id, idempotencyKey: step.call.idempotency_key };
    switch (answer.outcome) {
      case 'unknown':
        this.retryLater(attempt.paymentId, attempt.call, `status unknown (${answer.message})`);
        return undefined;
      case 'not_found':
        return { type: 'RecordAttemptResolution', ...base, outcome: 'not_found' };
      case 'declined':
        return { type: 'RecordAttemptResolution', ...base, outcome: 'declined', ...(answer.code !== undefined && { code: answer.code }) };
      case 'approved':
        return {
          type: 'RecordAttemptResolution',
          ...base,
          outcome: 'approved',
          ...(answer.authCode !== undefined && { authCode: answer.authCode }),
          ...(answer.state !== undefined && { state: answer.state }),
          ...(answer.capturedAmount !== undefined && { capturedAmount: answer.capturedAmount }),
          ...(answer.refundedAmount !== undefined && { refundedAmount: answer.refundedAmount }),
        };
    }
  }

  /**
   * Voids or refunds the late approval. A void the processor refuses as `already_captured` (a
   * connector that could not say the approval was captured) is made a refund of the whole amount.
   */
  private async undo(step: Extract<ResolutionStep, { kind: 'undo' }>, processor: Processor): Promise<PaymentCommand | undefined> {
    const { call } = step;
    const profile = profileOf(processor);
    const options = (method: LateApprovalUndoMethod) => ({ idempotencyKey: lateApprovalOperationKey(call.idempotency_key, method), timeoutMs: processor.timeout_ms });
    let method = step.method;
    let amount = step.amount;
    let answer: OperationResult =
      method === 'void'
        ? await this.connector.void(profile, { authorizationKey: call.idempotency_key }, options('void'))
        : await this.connector.refund(profile, { authorizationKey: call.idempotency_key, amount, currency: call.currency }, options('refund'));
    if (method === 'void' && answer.outcome === 'failed' && answer.code === 'already_captured') {
      [method, amount] = ['refund', call.amount];
      answer = await this.connector.refund(profile, { authorizationKey: call.idempotency_key, amount, currency: call.currency }, options('refund'));
    }
    if (answer.outcome === 'unknown') {
      this.retryLater(call.payment_id, call, `${method} unknown (${answer.message})`);
      return undefined;
    }
    const base = { type: 'RecordLateApprovalUndo' as const, paymentId: call.payment_id, idempotencyKey: call.idempotency_key, method, amount };
    if (answer.outcome === 'succeeded') return { ...base, outcome: 'succeeded' };
    return { ...base, outcome: 'failed', ...(answer.code !== undefined && { code: answer.code }), ...(answer.message !== undefined && { message: answer.message }) };
  }

  /** The attempt waits for the next pause of the backoff, counted and logged. */
  private retryLater(paymentId: string, call: ProcessorAttemptedData, why: string): void {
    const schedule = this.settings.attemptResolutionBackoffMs;
    const tries = (this.waiting.get(call.idempotency_key)?.tries ?? 0) + 1;
    const pauseMs = schedule[Math.min(tries - 1, schedule.length - 1)];
    this.waiting.set(call.idempotency_key, { untilMs: this.clock.now().getTime() + pauseMs, tries });
    this.metrics?.recordResolutionRetry();
    this.logger.warn(`payment ${paymentId}: attempt ${call.idempotency_key} at processor ${call.processor_id} ${why}; try ${tries}, again in ${pauseMs} ms`);
  }
}

/** The resolver's records belong to the payment's flow and are caused by the last event it read. */
function metadataOf({ state, recorded }: LoadedPayment): CommandMetadata {
  const accountId = state.status === 'none' ? undefined : state.payment.account_id;
  return { accountId, correlationId: recorded[0]?.metadata.correlation_id, causationId: recorded[recorded.length - 1]?.id };
}
