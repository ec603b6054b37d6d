import { Decider, DecisionContext } from '../../shared/decider';
import { conflict, invalid, notFound } from '../../shared/errors';
import type { PaymentEvent } from '../payment-events';
import { AfterApprovalCommand } from './after-approval-commands';
import { AfterApprovalEvent, captureKey, voidKey } from './after-approval-events';
import { AfterApprovalState, Authorization, PaymentAfterApproval, evolveAfterApproval, initialAfterApprovalState, pendingOperation, refundable } from './after-approval-state';
import { AUTHORIZATION_VALIDITY_MS } from './capture-method';

type Command<T extends AfterApprovalCommand['type']> = Extract<AfterApprovalCommand, { type: T }>;

/**
 * Capture, void, expiry and refunds of an approved payment, on the payment's own stream. Every
 * operation is recorded as requested (with the idempotency key the processor gets) before the
 * processor is called, and its definite outcome after, so that a retry or a crash re-sends the
 * same key and the processor acts once. Each command appends at most one event.
 */
export function decideAfterApproval(command: AfterApprovalCommand, state: AfterApprovalState, { now }: DecisionContext): AfterApprovalEvent[] {
  if (state.status === 'none') throw notFound(`no payment ${command.paymentId}`);
  if ('accountId' in command && state.account_id !== command.accountId) throw notFound(`no payment ${command.paymentId}`);
  switch (command.type) {
    case 'RequestCapture':
      return requestCapture(command, state, now);
    case 'RequestVoid':
      return requestVoid(state, now);
    case 'ExpireAuthorization':
      return expireAuthorization(state, now);
    case 'RequestRefund':
      return requestRefund(command, state, now);
    case 'RecordOperationOutcome':
      return recordOutcome(command, state, now);
  }
}

export const afterApprovalDecider: Decider<AfterApprovalCommand, PaymentEvent, AfterApprovalState, DecisionContext> = {
  initialState: initialAfterApprovalState,
  decide: decideAfterApproval,
  evolve: evolveAfterApproval,
};

/** The authorization of a payment in requires_capture, else 409 naming where the payment stands. */
function heldAuthorization(payment: PaymentAfterApproval, operation: string): Authorization {
  if (payment.status !== 'requires_capture' || payment.authorization === null) {
    throw conflict(`payment ${payment.payment_id} is ${payment.status}: only a payment in requires_capture can be ${operation}`);
  }
  return payment.authorization;
}

function requestCapture(command: Command<'RequestCapture'>, payment: PaymentAfterApproval, now: Date): AfterApprovalEvent[] {
  const authorization = heldAuthorization(payment, 'captured');
  const pending = pendingOperation(payment);
  const amount = command.amount ?? authorization.amount;
  // The same capture asked again while the processor has not answered joins the one under way.
  if (pending?.kind === 'capture' && pending.amount === amount) return [];
  if (pending) throw conflict(`a ${pending.kind} of payment ${payment.payment_id} is in progress`);
  if (!Number.isSafeInteger(amount) || amount < 1 || amount > authorization.amount) {
    throw invalid(`capture 1 to ${authorization.amount} ${authorization.currency}, the amount authorized`, [
      { field: 'amount', message: `must be a whole number from 1 to ${authorization.amount} (minor units)` },
    ]);
  }
  const captures = payment.operations.filter((operation) => operation.kind === 'capture').length;
  return [
    {
      type: 'PaymentCaptureRequested',
      data: {
        payment_id: payment.payment_id,
        processor_id: authorization.processor_id,
        idempotency_key: captureKey(payment.payment_id, captures + 1),
        authorization_key: authorization.authorization_key,
        amount,
        currency: authorization.currency,
        requested_at: now.toISOString(),
      },
    },
  ];
}

function requestVoid(payment: PaymentAfterApproval, now: Date): AfterApprovalEvent[] {
  heldAuthorization(payment, 'voided');
  const pending = pendingOperation(payment);
  if (pending?.kind === 'void') return [];
  if (pending) throw conflict(`a capture of payment ${payment.payment_id} is in progress`);
  return [voidRequested(payment, 'requested', now)];
}

/**
 * The sweeper works from a read model that may lag: a payment settled meanwhile, or with an
 * operation under way, needs nothing now (the sweeper comes back later).
 */
function expireAuthorization(payment: PaymentAfterApproval, now: Date): AfterApprovalEvent[] {
  if (payment.status !== 'requires_capture' || payment.authorization === null || pendingOperation(payment)) return [];
  const expiresAt = Date.parse(payment.authorization.authorized_at) + AUTHORIZATION_VALIDITY_MS;
  if (now.getTime() < expiresAt) throw conflict(`the authorization of payment ${payment.payment_id} is valid until ${new Date(expiresAt).toISOString()}`);
  return [voidRequested(payment, 'expired', now)];
}

