import { AfterApprovalEventType, categoryOf, domainEventOf, isEventOf } from '@payments/domain';
import { Projection } from '../projection';
import { IndexEntry, ReadModelStore } from '../read-model-store';

/**
 * A payment after its approval, as the expiry sweeper and the resumption of operations find it.
 * It exists while the payment may expire or has a processor operation pending.
 */
export interface PaymentOperationsDocument {
  payment_id: string;
  /** While the authorization may still expire: in requires_capture, and no expiry refused. */
  authorized_at: string | null;
  /** Captures, voids and refunds requested and not answered yet. */
  pending: number;
  /** Global position of the oldest of them, which orders the resumption. */
  pending_since: number | null;
}

/** Which payment a refund belongs to: GET /v1/refunds/{id} reads the refund itself from the payment's stream. */
export interface RefundLookupDocument {
  refund_id: string;
  payment_id: string;
}

const COLLECTION = 'payment_operations';
const REFUNDS = 'refund_lookup';
/** Authorizations that may expire, scored by `authorized_at`. */
const AUTHORIZATIONS = 'authorizations';
/** Payments with an operation pending, scored by the position of the oldest. */
const PENDING = 'pending_operations';

const REQUESTED = new Set<string>(['PaymentCaptureRequested', 'PaymentVoidRequested', 'RefundRequested'] satisfies AfterApprovalEventType[]);
const ANSWERED = new Set<string>(['PaymentCaptured', 'PaymentCaptureFailed', 'PaymentVoided', 'AuthorizationExpired', 'PaymentVoidFailed', 'RefundSucceeded', 'RefundFailed'] satisfies AfterApprovalEventType[]);
/** Events after which the authorization can no longer expire. */
const NO_LONGER_EXPIRING = new Set<string>(['PaymentCaptured', 'PaymentVoided', 'AuthorizationExpired'] satisfies AfterApprovalEventType[]);

/** Authorizations by age and payments with pending operations, for the sweeper; refunds by id. */
export const paymentOperations: Projection = {
  name: 'payment_operations',
  collections: [COLLECTION, REFUNDS],
  async project(recorded, reader) {
    // Nearly every payment event is the cascade's: tell by type before reading anything.
    const type = recorded.type;
    if (type !== 'PaymentAuthorized' && !REQUESTED.has(type) && !ANSWERED.has(type)) return [];
    if (categoryOf(recorded.streamId) !== 'payment') return [];
    const event = domainEventOf(recorded);
    if (!isEventOf(event, 'payment')) return [];
    const paymentId = event.data.payment_id;
    const current = (await reader.get<PaymentOperationsDocument>(COLLECTION, paymentId)) ?? { payment_id: paymentId, authorized_at: null, pending: 0, pending_since: null };
    const next = { ...current };
    if (event.type === 'PaymentAuthorized') next.authorized_at = event.data.authorized_at;
    if (NO_LONGER_EXPIRING.has(type) || (event.type === 'PaymentVoidFailed' && event.data.reason === 'expired')) next.authorized_at = null;
    if (REQUESTED.has(type)) {
      next.pending = current.pending + 1;
      next.pending_since = current.pending_since ?? Number(recorded.position);
    }
    if (ANSWERED.has(type)) {
      next.pending = Math.max(0, current.pending - 1);
      if (next.pending === 0) next.pending_since = null;
    }
    const refund = event.type === 'RefundRequested' ? [{ op: 'put' as const, collection: REFUNDS, id: event.data.refund_id, doc: { refund_id: event.data.refund_id, payment_id: paymentId }, indexes: [] }] : [];
    if (next.authorized_at === null && next.pending === 0) return [{ op: 'delete', collection: COLLECTION, id: paymentId }, ...refund];
    return [{ op: 'put', collection: COLLECTION, id: paymentId, doc: next, indexes: indexesOf(next) }, ...refund];
  },
};

function indexesOf(document: PaymentOperationsDocument): IndexEntry[] {
  const indexes: IndexEntry[] = [];
  if (document.authorized_at !== null) indexes.push({ index: AUTHORIZATIONS, score: Date.parse(document.authorized_at) });
  if (document.pending_since !== null) indexes.push({ index: PENDING, score: document.pending_since });
  return indexes;
}

const PAGE = 100;

/** Payments whose authorization was made at or before `before`, oldest first, at most `limit`. */
export async function authorizationsMadeBefore(store: ReadModelStore, before: Date, limit: number): Promise<string[]> {
  const ids: string[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await store.list<PaymentOperationsDocument>(COLLECTION, AUTHORIZATIONS, { limit: PAGE, offset, order: 'asc' });
    for (const document of page.items) {
      if (ids.length >= limit || document.authorized_at === null || Date.parse(document.authorized_at) > before.getTime()) return ids;
      ids.push(document.payment_id);
    }
    if (page.items.length < PAGE) return ids;
  }
}

/** Payments with a capture, void or refund waiting for the processor's answer, longest waiting first. */
export async function paymentsWithPendingOperations(store: ReadModelStore, limit: number): Promise<string[]> {
  const page = await store.list<PaymentOperationsDocument>(COLLECTION, PENDING, { limit, offset: 0, order: 'asc' });
  return page.items.map((document) => document.payment_id);
}

/** The payment a refund id belongs to; undefined for an id no refund has (yet, as far as the read model has got). */
export async function paymentOfRefund(store: ReadModelStore, refundId: string): Promise<string | undefined> {
  return (await store.get<RefundLookupDocument>(REFUNDS, refundId))?.payment_id;
}
