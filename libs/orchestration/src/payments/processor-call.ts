import { Inject, Injectable } from '@nestjs/common';
import { PaymentCommand, PaymentStep, Processor, invalid, processorDecider, streamName } from '@payments/domain';
import { ProcessorConnector, ProcessorProfile } from '@payments/processors';
import { CommandRunner } from '../command-handling/command-runner';
import { PROCESSOR_CONNECTOR } from './processor-connectors.module';

export type CallStep = Extract<PaymentStep, { kind: 'call' }>;
export type RecordProcessorOutcome = Extract<PaymentCommand, { type: 'RecordProcessorOutcome' }>;

/**
 * Makes the call a ProcessorAttempted recorded, with its idempotency key and the processor's
 * connection settings (connector, timeout, endpoint) as of the revision the call recorded (the
 * tier's planning), so a call re-sent after a crash goes where and how the first one went, whatever
 * PATCH came in between.
 */
@Injectable()
export class ProcessorCall {
  constructor(
    private readonly runner: CommandRunner,
    @Inject(PROCESSOR_CONNECTOR) private readonly connector: ProcessorConnector,
  ) {}

  async make(accountId: string, step: CallStep): Promise<RecordProcessorOutcome> {
    const processor = await this.processorOf(accountId, step);
    const answer = await this.connector.authorize(
      profileOf(processor),
      { paymentId: step.payment_id, amount: step.amount, currency: step.currency, card: step.card },
      { idempotencyKey: step.idempotency_key, timeoutMs: processor.timeout_ms, optimized: step.optimized, ...(step.capture_method && { captureMethod: step.capture_method }) },
    );
    return {
      type: 'RecordProcessorOutcome',
      paymentId: step.payment_id,
      idempotencyKey: step.idempotency_key,
      outcome: answer.outcome,
      code: answer.code,
      authCode: answer.authCode,
      durationMs: answer.durationMs,
      message: answer.message,
      uncertain: answer.uncertain,
    };
  }

  /**
   * The processor a call recorded, as of its recorded revision (as it is now, for a call recorded
   * without one). One that cannot be read will not become readable: the saga ends the payment.
   */
  async processorOf(accountId: string, call: { processor_id: string; processor_revision?: number }): Promise<Processor> {
    const stream = streamName('processor', call.processor_id);
    const { state } =
      call.processor_revision === undefined ? await this.runner.loadFolded(stream, processorDecider) : await this.runner.loadAt(stream, processorDecider, BigInt(call.processor_revision));
    // Processors never leave their account, and a tier plans only the account's own.
    if (state.status !== 'connected' || state.processor.accountId !== accountId) {
      const at = call.processor_revision === undefined ? '' : ` at revision ${call.processor_revision}`;
      throw invalid(`processor ${call.processor_id} of account ${accountId} cannot be read${at}`);
    }
    return state.processor;
  }
}

export function profileOf(processor: Processor): ProcessorProfile {
  return {
    id: processor.id,
    accountId: processor.accountId,
    connector: processor.connector,
    timeoutMs: processor.timeout_ms,
    simulator: processor.simulator ?? undefined,
    http: processor.http ?? undefined,
  };
}
