import { AfterApprovalCommand } from './after-approval-commands';
import { AfterApprovalEvent } from './after-approval-events';
import { AfterApprovalState } from './after-approval-state';

export type OperationEvent = Exclude<AfterApprovalEvent, { type: 'PaymentAuthorized' }>;

const OPERATION_EVENT_TYPES: ReadonlySet<string> = new Set<OperationEvent['type']>([
  'PaymentCaptureRequested',
  'PaymentCaptured',
  'PaymentCaptureFailed',
  'PaymentVoidRequested',
  'PaymentVoided',
  'AuthorizationExpired',
  'PaymentVoidFailed',
  'RefundRequested',
  'RefundSucceeded',
  'RefundFailed',
]);

/** Whether a payment event was appended by a command after the approval, alone (PaymentAuthorized ends the cascade's step instead). */
export function isOperationEventType(type: string): type is OperationEvent['type'] {
  return OPERATION_EVENT_TYPES.has(type);
}

export function isOperationEvent(event: { type: string }): event is OperationEvent {
  return OPERATION_EVENT_TYPES.has(event.type);
}

/**
 * The command that recorded an event after the approval, rebuilt from the event and the payment as
 * it stood before it, with the time it was decided at: what an audit decides again to check the
 * recorded event. A capture or refund of "all" was recorded with its amount, which gives the same decision.
 */
export function recordedOperationCommand(event: OperationEvent, before: AfterApprovalState): { command: AfterApprovalCommand; at: string } {
  const paymentId = event.data.payment_id;
  const accountId = before.status === 'none' ? '' : before.account_id;
  const outcome = (answer: 'succeeded' | 'failed', at: string, failure: { code: string | null; message: string | null } = { code: null, message: null }) => ({
    command: {
      type: 'RecordOperationOutcome' as const,
      paymentId,
      idempotencyKey: event.data.idempotency_key,
      outcome: answer,
      ...(failure.code !== null && { code: failure.code }),
      ...(failure.message !== null && { message: failure.message }),
    },
    at,
  });
  switch (event.type) {
    case 'PaymentCaptureRequested':
      return { command: { type: 'RequestCapture', paymentId, accountId, amount: event.data.amount }, at: event.data.requested_at };
    case 'PaymentVoidRequested':
      return { command: event.data.reason === 'expired' ? { type: 'ExpireAuthorization', paymentId } : { type: 'RequestVoid', paymentId, accountId }, at: event.data.requested_at };
    case 'RefundRequested':
      return { command: { type: 'RequestRefund', paymentId, accountId, refundId: event.data.refund_id, amount: event.data.amount, reason: event.data.reason }, at: event.data.requested_at };
    case 'PaymentCaptured':
      return outcome('succeeded', event.data.captured_at);
    case 'PaymentVoided':
      return outcome('succeeded', event.data.voided_at);
    case 'AuthorizationExpired':
      return outcome('succeeded', event.data.expired_at);
    case 'RefundSucceeded':
      return outcome('succeeded', event.data.succeeded_at);
    case 'PaymentCaptureFailed':
    case 'PaymentVoidFailed':
    case 'RefundFailed':
      return outcome('failed', event.data.failed_at, event.data);
  }
}
