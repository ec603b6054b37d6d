import { conflict } from '../shared/errors';
import { AttemptResolutionOutcome, LateApprovalUndoMethod, PaymentEvent, ProcessorAttemptedData } from './payment-events';

/**
 * Attempts whose outcome may hide a charge (API.md "Outcomes that may hide a charge"), and what
 * became of each:
 *
 * - A timeout or error that the connector could not call certain (`uncertain` not false), and a
 *   call still without an answer when its payment ended (a payment failed by the saga), is
 *   `unresolved`: the resolver asks the processor its status under the attempt's idempotency key.
 * - The processor says declined or not_found, or approved but no longer live (voided, refunded
 *   in full): `not_charged`.
 * - It says approved and live: a `late_approval`, which is always undone. The cascade never
 *   adopts it (it moved on when the answer was lost, and may have approved elsewhere), so it is
 *   never the payment's approval, and a payment never ends with two live approvals: void while
 *   only authorized, refund once captured (a sale). Undone: `late_approval_voided`; refused by
 *   the processor for good: `late_approval_void_failed`, for an operator.
 */
export type UnknownAttemptStatus = 'unresolved' | 'late_approval' | 'not_charged' | 'late_approval_voided' | 'late_approval_void_failed';

export interface UnknownAttempt {
  call: ProcessorAttemptedData;
  status: UnknownAttemptStatus;
  /** For a late approval: how it is to be undone, and how much that gives back. */
  undo: LateApprovalUndo | null;
}

export interface LateApprovalUndo {
  method: LateApprovalUndoMethod;
  /** Minor units, in the call's currency. */
  amount: number;
}

/** A payment's calls as resolution follows them: the one awaiting its answer, and every unknown one. */
export interface AttemptsInDoubt {
  pending: ProcessorAttemptedData | null;
  attempts: readonly UnknownAttempt[];
}

export const noAttemptsInDoubt: AttemptsInDoubt = { pending: null, attempts: [] };

/** The key of the void or refund that undoes the late approval of `attemptKey`: one per attempt and method. */
export function lateApprovalOperationKey(attemptKey: string, method: LateApprovalUndoMethod): string {
  return `${attemptKey}:${method}`;
}

/** What the processor's status says is to be undone: null when nothing is charged under the key. */
export function lateApprovalUndo(
  call: Pick<ProcessorAttemptedData, 'amount'>,
  status: { outcome: AttemptResolutionOutcome; state: 'authorized' | 'captured' | 'voided' | null; captured_amount: number | null; refunded_amount: number | null },
): LateApprovalUndo | null {
  if (status.outcome !== 'approved') return null;
  switch (status.state) {
    case 'voided':
      return null;
    case 'captured': {
      const left = (status.captured_amount ?? call.amount) - (status.refunded_amount ?? 0);
      return left > 0 ? { method: 'refund', amount: left } : null;
    }
    // A connector that cannot say where it stands: void, and refund instead should it be captured.
    case 'authorized':
    case null:
      return { method: 'void', amount: call.amount };
  }
}

export function evolveAttemptsInDoubt(doubt: AttemptsInDoubt, event: PaymentEvent): AttemptsInDoubt {
  switch (event.type) {
    case 'ProcessorAttempted':
      return { ...doubt, pending: event.data };
    case 'ProcessorApproved':
    case 'ProcessorDeclined':
      return answers(doubt, event.data) ? { ...doubt, pending: null } : doubt;
    case 'ProcessorTimedOut':
    case 'ProcessorErrored': {
      const call = doubt.pending;
      if (call === null || !answers(doubt, event.data)) return doubt;
      return { pending: null, attempts: event.data.uncertain === false ? doubt.attempts : [...doubt.attempts, { call, status: 'unresolved', undo: null }] };
    }
    case 'PaymentFailed':
      // A call whose answer was never recorded (the saga gave up on the payment) may have charged.
      return doubt.pending === null ? doubt : { pending: null, attempts: [...doubt.attempts, { call: doubt.pending, status: 'unresolved', undo: null }] };
    case 'ProcessorAttemptResolved': {
      const attempt = unknownAttempt(doubt, event.data.idempotency_key);
      const undo = attempt ? lateApprovalUndo(attempt.call, event.data) : null;
      return withStatus(doubt, event.data.idempotency_key, 'unresolved', undo === null ? { status: 'not_charged', undo: null } : { status: 'late_approval', undo });
    }
    case 'LateApprovalVoided':
      return withStatus(doubt, event.data.idempotency_key, 'late_approval', { status: 'late_approval_voided', undo: null });
    case 'LateApprovalVoidFailed':
      return withStatus(doubt, event.data.idempotency_key, 'late_approval', { status: 'late_approval_void_failed', undo: null });
    default:
      return doubt;
  }
}

