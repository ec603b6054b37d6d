import { setTimeout as sleep } from 'node:timers/promises';
import { EventStore, randomEventId } from '@payments/event-store';
import { EVENT_STORE } from '@payments/orchestration';
import { EventStreamClient, listen } from './support/event-stream-client';
import { PaymentShop, card } from './support/payment-shop';
import { TestApp, startTestApp } from './support/test-app';

const HEARTBEAT_MS = 100;

/** The account's events as GET /v1/events pages them, every page up to the end of the log. */
async function pagedIds(t: TestApp, token: string, query = ''): Promise<string[]> {
  const ids: string[] = [];
  for (let after = 0; ; ) {
    const res = await t.http().get(`/v1/events?limit=100&after=${after}&${query}`).set('Authorization', `Bearer ${token}`).expect(200);
    ids.push(...res.body.items.map((item: { position: number }) => String(item.position)));
    after = res.body.next_after;
    if (!res.body.has_more) return ids;
  }
}

async function openMetric(t: TestApp): Promise<number> {
  const text = (await t.http().get('/metrics').expect(200)).text;
  return Number(/^event_streams_open (\d+)$/m.exec(text)?.[1]);
}

/** Waits for the gauge of open streams to read `count`: a stream's subscription is given back just after its client leaves. */
async function untilOpenStreams(t: TestApp, count: number): Promise<void> {
  for (let tries = 0; (await openMetric(t)) !== count; tries++) {
    if (tries > 100) throw new Error(`event_streams_open stayed at ${await openMetric(t)}, expected ${count}`);
    await sleep(20);
  }
}

