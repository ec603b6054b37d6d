import { setTimeout as sleep } from 'node:timers/promises';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { AfterApprovalEventType, Clock, OperationCall, eventOfStream, nextOperationCall, processorDecider, streamName } from '@payments/domain';
import { OperationResult, ProcessorConnector } from '@payments/processors';
import { CommandRunner } from '../../command-handling/command-runner';
import { CommandMetadata } from '../../command-handling/handle-command';
import { errorMessage } from '../../error-message';
import { LeaseKeeper } from '../../leases/lease-keeper';
import { CLOCK } from '../../tokens';
import { PROCESSOR_CONNECTOR } from '../processor-connectors.module';
import { profileOf } from '../processor-call';
import { LoadedAfterApproval, loadAfterApproval, runAfterApproval } from './after-approval-stream';
import { OperationKind, PAYMENT_OPERATION_METRICS, PaymentOperationMetrics } from './operation-metrics';

/** Pauses between tries of one drive: doubling from the first up to the cap, for at most MAX_TRIES tries. */
const FIRST_RETRY_MS = 200;
const MAX_RETRY_MS = 5_000;
const MAX_TRIES = 8;
/** After a drive gave up, the sweeper leaves the payment alone this long before driving it again. */
export const REST_AFTER_GIVING_UP_MS = 60_000;
/** While another process drives the payment's operations, how often this one looks whether they are done or the lease is free. */
const DRIVEN_ELSEWHERE_POLL_MS = 100;

/** The lease under which one process at a time sends a payment's captures, voids and refunds. */
export function operationsLease(paymentId: string): string {
  return `payment-operations:${paymentId}`;
}

const REQUESTED: Record<OperationKind, AfterApprovalEventType> = { capture: 'PaymentCaptureRequested', void: 'PaymentVoidRequested', refund: 'RefundRequested' };

interface Drive {
  done: Promise<void>;
  /** Something was requested while the drive ran: look for work once more before stopping. */
  again: boolean;
}

/**
 * Sends a payment's pending captures, voids and refunds to the processor that approved it, one at
 * a time (refunds in the order requested), each under the idempotency key its `...Requested` event
 * recorded before the call, and records each definite answer. Driven by the stream alone, so a
 * drive stopped anywhere (crash, shutdown) is continued by driving the payment again: the call is
 * re-sent under the same key and the processor answers it once.
 *
 * An answer that says nothing (timeout, connection error, 5xx) is never recorded as an outcome:
 * the call is repeated under the same key with backoff, and so is a failed read or append; every
 * retry is logged and counted. After MAX_TRIES the drive stops for REST_AFTER_GIVING_UP_MS, and
 * the sweeper drives the payment again (also after a restart), until the processor answers.
 *
 * One process at a time drives a payment's operations: the holder of `payment-operations:<id>`.
 * A drive asked for while another process holds it waits until nothing is pending (that process
 * sent it) or the lease is free (it stopped, or died and the lease lapsed), and then drives what
 * is left.
 */
@Injectable()
export class OperationDriver implements BeforeApplicationShutdown {
  private readonly logger = new Logger(OperationDriver.name);
  private readonly driving = new Map<string, Drive>();
  /** Payments whose last drive gave up, with when the sweeper may drive them again (ms). */
  private readonly resting = new Map<string, number>();
  private readonly stopping = new AbortController();

  constructor(
    private readonly runner: CommandRunner,
    @Inject(PROCESSOR_CONNECTOR) private readonly connector: ProcessorConnector,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly leases: LeaseKeeper,
    @Optional() @Inject(PAYMENT_OPERATION_METRICS) private readonly metrics?: PaymentOperationMetrics,
  ) {}

  /**
   * Drives the payment until nothing is pending (or the drive gives up), joining the drive of
   * this process if one runs; never rejects.
   */
  drive(paymentId: string): Promise<void> {
    const running = this.driving.get(paymentId);
    if (running) {
      running.again = true;
      return running.done;
    }
    this.resting.delete(paymentId);
    const drive: Drive = { done: Promise.resolve(), again: false };
    drive.done = this.driveUnderLease(paymentId, drive).finally(() => this.driving.delete(paymentId));
    this.driving.set(paymentId, drive);
    return drive.done;
  }

  /** Whether the sweeper should leave the payment to this process's drive, running or resting. */
  isBusy(paymentId: string): boolean {
    if (this.driving.has(paymentId)) return true;
    const until = this.resting.get(paymentId);
    return until !== undefined && until > this.clock.now().getTime();
  }

