import { CheckoutSessionEvent, PaymentEvent, PaymentTier, PaymentView, categoryOf, evolvePaymentView } from '@payments/domain';
import { RecordedEvent } from '@payments/event-store';
import { Projection } from '../projection';
import { IndexEntry, Page, ReadModelStore } from '../read-model-store';

/**
 * One payment as the payments list and the saga's recovery read it. It exists from the moment
 * the session records the payment's start (SessionPaymentBegan), before the payment stream does,
 * so that a payment whose PaymentStarted was never written is found too.
 */
export interface PaymentDocument {
  payment_id: string;
  checkout_session_id: string;
  /** When the first event of the payment was stored: normally the session's SessionPaymentBegan. */
  began_at: string;
  /** Global position of that first event. */
  began_position: number;
  /** From PaymentStarted; null before it. */
  account_id: string | null;
  /** The payment's tiers, which its view reads amounts from; empty before PaymentStarted. */
  tiers: PaymentTier[];
  /** The API view; null until PaymentStarted. */
  view: PaymentView | null;
  /** Global position of PaymentStarted, which orders the list: timestamps tie within a millisecond. */
  listed_at: number | null;
  /** The session has recorded the payment's end (completed, or open again): the saga has nothing left to do. */
  session_ended: boolean;
}

export type PaymentStatus = PaymentView['status'];

const COLLECTION = 'payments';
/** Payments whose saga still has work: not started, running, or finished without the session knowing yet. */
const UNFINISHED = 'unfinished';
const byAccount = (accountId: string) => `account:${accountId}`;
const byStatus = (accountId: string, status: PaymentStatus) => `account:${accountId}:status:${status}`;
const bySession = (accountId: string, sessionId: string) => `account:${accountId}:session:${sessionId}`;
const bySessionStatus = (accountId: string, sessionId: string, status: PaymentStatus) => `account:${accountId}:session:${sessionId}:status:${status}`;

/** Payments per account newest first (all, by status, by session, by both) and the saga's list of unfinished ones. */
export const payments: Projection = {
  name: 'payments',
  collections: [COLLECTION],
  async project(event, reader) {
    const paymentId = paymentIdOf(event);
    if (paymentId === undefined) return [];
    const current = (await reader.get<PaymentDocument>(COLLECTION, paymentId)) ?? firstSeen(event);
    // Only a payment's beginning or start can introduce it; the other events need it known.
    if (current === undefined) return [];
    const next = apply(current, event);
    return [{ op: 'put', collection: COLLECTION, id: paymentId, doc: next, indexes: indexesOf(next) }];
  },
};

function paymentIdOf(event: RecordedEvent): string | undefined {
  const category = categoryOf(event.streamId);
  if (category === 'payment') return (event.data as { payment_id: string }).payment_id;
  if (category !== 'checkout_session') return undefined;
  const session = event as unknown as CheckoutSessionEvent;
  switch (session.type) {
    case 'SessionPaymentBegan':
    case 'SessionPaymentFailed':
    case 'CheckoutSessionCompleted':
      return session.data.payment_id;
    default:
      return undefined;
  }
}

function firstSeen(event: RecordedEvent): PaymentDocument | undefined {
  const introduced = event as unknown as CheckoutSessionEvent | PaymentEvent;
  if (introduced.type !== 'SessionPaymentBegan' && introduced.type !== 'PaymentStarted') return undefined;
  const sessionId = introduced.type === 'PaymentStarted' ? introduced.data.checkout_session_id : introduced.data.session_id;
  return {
    payment_id: introduced.data.payment_id,
    checkout_session_id: sessionId,
    began_at: event.createdAt.toISOString(),
    began_position: Number(event.position),
    account_id: null,
    tiers: [],
    view: null,
    listed_at: null,
    session_ended: false,
  };
}

function apply(document: PaymentDocument, event: RecordedEvent): PaymentDocument {
  if (categoryOf(event.streamId) === 'checkout_session') {
    return event.type === 'SessionPaymentBegan' ? document : { ...document, session_ended: true };
  }
  const payment = event as unknown as PaymentEvent;
  if (payment.type === 'PaymentStarted') {
    const { account_id, tiers } = payment.data;
    return { ...document, account_id, tiers, view: evolvePaymentView(null, payment, tiers), listed_at: Number(event.position) };
  }
  return { ...document, view: evolvePaymentView(document.view, payment, document.tiers) };
}

function indexesOf({ began_position, session_ended, account_id, view, listed_at }: PaymentDocument): IndexEntry[] {
  const indexes: IndexEntry[] = session_ended ? [] : [{ index: UNFINISHED, score: began_position }];
  if (account_id === null || view === null || listed_at === null) return indexes;
  const { checkout_session_id: sessionId, status } = view;
  const listed = [byAccount(account_id), byStatus(account_id, status), bySession(account_id, sessionId), bySessionStatus(account_id, sessionId, status)];
  return [...indexes, ...listed.map((index) => ({ index, score: listed_at }))];
}

/** The account's started payments newest first, optionally of one session and of one status. */
export async function listPayments(
  store: ReadModelStore,
  accountId: string,
  query: { checkoutSessionId?: string; status?: PaymentStatus; limit: number; offset: number },
): Promise<Page<PaymentView>> {
  const index = listIndex(accountId, query.checkoutSessionId, query.status);
  const page = await store.list<PaymentDocument>(COLLECTION, index, { limit: query.limit, offset: query.offset, order: 'desc' });
  return { items: page.items.flatMap(({ view }) => (view ? [view] : [])), total: page.total };
}

function listIndex(accountId: string, sessionId: string | undefined, status: PaymentStatus | undefined): string {
  if (sessionId === undefined) return status === undefined ? byAccount(accountId) : byStatus(accountId, status);
  return status === undefined ? bySession(accountId, sessionId) : bySessionStatus(accountId, sessionId, status);
}

/** A payment whose saga still has work, as recovery needs it. */
export interface UnfinishedPayment {
  paymentId: string;
  checkoutSessionId: string;
  beganAt: string;
  /** False while the payment stream has no PaymentStarted. */
  started: boolean;
}

/** Unfinished payments in the order they began, a page at a time. */
export async function unfinishedPayments(store: ReadModelStore, page: { limit: number; offset: number }): Promise<UnfinishedPayment[]> {
  const { items } = await store.list<PaymentDocument>(COLLECTION, UNFINISHED, { ...page, order: 'asc' });
  return items.map((document) => ({
    paymentId: document.payment_id,
    checkoutSessionId: document.checkout_session_id,
    beganAt: document.began_at,
    started: document.view !== null,
  }));
}
