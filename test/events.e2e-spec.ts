import { createHash } from 'node:crypto';
import { EventStore, RecordedEvent, randomEventId } from '@payments/event-store';
import { EVENT_STORE, MAX_EVENTS_EXAMINED } from '@payments/orchestration';
import { EventStreamClient, listen } from './support/event-stream-client';
import { PaymentShop, card } from './support/payment-shop';
import { TestApp, bearer, startTestApp } from './support/test-app';

interface Item {
  id: string;
  type: string;
  stream: string;
  revision: number;
  position: number;
  created_at: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

interface EventList {
  items: Item[];
  next_after: number;
  has_more: boolean;
}

/**
 * GET /v1/events as an analytics consumer polls it: the account's events of every stream, in the
 * global log's order, a page at a time from the last next_after.
 */
describe.each([
  ['SQLite', false],
  ['Redis', true],
])('the event stream API, on %s', (_name, redis) => {
  let t: TestApp;
  let shop: PaymentShop;
  let other: PaymentShop;
  let store: EventStore;

  const page = async (query: string, token = shop.account.secret): Promise<EventList> => (await t.http().get(`/v1/events?${query}`).set(bearer(token)).expect(200)).body;

  /** Every page from `after` until the end of the log, as a consumer reads them. */
  async function readAll(query = '', after = 0, token = shop.account.secret): Promise<{ items: Item[]; pages: EventList[] }> {
    const pages: EventList[] = [];
    for (;;) {
      const next = await page(`after=${after}&${query}`, token);
      pages.push(next);
      after = next.next_after;
      if (!next.has_more) return { items: pages.flatMap((p) => p.items), pages };
    }
  }

  /** A session paid through a decline then an approval, so a payment's whole cascade is in the log. */
  async function payCascade(on: PaymentShop): Promise<string> {
    const decliner = await on.processor('Decliner', { simulator: { outcome: 'decline', decline_code: '51' } });
    const approver = await on.processor('Approver');
    const session = await on.session([{ amount: 4900 }], await on.route([decliner, approver]));
    return (await on.pay(session, { payment_method: card() }).expect(201)).body.id;
  }

  /** The store's own record of what belongs to an account, in global order. */
  async function storedEventsOf(accountId: string): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    for await (const event of store.readAll()) if (event.metadata.account_id === accountId) events.push(event);
    return events;
  }

  beforeAll(async () => {
    t = await startTestApp({}, { redis });
    await listen(t);
    store = t.app.get<EventStore>(EVENT_STORE);
    shop = await PaymentShop.open(t);
    other = await PaymentShop.open(t);
    // Interleaved, so the two accounts' events alternate in the global log.
    await payCascade(shop);
    await payCascade(other);
    await shop.create('/v1/customers', { email: 'ada@example.com' });
    await other.create('/v1/customers', { email: 'bob@example.com' });
  });
  afterAll(() => t.close());

  it("answers every one of the account's events in global order, and none of another account's", async () => {
    const { items } = await readAll();
    const stored = await storedEventsOf(shop.account.id);

    expect(items.map((item) => item.position)).toEqual(stored.map((event) => Number(event.position)));
    expect(items.every((item) => item.metadata.account_id === shop.account.id)).toBe(true);
    expect(new Set(items.map((item) => item.stream.split('-')[0]))).toEqual(new Set(['account', 'account_token', 'catalog', 'processor', 'route', 'checkout_session', 'payment']));
    const theirs = new Set((await readAll('', 0, other.account.secret)).items.map((item) => item.id));
    expect(theirs.size).toBeGreaterThan(10);
    expect(items.filter((item) => theirs.has(item.id))).toEqual([]);
  });

  it('shows each event as a payment’s events show it, with an evt_ id, its stream and revision', async () => {
    const paymentId = (await shop.get('/v1/payments').expect(200)).body.items[0].id;
    const audit = (await shop.get(`/v1/payments/${paymentId}/events`).expect(200)).body.items as Item[];
    const { items } = await readAll('type=PaymentStarted,TierStarted,ProcessorAttempted,ProcessorDeclined,ProcessorApproved,PaymentSucceeded');

    expect(items).toEqual(audit);
    expect(items[0]).toEqual({
      id: expect.stringMatching(/^evt_stg_[0-9a-f]{32}$/),
      type: 'PaymentStarted',
      stream: `payment-${paymentId}`,
      revision: 0,
      position: expect.any(Number),
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      data: expect.objectContaining({ payment_id: paymentId, account_id: shop.account.id }),
      metadata: expect.objectContaining({ schema_version: 1, account_id: shop.account.id, request_id: expect.any(String) }),
    });
  });

  it('keeps only the types asked for, repeated or comma separated; an unknown type matches nothing', async () => {
    const { items: all } = await readAll();
    const wanted = ['PaymentSucceeded', 'CustomerCreated', 'ProcessorDeclined'];

    const commas = await readAll(`type=${wanted.join(',')}`);
    const repeated = await readAll(wanted.map((type) => `type=${type}`).join('&'));

    expect(commas.items).toEqual(all.filter((item) => wanted.includes(item.type)));
    expect(commas.items.map((item) => item.type)).toEqual(['ProcessorDeclined', 'PaymentSucceeded', 'CustomerCreated']);
    expect(repeated.items).toEqual(commas.items);
    const unknown = await readAll('type=PaymentTeleported');
    expect(unknown.items).toEqual([]);
    expect(unknown.pages[unknown.pages.length - 1].next_after).toBe(Number(await lastPosition()));
  });

  it('pages with limit and after with no gap and no repeat', async () => {
    const whole = await page('limit=100');
    expect(whole.has_more).toBe(false);
    expect(whole.items.length).toBeGreaterThan(20);

    const { items, pages } = await readAll('limit=7');

    expect(items).toEqual(whole.items);
    expect(pages.slice(0, -1).every((p) => p.items.length === 7 && p.has_more && p.next_after === p.items[6].position)).toBe(true);
    expect(new Set(items.map((item) => item.id)).size).toBe(items.length);
  });

  it('answers next_after on an empty page, and the next event once it is stored', async () => {
    const { pages } = await readAll();
    const caughtUp = pages[pages.length - 1].next_after;

    const empty = await page(`after=${caughtUp}`);
    expect(empty).toEqual({ items: [], next_after: caughtUp, has_more: false });

    const product = await shop.create('/v1/products', { name: 'Polled' });
    const next = await page(`after=${empty.next_after}`);
    expect(next.items.map((item) => [item.type, item.data.product_id])).toEqual([['ProductCreated', product]]);
    expect(next.next_after).toBe(next.items[0].position);
  });

  it(`examines at most ${MAX_EVENTS_EXAMINED} events of the shared log per page, answering how far it got`, async () => {
    const { pages } = await readAll();
    const caughtUp = pages[pages.length - 1].next_after;
    // Another account's burst, straight into the store (of a type no projection reads): more than one page may look through.
    const burst = Array.from({ length: MAX_EVENTS_EXAMINED + 200 }, () => ({ id: randomEventId(), type: 'BurstRecorded', data: {}, metadata: { schema_version: 1, account_id: other.account.id } }));
    const { position: burstEnd } = await store.appendToStream(`test_burst-${Date.now()}`, burst, { expectedRevision: 'no_stream' });

    const own = await shop.create('/v1/customers', { email: 'after-the-burst@example.com' });

    const first = await page(`after=${caughtUp}`);
    expect(first.items).toEqual([]);
    expect(first.has_more).toBe(true);
    expect(first.next_after).toBeGreaterThan(caughtUp);
    expect(first.next_after).toBeLessThan(Number(burstEnd));

    const rest = await readAll('', first.next_after);
    expect(rest.items.map((item) => item.data.customer_id)).toEqual([own]);
  });

  it('refuses a malformed query with 400 and any token but a secret one', async () => {
    for (const query of ['limit=0', 'limit=101', 'limit=abc', 'after=-1', 'after=01', 'after=1.5', 'after=1&after=2', 'type=payment_succeeded', 'type=', 'offset=10', 'colour=red']) {
      const res = await t.http().get(`/v1/events?${query}`).set(bearer(shop.account.secret));
      expect([query, res.status, res.headers['content-type']]).toEqual([query, 400, expect.stringMatching(/^application\/problem\+json/)]);
    }
    await t.http().get('/v1/events').expect(401);
    await t.http().get('/v1/events').set(bearer(shop.account.publishable)).expect(403);
    await t.http().get('/v1/events/stream').set(bearer(shop.account.publishable)).expect(403);
    await t.http().get('/v1/events/stream?after=x').set(bearer(shop.account.secret)).expect(400);
    await t.http().get('/v1/events/stream').set(bearer(shop.account.secret)).set('Last-Event-ID', 'abc').expect(400);
  });

  it("shows no processor's signing secret and no token hash, in the pages or the stream", async () => {
    const secrets = ['whsec_connected_0123456789abcdef', 'whsec_rotated_fedcba9876543210'];
    const gateway = await shop.create('/v1/processors', { name: 'Gateway', connector: 'http', http: { url: 'http://127.0.0.1:9/authorize', secret: secrets[0] } });
    await t.http().patch(`/v1/processors/${gateway}`).set(bearer(shop.account.secret)).send({ http: { url: 'http://127.0.0.1:9/v2', secret: secrets[1] } }).expect(200);
    const tokenHashes = [shop.account.secret, shop.account.publishable].map((token) => createHash('sha256').update(token).digest('hex'));
    const forbidden = [...secrets, ...tokenHashes];

    const { items: shown, pages } = await readAll('type=ProcessorConnected,ProcessorUpdated,AccountTokenRegistered');
    const stream = await EventStreamClient.open(t, shop.account.secret);
    await stream.until((client) => client.events.some((event) => event.event === 'ProcessorUpdated' && event.data.data !== undefined), 'the ProcessorUpdated');
    stream.close();

    for (const text of [JSON.stringify(pages), stream.text]) expect(forbidden.filter((secret) => text.includes(secret))).toEqual([]);
    expect(shown.find((item) => item.type === 'ProcessorConnected' && item.data.processor_id === gateway)?.data.http).toEqual({ url: 'http://127.0.0.1:9/authorize', secret: '[redacted]' });
    expect(shown.find((item) => item.type === 'ProcessorUpdated' && item.data.processor_id === gateway)?.data.changes).toEqual({ http: { url: 'http://127.0.0.1:9/v2', secret: '[redacted]' } });
    expect(shown.filter((item) => item.type === 'AccountTokenRegistered').map(({ stream: name, data }) => [name, data])).toEqual([
      ['account_token-[redacted]', { account_id: shop.account.id, kind: 'secret', token_hash: '[redacted]' }],
      ['account_token-[redacted]', { account_id: shop.account.id, kind: 'publishable', token_hash: '[redacted]' }],
    ]);
  });

  async function lastPosition(): Promise<bigint> {
    let last = 0n;
    for await (const event of store.readAll()) last = event.position;
    return last;
  }
});

