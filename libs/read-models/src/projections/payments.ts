import { PaymentStartedData, PaymentTier, PaymentView, categoryOf, domainEventOf, evolvePaymentView, isEventOf } from '@payments/domain';
import { RecordedEvent } from '@payments/event-store';
import { Projection } from '../projection';
import { IndexEntry, Page, ReadModelStore } from '../read-model-store';

/** One payment as the payments list reads it, from its PaymentStarted on. */
export interface PaymentDocument {
  payment_id: string;
  account_id: string;
  /** The payment's tiers, which its view reads amounts from. */
  tiers: PaymentTier[];
  /** The API view. */
  view: PaymentView;
  /** Global position of PaymentStarted, which orders the list: timestamps tie within a millisecond. */
  listed_at: number;
}

export type PaymentStatus = PaymentView['status'];

const COLLECTION = 'payments';
const byAccount = (accountId: string) => `account:${accountId}`;
const byStatus = (accountId: string, status: PaymentStatus) => `account:${accountId}:status:${status}`;
const bySession = (accountId: string, sessionId: string) => `account:${accountId}:session:${sessionId}`;
const bySessionStatus = (accountId: string, sessionId: string, status: PaymentStatus) => `account:${accountId}:session:${sessionId}:status:${status}`;

/**
 * Payments per account newest first (all, by status, by session, by both). What recovery
 * continues at start is not read here but from the event store (PaymentWorkLog), which no
 * eviction can lose.
 */
export const payments: Projection = {
  name: 'payments',
  collections: [COLLECTION],
  async project(recorded, reader) {
    // Most of the log is not a payment's: told by the stream name, before any parsing.
    if (categoryOf(recorded.streamId) !== 'payment') return [];
    const event = domainEventOf(recorded);
    if (!isEventOf(event, 'payment')) return [];
    const paymentId = event.data.payment_id;
    const current = event.type === 'PaymentStarted' ? started(event.data, recorded) : await reader.get<PaymentDocument>(COLLECTION, paymentId);
    // Only its start introduces a payment; the other events need it known.
    if (!current) return [];
    const view = event.type === 'PaymentStarted' ? current.view : evolvePaymentView(current.view, event, current.tiers);
    if (view === null) return [];
    const next = { ...current, view };
    return [{ op: 'put', collection: COLLECTION, id: paymentId, doc: next, indexes: indexesOf(next) }];
  },
};

function started(data: PaymentStartedData, recorded: RecordedEvent): PaymentDocument | undefined {
  const view = evolvePaymentView(null, { type: 'PaymentStarted', data }, data.tiers);
  if (view === null) return undefined;
  return { payment_id: data.payment_id, account_id: data.account_id, tiers: data.tiers, view, listed_at: Number(recorded.position) };
}

function indexesOf({ account_id, view, listed_at }: PaymentDocument): IndexEntry[] {
  const { checkout_session_id: sessionId, status } = view;
  const listed = [byAccount(account_id), byStatus(account_id, status), bySession(account_id, sessionId), bySessionStatus(account_id, sessionId, status)];
  return listed.map((index) => ({ index, score: listed_at }));
}

/** The account's started payments newest first, optionally of one session and of one status. */
export async function listPayments(
  store: ReadModelStore,
  accountId: string,
  query: { checkoutSessionId?: string; status?: PaymentStatus; limit: number; offset: number },
): Promise<Page<PaymentView>> {
  const index = listIndex(accountId, query.checkoutSessionId, query.status);
  const page = await store.list<PaymentDocument>(COLLECTION, index, { limit: query.limit, offset: query.offset, order: 'desc' });
  return { items: page.items.map(({ view }) => view), total: page.total };
}

function listIndex(accountId: string, sessionId: string | undefined, status: PaymentStatus | undefined): string {
  if (sessionId === undefined) return status === undefined ? byAccount(accountId) : byStatus(accountId, status);
  return status === undefined ? bySession(accountId, sessionId) : bySessionStatus(accountId, sessionId, status);
}
