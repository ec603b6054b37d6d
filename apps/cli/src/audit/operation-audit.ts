import { AfterApprovalState, OperationEvent, PaymentEvent, decideAfterApproval, isOperationEvent, recordedOperationCommand } from '@payments/domain';
import { RecordedEvent } from '@payments/event-store/event-store';
import { Decision, compareEvents } from './payment-audit';

/**
 * An operation after the approval (a capture, void, expiry or refund requested, or the processor's
 * answer recorded) decided again: the command rebuilt from its event, decided by the very decider
 * the service runs on the payment as it stood before, at the time the event records.
 */
export function auditOperation(before: AfterApprovalState, recorded: PaymentEvent[], first: RecordedEvent): Decision {
  const at = { revision: first.revision, position: first.position };
  const event = recorded[0];
  if (!isOperationEvent(event)) {
    return { kind: 'unexplained', label: `${event.type} where no operation after the approval leads`, tier: null, ...at, recorded, expected: [], notes: [], differences: [] };
  }
  const { command, at: decidedAt } = recordedOperationCommand(event, before);
  let expected: PaymentEvent[] | { error: string };
  try {
    expected = decideAfterApproval(command, before, { now: new Date(decidedAt) });
  } catch (error) {
    expected = { error: (error as Error).message };
  }
  const differences = Array.isArray(expected) ? compareEvents(expected, recorded) : [{ path: event.type, expected: expected.error, recorded: 'recorded' }];
  return { kind: 'operation', label: labelOf(event), tier: null, ...at, recorded, expected, notes: [], differences };
}

/** What the decision was about, for the audit's table: the operation, its amount where it has one, and its key. */
function labelOf(event: OperationEvent): string {
  const key = event.data.idempotency_key;
  switch (event.type) {
    case 'PaymentCaptureRequested':
      return `capture of ${event.data.amount} ${event.data.currency} requested (${key})`;
    case 'RefundRequested':
      return `refund of ${event.data.amount} ${event.data.currency} requested (${key})`;
    case 'PaymentVoidRequested':
      return `void requested ${event.data.reason === 'expired' ? 'on expiry' : 'by the merchant'} (${key})`;
    case 'PaymentCaptured':
    case 'PaymentVoided':
    case 'AuthorizationExpired':
    case 'RefundSucceeded':
      return `processor's answer: ${event.type} (${key})`;
    case 'PaymentCaptureFailed':
    case 'PaymentVoidFailed':
    case 'RefundFailed':
      return `processor's answer: ${event.type}, ${event.data.code ?? 'no code'} (${key})`;
  }
}
