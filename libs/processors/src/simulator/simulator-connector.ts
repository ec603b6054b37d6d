import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AuthorizationOutcome, AuthorizationRequest, AuthorizationResult, AuthorizeOptions, ProcessorConnector, ProcessorProfile } from '../connector';
import { decideSimulatorAuthorization } from './simulator-decision';
import { SimulatorLedger } from './simulator-ledger';

const AUTH_CODE_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

function newAuthCode(): string {
  return Array.from({ length: 6 }, () => AUTH_CODE_ALPHABET[randomInt(AUTH_CODE_ALPHABET.length)]).join('');
}

const MESSAGES: Partial<Record<AuthorizationOutcome, string>> = {
  timeout: 'the simulated processor did not answer in time',
  error: 'the simulated processor failed',
};

/**
 * A processor inside the service, for sandboxes and tests. It decides by its settings, remembers
 * every answer in the ledger before sending it and answers a repeated idempotency key with the
 * first answer at once, like a real processor's idempotency layer.
 */
export class SimulatorConnector implements ProcessorConnector {
  constructor(private readonly ledger: SimulatorLedger) {}

  async authorize(processor: ProcessorProfile, request: AuthorizationRequest, options: AuthorizeOptions): Promise<AuthorizationResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    if (!processor.simulator) return { outcome: 'error', durationMs: elapsed(), message: 'the processor has no simulator settings' };

    const decision = decideSimulatorAuthorization(processor.simulator, request, options.optimized);
    const recorded = await this.ledger
      .record({
        processorId: processor.id,
        idempotencyKey: options.idempotencyKey,
        paymentId: request.paymentId,
        amount: request.amount,
        currency: request.currency,
        outcome: decision.outcome,
        ...(decision.outcome === 'declined' && { code: decision.code }),
        ...(decision.outcome === 'approved' && { authCode: newAuthCode() }),
      })
      // Nothing was stored, so nothing was charged: to the caller this is a failing processor.
      .catch(() => undefined);
    if (!recorded) return { outcome: 'error', durationMs: elapsed(), message: 'the simulated processor could not record the authorization' };

    const { charge, replayed } = recorded;
    // A timeout never answers; a fresh answer waits for the simulated latency; a replay answers at once.
    const answerAfterMs = charge.outcome === 'timeout' ? Infinity : replayed ? 0 : processor.simulator.latency_ms ?? 0;
    if (answerAfterMs >= options.timeoutMs) {
      await sleep(options.timeoutMs);
      return { outcome: 'timeout', durationMs: elapsed(), message: MESSAGES.timeout };
    }
    if (answerAfterMs > 0) await sleep(answerAfterMs);
    return {
      outcome: charge.outcome,
      ...(charge.code !== undefined && { code: charge.code }),
      ...(charge.authCode !== undefined && { authCode: charge.authCode }),
      durationMs: elapsed(),
      ...(MESSAGES[charge.outcome] !== undefined && { message: MESSAGES[charge.outcome] }),
    };
  }
}
