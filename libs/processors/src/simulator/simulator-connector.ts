import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AuthorizationRequest,
  AuthorizationResult,
  AuthorizeOptions,
  CaptureRequest,
  OperationOptions,
  OperationResult,
  ProcessorConnector,
  ProcessorProfile,
  RefundRequest,
  StatusOptions,
  StatusResult,
  VoidRequest,
} from '../connector';
import { decideSimulatorAuthorization } from './simulator-decision';
import { SimulatorCharge, SimulatorLedger, SimulatorOperationKind, SimulatorOperationRequest } from './simulator-ledger';

const AUTH_CODE_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function newAuthCode(): string {
  return Array.from({ length: 6 }, () => AUTH_CODE_ALPHABET[randomInt(AUTH_CODE_ALPHABET.length)]).join('');
}

const FAILED = 'the simulated processor failed';

const UNRECORDED = 'the simulated processor could not record the call';

function stopwatch(): () => number {
  const started = performance.now();
  return () => Math.round(performance.now() - started);
}

/** Waits as the simulated processor would before answering; false when the caller gave up first. */
async function answersInTime(latencyMs: number, timeoutMs: number): Promise<boolean> {
  if (latencyMs >= timeoutMs) {
    await sleep(timeoutMs);
    return false;
  }
  if (latencyMs > 0) await sleep(latencyMs);
  return true;
}

function stateOf(charge: SimulatorCharge): 'authorized' | 'captured' | 'voided' {
  if (charge.voided) return 'voided';
  return charge.capturedAmount > 0 ? 'captured' : 'authorized';
}

/**
 * A processor inside the service, for sandboxes and tests. It decides by its settings, remembers
 * every answer in the ledger before sending it and answers a repeated idempotency key with the
 * first answer at once, like a real processor's idempotency layer. From the caller's side it is
 * a remote processor: an answer it does not send (a timeout, an error, a failed ledger write) is
 * uncertain, because with `charge_on_timeout` it may hide a charge, as a real one's would.
 */
export class SimulatorConnector implements ProcessorConnector {
  constructor(private readonly ledger: SimulatorLedger) {}

  async authorize(processor: ProcessorProfile, request: AuthorizationRequest, options: AuthorizeOptions): Promise<AuthorizationResult> {
    const elapsed = stopwatch();
    const settings = processor.simulator;
    // Nothing was sent anywhere, so this one is certain.
    if (!settings) return { outcome: 'error', uncertain: false, durationMs: elapsed(), message: 'the processor has no simulator settings' };

    const decision = decideSimulatorAuthorization(settings, request, { processorId: processor.id, optimized: options.optimized });
    const approved = decision.outcome === 'approved' || (settings.charge_on_timeout === true && (decision.outcome === 'timeout' || decision.outcome === 'error'));
    const recorded = await this.ledger
      .record({
        processorId: processor.id,
        idempotencyKey: options.idempotencyKey,
        paymentId: request.paymentId,
        amount: request.amount,
        currency: request.currency,
        outcome: decision.outcome,
        ...(decision.outcome === 'declined' && { code: decision.code }),
        approved,
        ...(approved && { authCode: newAuthCode() }),
        captureMethod: options.captureMethod ?? 'automatic',
      })
      .catch(() => undefined);
    if (!recorded) return { outcome: 'error', uncertain: true, durationMs: elapsed(), message: UNRECORDED };

    const { charge, replayed } = recorded;
    // A timeout never answers; a fresh answer waits for the simulated latency; a replay answers at once.
    const latencyMs = charge.outcome === 'timeout' ? Infinity : replayed ? 0 : settings.latency_ms ?? 0;
    if (!(await answersInTime(latencyMs, options.timeoutMs))) {
      return { outcome: 'timeout', uncertain: true, durationMs: elapsed(), message: `the simulated processor did not answer within ${options.timeoutMs} ms` };
    }
    // A simulated error stands for a 5xx or a dropped connection: the caller cannot tell what happened.
    const uncertain = charge.outcome === 'error';
    return {
      outcome: charge.outcome,
      uncertain,
      ...(charge.code !== undefined && { code: charge.code }),
      // The auth code of an approval whose answer is lost is not sent: only status tells it.
      ...(!uncertain && charge.authCode !== undefined && { authCode: charge.authCode }),
      durationMs: elapsed(),
      ...(charge.outcome === 'error' && { message: FAILED }),
    };
  }

  capture(processor: ProcessorProfile, request: CaptureRequest, options: OperationOptions): Promise<OperationResult> {
    return this.operate(processor, 'capture', request, options);
  }

  void(processor: ProcessorProfile, request: VoidRequest, options: OperationOptions): Promise<OperationResult> {
    return this.operate(processor, 'void', request, options);
  }

  refund(processor: ProcessorProfile, request: RefundRequest, options: OperationOptions): Promise<OperationResult> {
    return this.operate(processor, 'refund', { ...request, refundOutcome: processor.simulator?.refund_outcome ?? 'succeed' }, options);
  }

  /** Capture, void and refund act on the ledger alone; of the settings only latency and refund_outcome matter to them. */
  private async operate(
    processor: ProcessorProfile,
    kind: SimulatorOperationKind,
    request: Omit<SimulatorOperationRequest, 'kind' | 'processorId' | 'idempotencyKey'>,
    options: OperationOptions,
  ): Promise<OperationResult> {
    const elapsed = stopwatch();
    const recorded = await this.ledger.apply({ ...request, kind, processorId: processor.id, idempotencyKey: options.idempotencyKey }).catch(() => undefined);
    if (!recorded) return { outcome: 'unknown', durationMs: elapsed(), message: UNRECORDED };
    const { operation, replayed } = recorded;
    if (!(await answersInTime(replayed ? 0 : processor.simulator?.latency_ms ?? 0, options.timeoutMs))) {
      return { outcome: 'unknown', durationMs: elapsed(), message: `the simulated processor did not answer within ${options.timeoutMs} ms` };
    }
    if (operation.outcome === 'succeeded') return { outcome: 'succeeded', durationMs: elapsed() };
    return { outcome: 'failed', ...(operation.code !== undefined && { code: operation.code }), durationMs: elapsed() };
  }

  async status(processor: ProcessorProfile, authorizationKey: string, options: StatusOptions): Promise<StatusResult> {
    const elapsed = stopwatch();
    const charge = await this.ledger.authorization(processor.id, authorizationKey).catch(() => null);
    if (charge === null) return { outcome: 'unknown', durationMs: elapsed(), message: 'the simulated processor could not read its ledger' };
    if (!(await answersInTime(processor.simulator?.latency_ms ?? 0, options.timeoutMs))) {
      return { outcome: 'unknown', durationMs: elapsed(), message: `the simulated processor did not answer within ${options.timeoutMs} ms` };
    }
    if (!charge) return { outcome: 'not_found', durationMs: elapsed() };
    if (!charge.approved) return { outcome: 'declined', ...(charge.code !== undefined && { code: charge.code }), durationMs: elapsed() };
    return {
      outcome: 'approved',
      ...(charge.authCode !== undefined && { authCode: charge.authCode }),
      state: stateOf(charge),
      capturedAmount: charge.capturedAmount,
      refundedAmount: charge.refundedAmount,
      durationMs: elapsed(),
    };
  }
}
