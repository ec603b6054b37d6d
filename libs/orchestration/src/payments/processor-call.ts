import { Inject, Injectable } from '@nestjs/common';
import { PaymentCommand, PaymentStep, Processor, processorDecider, streamName } from '@payments/domain';
import { ProcessorConnector, ProcessorProfile } from '@payments/processors';
import { CommandRunner } from '../command-handling/command-runner';
import { PROCESSOR_CONNECTOR } from './processor-connectors.module';

export type CallStep = Extract<PaymentStep, { kind: 'call' }>;
export type RecordProcessorOutcome = Extract<PaymentCommand, { type: 'RecordProcessorOutcome' }>;

/**
 * Makes the call a ProcessorAttempted recorded, with its idempotency key, and reads the
 * processor's connection settings (connector, timeout, endpoint) as they are at the call.
 */
@Injectable()
export class ProcessorCall {
  constructor(
    private readonly runner: CommandRunner,
    @Inject(PROCESSOR_CONNECTOR) private readonly connector: ProcessorConnector,
  ) {}

  async make(accountId: string, step: CallStep): Promise<RecordProcessorOutcome> {
    const state = await this.runner.load(streamName('processor', step.processor_id), processorDecider);
    // Processors never leave their account, and a tier plans only the account's own.
    if (state.status !== 'connected' || state.processor.accountId !== accountId) throw new Error(`processor ${step.processor_id} of account ${accountId} does not exist`);
    const processor = state.processor;
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
    };
  }
}

function profileOf(processor: Processor): ProcessorProfile {
  return {
    id: processor.id,
    accountId: processor.accountId,
    connector: processor.connector,
    timeoutMs: processor.timeout_ms,
    simulator: processor.simulator ?? undefined,
    http: processor.http ?? undefined,
  };
}