/** Whether an outcome answers the call awaiting one (same tier and attempt). */
function answers(doubt: AttemptsInDoubt, outcome: { tier: number; attempt: number }): boolean {
  return doubt.pending !== null && doubt.pending.tier === outcome.tier && doubt.pending.attempt === outcome.attempt;
}

export function unknownAttempt(doubt: AttemptsInDoubt, key: string): UnknownAttempt | undefined {
  return doubt.attempts.find((attempt) => attempt.call.idempotency_key === key);
}

function withStatus(doubt: AttemptsInDoubt, key: string, from: UnknownAttemptStatus, next: Pick<UnknownAttempt, 'status' | 'undo'>): AttemptsInDoubt {
  const index = doubt.attempts.findIndex((attempt) => attempt.call.idempotency_key === key && attempt.status === from);
  if (index < 0) return doubt;
  return { ...doubt, attempts: doubt.attempts.map((attempt, i) => (i === index ? { ...attempt, ...next } : attempt)) };
}

/** Whether resolution has work left for the attempt: a status to ask, or a late approval to undo. */
export function needsResolution(attempt: UnknownAttempt): boolean {
  return attempt.status === 'unresolved' || attempt.status === 'late_approval';
}

/** What the resolver does next for one attempt, read from the payment's stream alone. */
export type ResolutionStep =
  /** Ask the processor, under the attempt's key, once the call's timeout has passed. */
  | { kind: 'ask_status'; call: ProcessorAttemptedData }
  /** Void or refund the late approval under `operation_key`, then record how it went. */
  | { kind: 'undo'; call: ProcessorAttemptedData; method: LateApprovalUndoMethod; amount: number; operation_key: string }
  | { kind: 'done' };

export function nextResolutionStep(doubt: AttemptsInDoubt, key: string): ResolutionStep {
  const attempt = unknownAttempt(doubt, key);
  if (attempt?.status === 'unresolved') return { kind: 'ask_status', call: attempt.call };
  if (attempt?.status === 'late_approval' && attempt.undo) {
    const { method, amount } = attempt.undo;
    return { kind: 'undo', call: attempt.call, method, amount, operation_key: lateApprovalOperationKey(key, method) };
  }
  return { kind: 'done' };
}

/** The commands of the resolver, as the payment decider takes them. */
export type AttemptResolutionCommand =
  | {
      type: 'RecordAttemptResolution';
      paymentId: string;
      idempotencyKey: string;
      outcome: AttemptResolutionOutcome;
      code?: string;
      authCode?: string;
      state?: 'authorized' | 'captured' | 'voided';
      capturedAmount?: number;
      refundedAmount?: number;
    }
  | {
      type: 'RecordLateApprovalUndo';
      paymentId: string;
      idempotencyKey: string;
      method: LateApprovalUndoMethod;
      /** Definite answers only: an unknown one is asked again under the same key. */
      outcome: 'succeeded' | 'failed';
      amount: number;
      code?: string;
      message?: string;
    };

/**
 * Records what the resolver learned; a repeated answer (a retried append, a second resolver)
 * records nothing, and one about an attempt not waiting for it is refused.
 */
export function decideAttemptResolution(command: AttemptResolutionCommand, paymentId: string, doubt: AttemptsInDoubt): PaymentEvent[] {
  const attempt = unknownAttempt(doubt, command.idempotencyKey);
  if (attempt === undefined) throw conflict(`payment ${paymentId} has no attempt ${command.idempotencyKey} whose outcome is unknown`);
  const { payment_id, tier, processor_id, attempt: number, idempotency_key, currency } = attempt.call;
  const ref = { payment_id, tier, processor_id, attempt: number, idempotency_key };
  switch (command.type) {
    case 'RecordAttemptResolution':
      if (attempt.status !== 'unresolved') return [];
      const approved = command.outcome === 'approved';
      return [
        {
          type: 'ProcessorAttemptResolved',
          data: {
            ...ref,
            outcome: command.outcome,
            code: command.code ?? null,
            auth_code: approved ? (command.authCode ?? null) : null,
            state: approved ? (command.state ?? null) : null,
            captured_amount: approved ? (command.capturedAmount ?? null) : null,
            refunded_amount: approved ? (command.refundedAmount ?? null) : null,
          },
        },
      ];
    case 'RecordLateApprovalUndo': {
      if (attempt.status === 'late_approval_voided' || attempt.status === 'late_approval_void_failed') return [];
      if (attempt.status !== 'late_approval') throw conflict(`attempt ${command.idempotencyKey} of payment ${paymentId} is not a late approval to undo`);
      const operation_key = lateApprovalOperationKey(idempotency_key, command.method);
      if (command.outcome === 'succeeded') {
        return [{ type: 'LateApprovalVoided', data: { ...ref, method: command.method, operation_key, amount: command.amount, currency } }];
      }
      return [{ type: 'LateApprovalVoidFailed', data: { ...ref, method: command.method, operation_key, code: command.code ?? null, message: command.message ?? null } }];
    }
  }
}