  /** Starts no further call and waits for those under way, so no answer is left unrecorded as the stores close. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await Promise.all([...this.driving.values()].map((drive) => drive.done));
  }

  private async driveUnderLease(paymentId: string, drive: Drive): Promise<void> {
    let tries = 0;
    let retryMs = FIRST_RETRY_MS;
    while (!this.stopping.signal.aborted) {
      try {
        // Ended (nothing pending, or given up), stopped, or its lease lost: to whoever holds it now.
        if ((await this.leases.hold(operationsLease(paymentId), (lease) => this.run(paymentId, drive, lease), this.stopping.signal)).held) return;
        const { state } = await loadAfterApproval(this.runner, paymentId);
        if (nextOperationCall(state) === null) return;
        [tries, retryMs] = [0, FIRST_RETRY_MS];
        await sleep(DRIVEN_ELSEWHERE_POLL_MS, undefined, { signal: this.stopping.signal }).catch(() => undefined);
      } catch (error) {
        tries++;
        if (tries >= MAX_TRIES) {
          this.resting.set(paymentId, this.clock.now().getTime() + REST_AFTER_GIVING_UP_MS);
          this.logger.error(`payment ${paymentId}: its operations' lease could not be taken ${tries} times, last: ${errorMessage(error)}; the sweeper tries again in ${REST_AFTER_GIVING_UP_MS / 1000} s`);
          return;
        }
        this.logger.warn(`payment ${paymentId}: its operations' lease could not be taken (try ${tries} of ${MAX_TRIES}): ${errorMessage(error)}; trying again in ${retryMs} ms`);
        await sleep(retryMs, undefined, { signal: this.stopping.signal }).catch(() => undefined);
        retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
      }
    }
  }

  private async run(paymentId: string, drive: Drive, lease: AbortSignal): Promise<void> {
    let loaded: LoadedAfterApproval | undefined;
    let tries = 0;
    let retryMs = FIRST_RETRY_MS;
    while (!lease.aborted) {
      let call: OperationCall | null = null;
      try {
        loaded = await loadAfterApproval(this.runner, paymentId, loaded);
        call = nextOperationCall(loaded.state);
        if (call === null) {
          if (!drive.again) return;
          drive.again = false;
          continue;
        }
        const answer = await this.send(loaded, call);
        if (answer.outcome === 'unknown') throw new Error(`the processor gave no definite answer: ${answer.message}`);
        await this.record(loaded, call, answer);
        tries = 0;
        retryMs = FIRST_RETRY_MS;
      } catch (error) {
        tries++;
        const what = call ? `the ${call.kind} ${call.idempotency_key}` : 'its operations';
        if (call) this.metrics?.recordOperationRetry(call.kind);
        if (tries >= MAX_TRIES) {
          this.resting.set(paymentId, this.clock.now().getTime() + REST_AFTER_GIVING_UP_MS);
          this.logger.error(`payment ${paymentId}: ${what} failed ${tries} times, last: ${errorMessage(error)}; the sweeper tries again in ${REST_AFTER_GIVING_UP_MS / 1000} s, under the same key`);
          return;
        }
        this.logger.warn(`payment ${paymentId}: ${what} failed (try ${tries} of ${MAX_TRIES}): ${errorMessage(error)}; trying again in ${retryMs} ms under the same key`);
        await sleep(retryMs, undefined, { signal: lease }).catch(() => undefined);
        retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
      }
    }
  }

  /** The call to the approving processor, with its settings as they are now (its timeout, and the simulator's refund_outcome). */
  private async send(loaded: LoadedAfterApproval, call: OperationCall): Promise<OperationResult> {
    const accountId = loaded.state.status === 'none' ? '' : loaded.state.account_id;
    const state = await this.runner.load(streamName('processor', call.processor_id), processorDecider);
    // Processors never leave their account, and a payment is approved only by its account's own.
    if (state.status !== 'connected' || state.processor.accountId !== accountId) throw new Error(`processor ${call.processor_id} of account ${accountId} cannot be read`);
    const profile = profileOf(state.processor);
    const options = { idempotencyKey: call.idempotency_key, timeoutMs: state.processor.timeout_ms };
    const authorizationKey = call.authorization_key;
    switch (call.kind) {
      case 'capture':
        return this.connector.capture(profile, { authorizationKey, ...(call.auth_code !== null && { authCode: call.auth_code }), amount: call.amount, currency: call.currency }, options);
      case 'void':
        return this.connector.void(profile, { authorizationKey, ...(call.auth_code !== null && { authCode: call.auth_code }) }, options);
      case 'refund':
        return this.connector.refund(profile, { authorizationKey, amount: call.amount, currency: call.currency }, options);
    }
  }

  /** Records the definite answer in the flow of the request that asked for the operation, caused by its `...Requested` event. */
  private async record(loaded: LoadedAfterApproval, call: OperationCall, answer: Exclude<OperationResult, { outcome: 'unknown' }>): Promise<void> {
    const requested = loaded.recorded.find((recorded) => {
      const event = eventOfStream(recorded, 'payment');
      return event?.type === REQUESTED[call.kind] && 'idempotency_key' in event.data && event.data.idempotency_key === call.idempotency_key;
    });
    const metadata: CommandMetadata = {
      ...(loaded.state.status !== 'none' && { accountId: loaded.state.account_id }),
      correlationId: requested?.metadata.correlation_id ?? call.payment_id,
      ...(requested && { causationId: requested.id }),
    };
    const failure = answer.outcome === 'failed' ? { ...(answer.code !== undefined && { code: answer.code }), ...(answer.message !== undefined && { message: answer.message }) } : {};
    const { events } = await runAfterApproval(this.runner, { type: 'RecordOperationOutcome', paymentId: call.payment_id, idempotencyKey: call.idempotency_key, outcome: answer.outcome, ...failure }, metadata);
    if (events.length > 0) this.metrics?.recordOperation(call.kind, answer.outcome);
  }
}
