import { AfterApprovalState, pendingOperation } from './after-approval-state';

/** What every processor call after the approval carries: where it goes and under which key. */
interface CallRef {
  payment_id: string;
  processor_id: string;
  /** The operation's key, recorded in its `...Requested` event before the call. */
  idempotency_key: string;
  /** The key of the approving call: the authorization the operation acts on. */
  authorization_key: string;
}

/**
 * The processor call the payment waits for, read from its stream alone: the pending capture or
 * void, else the oldest pending refund. Refunds go one at a time, in the order requested, so one
 * requested while another is pending waits for it (it is queued).
 */
export type OperationCall =
  | (CallRef & { kind: 'capture'; auth_code: string | null; amount: number; currency: string })
  | (CallRef & { kind: 'void'; auth_code: string | null })
  | (CallRef & { kind: 'refund'; refund_id: string; amount: number; currency: string });

export function nextOperationCall(state: AfterApprovalState): OperationCall | null {
  if (state.status === 'none' || state.authorization === null) return null;
  const { payment_id, authorization } = state;
  const ref = { payment_id, processor_id: authorization.processor_id, authorization_key: authorization.authorization_key };
  const pending = pendingOperation(state);
  if (pending?.kind === 'capture') {
    return { ...ref, kind: 'capture', idempotency_key: pending.idempotency_key, auth_code: authorization.auth_code, amount: pending.amount!, currency: authorization.currency };
  }
  if (pending?.kind === 'void') return { ...ref, kind: 'void', idempotency_key: pending.idempotency_key, auth_code: authorization.auth_code };
  const refund = state.refunds.find((candidate) => candidate.status === 'pending');
  if (!refund) return null;
  return { ...ref, kind: 'refund', idempotency_key: refund.idempotency_key, refund_id: refund.refund_id, amount: refund.amount, currency: refund.currency };
}