/**
 * An event that named no account would be in no account's stream: every kind the service
 * writes must name one, those of the background work (the payment saga, webhook deliveries
 * and their retries) too. Its own app, since the deliveries keep appending for a while.
 */
describe.each([
  ['SQLite', false],
  ['Redis', true],
])('every kind of event the service writes, on %s', (_name, redis) => {
  it("names its account, so it is in that account's stream, and shows no webhook secret", async () => {
    const t = await startTestApp({ WEBHOOK_RETRY_SCHEDULE: '50ms' }, { redis });
    const shop = await PaymentShop.open(t);
    const secret = bearer(shop.account.secret);
    // Port 9 refuses connections: each delivery fails, is retried once, and fails for good.
    const endpoint = (await t.http().post('/v1/webhook-endpoints').set(secret).send({ url: 'http://127.0.0.1:9/hooks', events: ['*'] }).expect(201)).body;
    const rotated = (await t.http().post(`/v1/webhook-endpoints/${endpoint.id}/rotate-secret`).set(secret).expect(200)).body;
    const session = await shop.session([{ amount: 4900 }], await shop.route([await shop.processor('Approver')]));
    await shop.pay(session, { payment_method: card() }).expect(201);
    await shop.create('/v1/customers', { email: 'ada@example.com' });
    const store = t.app.get<EventStore>(EVENT_STORE);
    const stored = async () => {
      const events: RecordedEvent[] = [];
      for await (const event of store.readAll()) events.push(event);
      return events;
    };
    for (const deadline = Date.now() + 10_000; !(await stored()).some((event) => event.type === 'WebhookDeliveryFailed'); ) {
      if (Date.now() > deadline) throw new Error('no webhook delivery failed for good');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    const events = await stored();
    const shown = (await t.http().get('/v1/events?limit=100').set(secret).expect(200)).text;
    await t.close();

    // Of no account by design (docs/events.md): the secrets key register.
    const ofAccounts = events.filter((event) => !event.streamId.startsWith('secrets_key-'));
    expect(ofAccounts.filter((event) => typeof event.metadata.account_id !== 'string').map((event) => `${event.type} on ${event.streamId}`)).toEqual([]);
    expect([...new Set(events.map((event) => event.type))]).toEqual(expect.arrayContaining(['WebhookEndpointCreated', 'WebhookEndpointSecretRotated', 'WebhookDeliveryScheduled', 'WebhookDeliveryAttempted', 'WebhookDeliveryFailed']));
    expect([endpoint.secret, rotated.secret].filter((whsec: string) => shown.includes(whsec))).toEqual([]);
  });
});
