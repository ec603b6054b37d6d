import { setTimeout as sleep } from 'node:timers/promises';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { DomainError, PaymentCommand, PaymentRun, PaymentStep, nextPaymentStep } from '@payments/domain';
import { RecordedEvent } from '@payments/event-store';
import { SessionPayments } from '../checkout-sessions/session-payments';
import { CommandRunner } from '../command-handling/command-runner';
import { errorMessage } from '../error-message';
import { CommandMetadata } from '../command-handling/handle-command';
import { LeaseKeeper } from '../leases/lease-keeper';
import { PAYMENT_METRICS, PaymentMetrics, recordCascadeMetrics } from './payment-metrics';
import { LoadedPayment, loadPayment, runPaymentCommand } from './payment-stream';
import { ProcessorCall } from './processor-call';
import { TierRoutingResolver } from './tier-routing';

/** Backoff after a failed step (a store that is down, a stream another worker moved): doubles up to the cap. */
const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 30_000;
/**
 * Tries of a step the domain refuses (a DomainError: a route or processor that cannot be read, a
 * stream the cascade cannot continue) before the payment ends failed: a refusal decided on the
 * same stream is decided the same way again, and the tries after the first only let a stream that
 * another process moved meanwhile be read again.
 */
export const REFUSED_STEP_TRIES = 3;
/**
 * Tries of a step that fails otherwise (a store that is down or refuses) before the payment ends
 * failed: with the backoff above, about 6 minutes of failures in a row.
 */
export const FAILING_STEP_TRIES = 20;

/**
 * While another process drives the payment, how often this one looks whether it has finished,
 * or its lease is free to take (its driver stopped, or died and the lease lapsed).
 */
export const DRIVEN_ELSEWHERE_POLL_MS = 100;

/** The lease under which one process at a time drives the payment. */
export function paymentLease(paymentId: string): string {
  return `payment:${paymentId}`;
}

/** Which step failed, for the logs and the retry counter. */
export type CascadeStepName = PaymentStep['kind'] | 'read';

/**
 * The cascade saga. It is driven by the payment's stored events, never by memory: each step
 * folds the stream (the first whole, then what was written since), asks `nextPaymentStep` what
 * comes next and records the answer, so a saga
 * that stops anywhere (crash, shutdown, a lost acknowledgement) is continued by driving the
 * payment again:
 * - start_tier: resolve the tier's route and processors as they are now, record StartNextTier;
 * - call: send the recorded ProcessorAttempted to its processor with its idempotency key, record
 *   the answer (a call re-sent after a crash carries the same key, so it is charged once);
 * - finished: end the session's payment (complete or open again), then stop.
 * One process drives a payment at a time: the one holding its lease `payment:<id>`
 * (LeaseKeeper), which another process takes over once it lapses. Should two ever overlap (a
 * driver that paused past its lease), the payment stream's expected revision decides, and the
 * loser re-reads what the winner wrote.
 */