function voidRequested(payment: PaymentAfterApproval, reason: 'requested' | 'expired', now: Date): AfterApprovalEvent {
  const authorization = payment.authorization!;
  const voids = payment.operations.filter((operation) => operation.kind === 'void').length;
  return {
    type: 'PaymentVoidRequested',
    data: {
      payment_id: payment.payment_id,
      processor_id: authorization.processor_id,
      idempotency_key: voidKey(payment.payment_id, voids + 1),
      authorization_key: authorization.authorization_key,
      reason,
      requested_at: now.toISOString(),
    },
  };
}

/**
 * Refunds reserve their amount when requested: a refund is refused (422) once the captured
 * amount is covered by the refunds that succeeded and those still pending, so refunds sent one
 * after another never add up to more than was captured, whichever of them succeed.
 */
function requestRefund(command: Command<'RequestRefund'>, payment: PaymentAfterApproval, now: Date): AfterApprovalEvent[] {
  // A request run again after a lost acknowledgement names the refund it already recorded.
  if (payment.refunds.some((refund) => refund.refund_id === command.refundId)) return [];
  if (payment.status !== 'succeeded' || payment.authorization === null) {
    const hint = payment.status === 'requires_capture' ? ': capture it first, or void it' : '';
    throw conflict(`payment ${payment.payment_id} is ${payment.status}${hint}; only a captured payment can be refunded`);
  }
  const { authorization } = payment;
  const left = refundable(payment);
  const amount = command.amount ?? left;
  const pending = payment.amount_captured - payment.amount_refunded - left;
  const limits = `captured ${payment.amount_captured}, refunded ${payment.amount_refunded}, pending ${pending}`;
  if (left === 0) throw invalid(`nothing is left to refund on payment ${payment.payment_id} (${limits})`, [{ field: 'amount', message: 'nothing is left to refund' }]);
  if (!Number.isSafeInteger(amount) || amount < 1 || amount > left) {
    throw invalid(`at most ${left} ${authorization.currency} can be refunded on payment ${payment.payment_id} (${limits})`, [
      { field: 'amount', message: `must be a whole number from 1 to ${left} (minor units)` },
    ]);
  }
  return [
    {
      type: 'RefundRequested',
      data: {
        refund_id: command.refundId,
        payment_id: payment.payment_id,
        processor_id: authorization.processor_id,
        idempotency_key: command.refundId,
        authorization_key: authorization.authorization_key,
        amount,
        currency: authorization.currency,
        reason: command.reason,
        requested_at: now.toISOString(),
      },
    },
  ];
}

function recordOutcome(command: Command<'RecordOperationOutcome'>, payment: PaymentAfterApproval, now: Date): AfterApprovalEvent[] {
  const key = command.idempotencyKey;
  const at = now.toISOString();
  const failure = { code: command.code ?? null, message: command.message ?? null, failed_at: at };
  const operation = payment.operations.find((candidate) => candidate.idempotency_key === key);
  const refund = payment.refunds.find((candidate) => candidate.idempotency_key === key);
  // The same answer recorded twice (a retried append, a second driver) is recorded once.
  if ((operation ?? refund)?.status !== 'pending') {
    if (operation || refund) return [];
    throw conflict(`payment ${payment.payment_id} has no operation ${key}`);
  }
  const authorization = payment.authorization!;
  const ref = { payment_id: payment.payment_id, processor_id: authorization.processor_id, idempotency_key: key };
  if (refund) {
    const { refund_id, amount, currency } = refund;
    return command.outcome === 'succeeded'
      ? [{ type: 'RefundSucceeded', data: { ...ref, refund_id, amount, currency, succeeded_at: at } }]
      : [{ type: 'RefundFailed', data: { ...ref, refund_id, amount, currency, ...failure } }];
  }
  if (operation!.kind === 'capture') {
    return command.outcome === 'succeeded'
      ? [{ type: 'PaymentCaptured', data: { ...ref, amount: operation!.amount!, currency: authorization.currency, captured_at: at } }]
      : [{ type: 'PaymentCaptureFailed', data: { ...ref, ...failure } }];
  }
  const reason = operation!.reason!;
  // The processor had released the hold already (its own expiry, an earlier void): the authorization is void either way.
  const voided = command.outcome === 'succeeded' || command.code === 'already_voided';
  if (!voided) return [{ type: 'PaymentVoidFailed', data: { ...ref, reason, ...failure } }];
  if (reason === 'expired') return [{ type: 'AuthorizationExpired', data: { ...ref, authorized_at: authorization.authorized_at, expired_at: at } }];
  return [{ type: 'PaymentVoided', data: { ...ref, voided_at: at } }];
}
