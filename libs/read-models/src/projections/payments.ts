import { KnownEvent, PaymentTier, PaymentView, UnknownEvent, categoryOf, domainEventOf, evolvePaymentView, isEventOf } from '@payments/domain';
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
  async project(recorded, reader) {
    const category = categoryOf(recorded.streamId);
    if (category !== 'payment' && category !== 'checkout_session') return [];
    const event = domainEventOf(recorded);
    const paymentId = paymentIdOf(event);
    if (paymentId === undefined) return [];
    const current = (await reader.get<PaymentDocument>(COLLECTION, paymentId)) ?? firstSeen(event, recorded);
    // Only a payment's beginning or start can introduce it; the other events need it known.
    if (current === undefined) return [];
    const next = apply(current, event, recorded);
    return [{ op: 'put', collection: COLLECTION, id: paymentId, doc: next, indexes: indexesOf(next) }];
  },
};

/** The payment a payment or session event is about; undefined for the session's other events. */
function paymentIdOf(event: KnownEvent | UnknownEvent): string | undefined {
  if (isEventOf(event, 'payment')) return event.data.payment_id;
  switch (event.type) {
    case 'SessionPaymentBegan':
    case 'SessionPaymentFailed':
    case 'CheckoutSessionCompleted':
      return event.data.payment_id;
    default:
      return undefined;
  }
}

function firstSeen(event: KnownEvent | UnknownEvent, recorded: RecordedEvent): PaymentDocument | undefined {
  if (event.type !== 'SessionPaymentBegan' && event.type !== 'PaymentStarted') return undefined;
  const sessionId = event.type === 'PaymentStarted' ? event.data.checkout_session_id : event.data.session_id;
  return {
    payment_id: event.data.payment_id,
    checkout_session_id: sessionId,
    began_at: recorded.createdAt.toISOString(),
    began_position: Number(recorded.position),
    account_id: null,
    tiers: [],
    view: null,
    listed_at: null,
    session_ended: false,
  };
}

function apply(document: PaymentDocument, event: KnownEvent | UnknownEvent, recorded: RecordedEvent): PaymentDocument {
  if (!isEventOf(event, 'payment')) return event.type === 'SessionPaymentBegan' ? document : { ...document, session_ended: true };
  if (event.type === 'PaymentStarted') {
    const { account_id, tiers } = event.data;
    return { ...document, account_id, tiers, view: evolvePaymentView(null, event, tiers), listed_at: Number(recorded.position) };
  }
  return { ...document, view: evolvePaymentView(document.view, event, document.tiers) };
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
