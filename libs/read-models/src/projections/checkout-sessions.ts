import { CheckoutSession, CheckoutSessionState, KnownEvent, SessionStatus, UnknownEvent, categoryOf, checkoutSessionDecider, domainEventOf, isEventOf, isPastExpiry } from '@payments/domain';
import { Projection } from '../projection';
import { IndexEntry, Page, ReadModelStore, ReadModelWrite } from '../read-model-store';

/** One checkout session as the lists, the expiry sweeper and the route release read it. */
export interface CheckoutSessionDocument {
  /** The session as its stream folds; null until CheckoutSessionCreated, since its routes are attached first. */
  session: CheckoutSession | null;
  /** Routes whose streams hold this session as attached: what releasing the session still has to detach. */
  attached_route_ids: string[];
}

const COLLECTION = 'checkout_sessions';
/** Open sessions that may expire (no payment running), scored by `expires_at`: the sweeper's work list. */
const OPEN_BY_EXPIRY = 'open_by_expiry';
/** Complete or expired sessions still attached to a route: a release that has not finished. */
const UNRELEASED = 'unreleased';
const byAccount = (accountId: string) => `account:${accountId}`;
const byAccountStatus = (accountId: string, status: SessionStatus) => `account:${accountId}:status:${status}`;
const openByExpiryOf = (accountId: string) => `account:${accountId}:${OPEN_BY_EXPIRY}`;

/** Checkout sessions per account newest first, per account and status, by expiry, and those whose routes are not released yet. */
export const checkoutSessions: Projection = {
  name: 'checkout_sessions',
  collections: [COLLECTION],
  async project(recorded, reader) {
    const category = categoryOf(recorded.streamId);
    if (category !== 'checkout_session' && category !== 'route') return [];
    const event = domainEventOf(recorded);
    const sessionId = sessionIdOf(event);
    if (sessionId === undefined) return [];
    const current = (await reader.get<CheckoutSessionDocument>(COLLECTION, sessionId)) ?? { session: null, attached_route_ids: [] };
    const next = apply(current, event);
    return [write(sessionId, next)];
  },
};

function sessionIdOf(event: KnownEvent | UnknownEvent): string | undefined {
  if (isEventOf(event, 'checkout_session')) return event.data.session_id;
  if (event.type === 'RouteAttachedToSession' || event.type === 'RouteDetachedFromSession') return event.data.session_id;
  return undefined;
}

function apply(document: CheckoutSessionDocument, event: KnownEvent | UnknownEvent): CheckoutSessionDocument {
  if (event.type === 'RouteAttachedToSession') {
    const attached = document.attached_route_ids.includes(event.data.route_id) ? document.attached_route_ids : [...document.attached_route_ids, event.data.route_id];
    return { ...document, attached_route_ids: attached };
  }
  if (event.type === 'RouteDetachedFromSession') {
    return { ...document, attached_route_ids: document.attached_route_ids.filter((id) => id !== event.data.route_id) };
  }
  if (!isEventOf(event, 'checkout_session')) return document;
  const state: CheckoutSessionState = document.session ? { status: 'created', session: document.session } : checkoutSessionDecider.initialState();
  const next = checkoutSessionDecider.evolve(state, event);
  return { ...document, session: next.status === 'created' ? next.session : null };
}

function write(sessionId: string, document: CheckoutSessionDocument): ReadModelWrite {
  // Attached and detached again before being recorded: a create that was refused.
  if (document.session === null && document.attached_route_ids.length === 0) return { op: 'delete', collection: COLLECTION, id: sessionId };
  return { op: 'put', collection: COLLECTION, id: sessionId, doc: document, indexes: indexesOf(document) };
}

function indexesOf({ session, attached_route_ids }: CheckoutSessionDocument): IndexEntry[] {
  if (session === null) return [];
  const created = Date.parse(session.createdAt);
  const indexes = [
    { index: byAccount(session.accountId), score: created },
    { index: byAccountStatus(session.accountId, session.status), score: created },
  ];
  if (session.status === 'open' && session.activePaymentId === null) {
    const expires = Date.parse(session.expires_at);
    indexes.push({ index: OPEN_BY_EXPIRY, score: expires }, { index: openByExpiryOf(session.accountId), score: expires });
  }
  if (session.status !== 'open' && attached_route_ids.length > 0) indexes.push({ index: UNRELEASED, score: created });
  return indexes;
}

/** The account's sessions newest first, all or of one recorded status. */
export async function listCheckoutSessions(
  store: ReadModelStore,
  accountId: string,
  query: { status?: SessionStatus; limit: number; offset: number },
): Promise<Page<CheckoutSession>> {
  const index = query.status ? byAccountStatus(accountId, query.status) : byAccount(accountId);
  const page = await store.list<CheckoutSessionDocument>(COLLECTION, index, { limit: query.limit, offset: query.offset, order: 'desc' });
  return { items: page.items.flatMap(({ session }) => (session ? [session] : [])), total: page.total };
}

/** Reads an expiry index in pages this large until it reaches a session that is not due. */
const EXPIRY_PAGE = 100;

/**
 * Open sessions with no payment running whose `expires_at` is at or before `now`, soonest first
 * (at most `limit`): of one account, or of every account when `accountId` is omitted.
 */
export async function overdueCheckoutSessions(store: ReadModelStore, now: Date, options: { accountId?: string; limit?: number } = {}): Promise<CheckoutSession[]> {
  const index = options.accountId === undefined ? OPEN_BY_EXPIRY : openByExpiryOf(options.accountId);
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const overdue: CheckoutSession[] = [];
  for (let offset = 0; ; offset += EXPIRY_PAGE) {
    const page = await store.list<CheckoutSessionDocument>(COLLECTION, index, { limit: EXPIRY_PAGE, offset, order: 'asc' });
    for (const { session } of page.items) {
      if (overdue.length >= limit || session === null || !isPastExpiry(session, now)) return overdue;
      overdue.push(session);
    }
    if (page.items.length < EXPIRY_PAGE) return overdue;
  }
}

/** Complete or expired sessions that some route still holds as attached, oldest first. */
export async function unreleasedCheckoutSessions(store: ReadModelStore, limit: number): Promise<{ session: CheckoutSession; attachedRouteIds: string[] }[]> {
  const page = await store.list<CheckoutSessionDocument>(COLLECTION, UNRELEASED, { limit, offset: 0, order: 'asc' });
  return page.items.flatMap(({ session, attached_route_ids }) => (session ? [{ session, attachedRouteIds: attached_route_ids }] : []));
}