@Injectable()
export class PaymentCascade implements BeforeApplicationShutdown {
  private readonly logger = new Logger(PaymentCascade.name);
  private readonly driving = new Map<string, Promise<LoadedPayment | undefined>>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly runner: CommandRunner,
    private readonly sessions: SessionPayments,
    private readonly routing: TierRoutingResolver,
    private readonly call: ProcessorCall,
    private readonly leases: LeaseKeeper,
    @Optional() @Inject(PAYMENT_METRICS) private readonly metrics?: PaymentMetrics,
  ) {}

  /**
   * Drives the payment until it has finished and its session knows, joining the drive already
   * running in this process if there is one. While another process holds the payment's lease,
   * this one does not drive: it waits, looking every DRIVEN_ELSEWHERE_POLL_MS for the lease to
   * be free, and then drives what is left (nothing but telling the session, when the other
   * finished it). Settles then with the payment's stream as the last step read it (whole), or
   * with undefined when the application shuts down first; never rejects: a failed step, or a
   * lease store that cannot be asked, is retried with backoff.
   */
  drive(paymentId: string): Promise<LoadedPayment | undefined> {
    const running = this.driving.get(paymentId);
    if (running) return running;
    const drive = this.driveUnderLease(paymentId).finally(() => this.driving.delete(paymentId));
    this.driving.set(paymentId, drive);
    return drive;
  }

  /**
   * Drives the payment, in the background, when no other process does: false, doing nothing,
   * while another holds its lease. Throws when the lease store cannot be asked.
   */
  async driveIfFree(paymentId: string): Promise<boolean> {
    if (this.driving.has(paymentId)) return true;
    // Taken here, so the drive below renews it rather than racing another process for it.
    if (!(await this.leases.acquire(paymentLease(paymentId)))) return false;
    void this.drive(paymentId);
    return true;
  }

  /** Whether this process is driving the payment (or waiting for the one that is). */
  isDriving(paymentId: string): boolean {
    return this.driving.has(paymentId);
  }

  /**
   * Starts no further step and waits for the steps under way, so that no answer of a processor
   * is left unrecorded while the stores close; what remains is continued at the next start.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await Promise.all(this.driving.values());
  }

  private async driveUnderLease(paymentId: string): Promise<LoadedPayment | undefined> {
    let retryMs = FIRST_RETRY_MS;
    let failures = 0;
    while (!this.stopping.signal.aborted) {
      try {
        const driven = await this.leases.hold(paymentLease(paymentId), (lease) => this.run(paymentId, lease), this.stopping.signal);
        // A lease lost midway leaves the rest to its new holder, whom this waits for.
        if (driven.held && driven.value.done) return driven.value.loaded;
        [failures, retryMs] = [0, FIRST_RETRY_MS];
        await sleep(DRIVEN_ELSEWHERE_POLL_MS, undefined, { signal: this.stopping.signal }).catch(() => undefined);
      } catch (error) {
        failures++;
        this.metrics?.recordStepRetry('read');
        this.logger.error(`payment ${paymentId}: its lease could not be taken (try ${failures}), trying again in ${retryMs} ms: ${errorMessage(error)}`);
        await sleep(retryMs, undefined, { signal: this.stopping.signal }).catch(() => undefined);
        retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
      }
    }
    return undefined;
  }

  /**
   * Takes the payment's steps until none is left, or until `lease` aborts (lost, or the service
   * stops): `done` says which. A step that fails is tried again after a pause
   * that doubles up to MAX_RETRY_MS, each retry logged and counted; one refused REFUSED_STEP_TRIES
   * times, or failing FAILING_STEP_TRIES times in a row, ends the payment failed with why
   * (FailPayment), so no payment stays processing for good. A payment that has finished already
   * can only be told to its session: that is tried until it works, unless refused.
   */
  private async run(paymentId: string, lease: AbortSignal): Promise<{ done: boolean; loaded: LoadedPayment | undefined }> {
    let retryMs = FIRST_RETRY_MS;
    let failures = 0;
    // What the steps so far have read: each step reads only the events written since.
    let loaded: LoadedPayment | undefined;
    while (!lease.aborted) {
      let step: CascadeStepName = 'read';
      try {
        loaded = await loadPayment(this.runner, paymentId, loaded);
        step = stepName(loaded);
        if (await this.step(paymentId, loaded)) return { done: true, loaded };
        retryMs = FIRST_RETRY_MS;
        failures = 0;
      } catch (error) {
        failures++;
        const refused = error instanceof DomainError;
        const givingUp = failures >= (refused ? REFUSED_STEP_TRIES : FAILING_STEP_TRIES);
        if (givingUp && step === 'finished' && refused) {
          this.logger.error(`payment ${paymentId}: its session cannot be told that it ended, giving up after ${failures} tries: ${errorMessage(error)}`);
          return { done: true, loaded };
        }
        if (givingUp && loaded?.state.status === 'processing' && (await this.fail(paymentId, loaded, step, failures, error))) {
          [failures, retryMs] = [0, FIRST_RETRY_MS];
          continue;
        }
        this.metrics?.recordStepRetry(step);
        this.logger.error(`payment ${paymentId}: step ${step} failed (try ${failures}), trying again in ${retryMs} ms: ${errorMessage(error)}`);
        await sleep(retryMs, undefined, { signal: lease }).catch(() => undefined);
        retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
      }
    }
    return { done: false, loaded };
  }

  /** Ends the payment failed with the step's error as its detail; false when even that could not be recorded. */
  private async fail(paymentId: string, loaded: LoadedPayment, step: CascadeStepName, tries: number, error: unknown): Promise<boolean> {
    const detail = `step ${step} ${error instanceof DomainError ? 'refused' : 'failed'} ${tries} times: ${errorMessage(error)}`;
    try {
      if (loaded.state.status === 'none') return false;
      await this.record({ type: 'FailPayment', paymentId, detail }, stepMetadata(loaded.state, loaded.recorded), loaded);
      this.logger.error(`payment ${paymentId} failed (processing_error): ${detail}`);
      return true;
    } catch (failing) {
      this.logger.error(`payment ${paymentId}: could not record that it failed (${detail}): ${errorMessage(failing)}`);
      return false;
    }
  }

  /** Takes the next step of the payment, as its stream stands now; true once nothing is left to do. */
  private async step(paymentId: string, loaded: LoadedPayment): Promise<boolean> {
    const { state, recorded } = loaded;
    // Only a payment that started has steps; one that never did is settled by PaymentRecovery.
    if (state.status === 'none') return true;
    const metadata = stepMetadata(state, recorded);
    const step = nextPaymentStep(state);
    switch (step.kind) {
      case 'start_tier': {
        const { account_id, card, tiers } = state.payment;
        const routing = await this.routing.resolve(account_id, step.route_id, { network: card.network, currency: tiers[step.tier].currency });
        await this.record({ type: 'StartNextTier', paymentId, tier: step.tier, routing }, metadata, loaded);
        return false;
      }
      case 'call':
        await this.record(await this.call.make(state.payment.account_id, step), metadata, loaded);
        return false;
      case 'finished': {
        const { account_id, checkout_session_id } = state.payment;
        await this.sessions.end(account_id, checkout_session_id, paymentId, step.status, metadata);
        return true;
      }
    }
  }

  /**
   * Records the step's answer, decided on the stream as the step read it: in this process nothing
   * else writes the payment meanwhile, and a write from another process fails the append on its
   * expected revision, after which the command reads the stream and decides again.
   */
  private async record(command: PaymentCommand, metadata: CommandMetadata, current: LoadedPayment): Promise<void> {
    const { events } = await runPaymentCommand(this.runner, command, metadata, current);
    recordCascadeMetrics(this.metrics, events);
  }
}

function stepName(loaded: LoadedPayment): CascadeStepName {
  if (loaded.state.status === 'none') return 'read';
  try {
    return nextPaymentStep(loaded.state).kind;
  } catch {
    return 'read';
  }
}

/** Every step belongs to the flow of the request that started the payment, and is caused by the last event it read. */
function stepMetadata(run: PaymentRun, recorded: readonly RecordedEvent[]): CommandMetadata {
  return {
    accountId: run.payment.account_id,
    correlationId: recorded[0].metadata.correlation_id ?? run.payment.payment_id,
    causationId: recorded[recorded.length - 1].id,
  };
}
