import { AfterApprovalCommand, AfterApprovalState, PaymentEvent, afterApprovalDecider } from '@payments/domain';
import { CommandRunner } from '../../command-handling/command-runner';
import { CommandMetadata, HandleResult } from '../../command-handling/handle-command';
import { LoadedAggregate } from '../../command-handling/load-stream';
import { paymentStream } from '../payment-stream';

export type LoadedAfterApproval = LoadedAggregate<AfterApprovalState>;

/** The payment's stream folded for what follows its approval, with its recorded events (their metadata); only the tail after `earlier`. */
export function loadAfterApproval(runner: CommandRunner, paymentId: string, earlier?: LoadedAfterApproval): Promise<LoadedAfterApproval> {
  return runner.loadRecorded(paymentStream(paymentId), afterApprovalDecider, earlier);
}

/**
 * Runs a command after the approval on the payment's stream. Event ids derive from the command and
 * the operation it is about (the refund, the capture's amount, the answered key) besides the
 * revision, so a command re-run after a lost acknowledgement appends nothing twice, while two
 * different operations decided on the same revision by two processes never share an id (the
 * second's append fails on its revision and is decided again).
 */
export function runAfterApproval(runner: CommandRunner, command: AfterApprovalCommand, metadata: CommandMetadata): Promise<HandleResult<PaymentEvent, AfterApprovalState>> {
  return runner.run(paymentStream(command.paymentId), afterApprovalDecider, command, { metadata, commandId: `${command.paymentId}:${command.type}:${operationOf(command)}`, retries: 5 });
}

function operationOf(command: AfterApprovalCommand): string {
  switch (command.type) {
    case 'RequestCapture':
      return String(command.amount ?? 'all');
    case 'RequestRefund':
      return command.refundId;
    case 'RecordOperationOutcome':
      return `${command.idempotencyKey}:${command.outcome}`;
    case 'RequestVoid':
    case 'ExpireAuthorization':
      return 'void';
  }
}
