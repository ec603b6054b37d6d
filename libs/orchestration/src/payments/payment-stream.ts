import { PaymentCommand, PaymentEvent, PaymentState, eventOfStream, isId, notFound, paymentDecider, streamName } from '@payments/domain';
import { RecordedEvent } from '@payments/event-store';
import { CommandRunner } from '../command-handling/command-runner';
import { FoldedStream } from '../command-handling/aggregate-cache';
import { CommandMetadata, HandleResult } from '../command-handling/handle-command';
import { LoadedAggregate } from '../command-handling/load-stream';

/** Ids come from URLs and the read model: anything not shaped like a payment id is missing, and stays out of stream names. */
export function paymentStream(paymentId: string): string {
  if (!isId(paymentId, 'pay')) throw notFound(`no payment ${paymentId}`);
  return streamName('payment', paymentId);
}

export type LoadedPayment = LoadedAggregate<PaymentState>;

/**
 * The whole stream, for its events' metadata, reading only what follows `earlier` when given;
 * it leaves the fold cached for the next payment command.
 */
export async function loadPayment(runner: CommandRunner, paymentId: string, earlier?: LoadedPayment): Promise<LoadedPayment> {
  return runner.loadRecorded(paymentStream(paymentId), paymentDecider, earlier);
}

/**
 * Decides a payment command on the payment's stream (on `current`, when the caller has just read
 * it). Event ids derive from the payment and the revision decided on, so a step re-run after a
 * lost acknowledgement appends nothing twice; after a concurrent write (another saga worker) the
 * command is decided again on what it wrote.
 */
export function runPaymentCommand(
  runner: CommandRunner,
  command: PaymentCommand,
  metadata: CommandMetadata,
  current?: FoldedStream<PaymentState>,
): Promise<HandleResult<PaymentEvent, PaymentState>> {
  return runner.run(paymentStream(command.paymentId), paymentDecider, command, { metadata, commandId: `${command.paymentId}:${command.type}`, retries: 3, current });
}

/** The payment's events as domain events; one this version cannot read is passed by. */
export function paymentEventsOf(recorded: readonly RecordedEvent[]): PaymentEvent[] {
  return recorded.flatMap((event) => eventOfStream(event, 'payment') ?? []);
}