/** GET /v1/events/stream as server-sent events: the past after the resume position, then live. */
describe.each([
  ['SQLite', false],
  ['Redis', true],
])('the event stream over SSE, on %s', (_name, redis) => {
  let t: TestApp;
  let shop: PaymentShop;
  let other: PaymentShop;
  const open = (options?: Parameters<typeof EventStreamClient.open>[2]) => EventStreamClient.open(t, shop.account.secret, options);

  async function payCascade(on: PaymentShop): Promise<void> {
    const decliner = await on.processor('Decliner', { simulator: { outcome: 'decline', decline_code: '51' } });
    const session = await on.session([{ amount: 4900 }], await on.route([decliner, await on.processor('Approver')]));
    await on.pay(session, { payment_method: card() }).expect(201);
  }

  beforeAll(async () => {
    t = await startTestApp({ EVENT_STREAM_HEARTBEAT_MS: String(HEARTBEAT_MS) }, { redis });
    await listen(t);
    shop = await PaymentShop.open(t);
    other = await PaymentShop.open(t);
    await payCascade(shop);
    await payCascade(other);
  });
  afterAll(() => t.close());

  it("sends the account's stored events in order, then each new one as it is stored, and none of another account's", async () => {
    const past = await pagedIds(t, shop.account.secret);
    const stream = await open();
    expect(stream.status).toBe(200);
    expect(stream.response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    await stream.untilEvents(past.length);
    expect(stream.ids).toEqual(past);

    await other.create('/v1/products', { name: 'Theirs' });
    const product = await shop.create('/v1/products', { name: 'Live' });
    await stream.untilEvents(past.length + 1);
    await payCascade(shop);
    const all = await pagedIds(t, shop.account.secret);
    await stream.untilEvents(all.length);
    stream.close();

    expect(stream.ids).toEqual(all);
    expect(stream.events[past.length]).toMatchObject({ event: 'ProductCreated', data: { type: 'ProductCreated', data: { product_id: product } } });
    expect(stream.events.every(({ id, event, data }) => data.position === Number(id) && data.type === event && (data.metadata as { account_id: string }).account_id === shop.account.id)).toBe(true);
  });

  it('resumes after Last-Event-ID with no gap and no repeat: events stored while disconnected arrive after reconnecting', async () => {
    const first = await open();
    const before = await pagedIds(t, shop.account.secret);
    await first.untilEvents(before.length);
    first.close();
    const lastSeen = first.ids[first.ids.length - 1];

    // While nobody listens: a product, a whole payment, and another account's product.
    await shop.create('/v1/products', { name: 'While away' });
    await payCascade(shop);
    await other.create('/v1/products', { name: 'Not ours' });
    const all = await pagedIds(t, shop.account.secret);

    // `after` is what the client first connected with; EventSource sends Last-Event-ID on reconnecting, and it wins.
    const second = await open({ lastEventId: lastSeen, query: 'after=0' });
    await second.untilEvents(all.length - before.length);
    await sleep(HEARTBEAT_MS);
    second.close();

    expect([...first.ids, ...second.ids]).toEqual(all);
    expect(second.events[0].event).toBe('ProductCreated');
  });

  it('resumes after ?after= when there is no Last-Event-ID, and keeps only the types asked for', async () => {
    const all = await pagedIds(t, shop.account.secret);
    const wanted = await pagedIds(t, shop.account.secret, 'type=PaymentSucceeded&type=ProcessorDeclined');
    const stream = await open({ query: `after=${wanted[0]}&type=PaymentSucceeded,ProcessorDeclined` });

    await stream.untilEvents(wanted.length - 1);
    await sleep(HEARTBEAT_MS);
    stream.close();

    expect(all.length).toBeGreaterThan(wanted.length);
    expect(stream.ids).toEqual(wanted.slice(1));
    expect(new Set(stream.events.map((event) => event.event))).toEqual(new Set(['PaymentSucceeded', 'ProcessorDeclined']));
  });

  it('sends a heartbeat comment every EVENT_STREAM_HEARTBEAT_MS while nothing happens', async () => {
    const all = await pagedIds(t, shop.account.secret);
    const stream = await open({ lastEventId: all[all.length - 1] });
    const opened = Date.now();

    await stream.until((client) => client.comments.filter((comment) => comment === 'heartbeat').length >= 3, 'three heartbeats', 20 * HEARTBEAT_MS);
    stream.close();

    expect(Date.now() - opened).toBeGreaterThanOrEqual(3 * HEARTBEAT_MS - 20);
    expect(stream.events).toEqual([]);
    expect(stream.comments[0]).toBe('connected');
  });

  it('gives its subscription back when the client hangs up', async () => {
    await untilOpenStreams(t, 0);
    const streams = await Promise.all([open(), open(), open()]);
    await untilOpenStreams(t, 3);

    streams.forEach((stream) => stream.close());

    await untilOpenStreams(t, 0);
  });

  it('lets go of a client that stops reading, instead of queueing events for it', async () => {
    const stream = await open();
    await stream.untilEvents(1);
    stream.response.pause();
    // More than the sockets on both ends can buffer: about 24 MB of the account's events.
    const store = t.app.get<EventStore>(EVENT_STORE);
    const filler = 'x'.repeat(8_000);
    for (let batch = 0; batch < 6; batch++) {
      const events = Array.from({ length: 500 }, () => ({ id: randomEventId(), type: 'BulkRecorded', data: { filler }, metadata: { schema_version: 1, account_id: shop.account.id } }));
      await store.appendToStream(`test_bulk-${randomEventId().replace(/-/g, '')}`, events, { expectedRevision: 'no_stream' });
    }

    await untilOpenStreams(t, 0);
    expect(stream.events.length).toBeLessThan(3000);
  });
});

describe('the event stream at shutdown', () => {
  it('ends every open stream, so the application closes promptly', async () => {
    const t = await startTestApp();
    await listen(t);
    const shop = await PaymentShop.open(t);
    const streams = await Promise.all([EventStreamClient.open(t, shop.account.secret), EventStreamClient.open(t, shop.account.secret)]);
    await Promise.all(streams.map((stream) => stream.untilEvents(1)));

    const started = Date.now();
    await t.close();

    expect(Date.now() - started).toBeLessThan(2000);
    await Promise.all(streams.map((stream) => stream.until((client) => client.ended, 'its end')));
  });
});
