import { CommandBus } from '@nestjs/cqrs';
import { checkoutSessionDecider, streamName } from '@payments/domain';
import { EventStore } from '@payments/event-store';
import {
  CommandRunner,
  EVENT_STORE,
  ExpireOverdueSessions,
  ExpiredOverdueSessions,
  ExpiredSessionsSweeper,
  SessionPayments,
} from '@payments/orchestration';
import { SessionReferencesLookup } from '../libs/orchestration/src/checkout-sessions/session-references-lookup';
import { TestClock } from './support/test-clock';
import { TestAccount, TestApp, bearer, openAccount, startTestApp } from './support/test-app';

const HOUR_MS = 3_600_000;
const SESSION_FIELDS = [
  'id',
  'object',
  'status',
  'payment_status',
  'secure_token',
  'url',
  'customer_id',
  'tiers',
  'processor_route_id',
  'capture_method',
  'success_url',
  'return_url',
  'expires_at',
  'created_at',
];
const PUBLISHABLE_FIELDS = ['id', 'object', 'status', 'payment_status', 'tiers', 'success_url', 'return_url', 'expires_at', 'created_at'];
const ONE_ROUTE_DETAIL = /a checkout session takes one route id, and the route holds the list of processors/;

/** An account with a catalog and two routes, as a merchant sets them up before selling. */
interface Shop {
  account: TestAccount;
  prices: { premium: string; standard: string; basic: string; euro: string };
  customer: string;
  routes: { main: string; fallback: string };
}

describe('checkout sessions over HTTP', () => {
  const clock = new TestClock();
  let t: TestApp;
  let shop: Shop;

  beforeAll(async () => {
    t = await startTestApp({}, { clock });
  });
  beforeEach(async () => {
    shop = await openShop(t);
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => t.close());

  const create = (body: object, token = shop.account.secret, query = '') => t.http().post(`/v1/checkout/sessions${query}`).set(bearer(token)).send(body);
  const get = (id: string, token = shop.account.secret, query = '') => t.http().get(`/v1/checkout/sessions/${id}${query}`).set(bearer(token));
  const list = (query = '', token = shop.account.secret) => t.http().get(`/v1/checkout/sessions${query}`).set(bearer(token));
  const expire = (id: string, token = shop.account.secret) => t.http().post(`/v1/checkout/sessions/${id}/expire`).set(bearer(token));
  const minimal = () => ({ line_items: [{ price_id: shop.prices.premium, quantity: 1 }], success_url: 'https://shop.example/ok' });
  const withRoute = () => ({ ...minimal(), processor_route_id: shop.routes.main });

  function apiExample() {
    return {
      customer_id: shop.customer,
      line_items: [{ price_id: shop.prices.premium, quantity: 1 }],
      cascade_line_items: [
        { line_items: [{ price_id: shop.prices.standard, quantity: 1 }], processor_route_id: null },
        { line_items: [{ price_id: shop.prices.basic, quantity: 1 }], processor_route_id: shop.routes.fallback },
      ],
      processor_route_id: shop.routes.main,
      success_url: 'https://shop.example/ok?session_id={CHECKOUT_SESSION_ID}',
      return_url: 'https://shop.example/cancel',
      expires_in_hours: 24,
      custom_fields: { order_id: 'order_12345' },
      params_for_sub: { custom_fields: { tier: 'enterprise' } },
      promotion_code: 'SAVE20',
    };
  }

  async function deleteRoute(routeId: string): Promise<'deleted' | 'conflict'> {
    const res = await t.http().delete(`/v1/processor-routes/${routeId}`).set(bearer(shop.account.secret));
    if (res.status === 204) return 'deleted';
    if (res.status === 409) return 'conflict';
    throw new Error(`DELETE of route ${routeId} answered ${res.status}`);
  }

  async function sessionsReferencing(routeId: string): Promise<number> {
    return (await t.http().get(`/v1/processor-routes/${routeId}`).set(bearer(shop.account.secret)).expect(200)).body.references.checkout_sessions;
  }

  async function until(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  describe('creating', () => {
    it('creates a session with every field of the contract, discounted on every tier', async () => {
      const res = await create(apiExample()).expect(201);

      expect(Object.keys(res.body)).toEqual(SESSION_FIELDS);
      const lineItem = (price_id: string, unit_amount: number) => [{ price_id, product_id: expect.stringMatching(/^prod_stg_/), quantity: 1, unit_amount, amount_subtotal: unit_amount }];
      expect(res.body).toEqual({
        id: expect.stringMatching(/^cs_stg_[A-Za-z0-9]+$/),
        object: 'checkout_session',
        status: 'open',
        payment_status: 'unpaid',
        secure_token: expect.stringMatching(new RegExp(`^${res.body.id}_[0-9a-f]{32}$`)),
        url: `http://localhost:3000/checkout/${res.body.secure_token}`,
        customer_id: shop.customer,
        tiers: [
          { index: 0, line_items: lineItem(shop.prices.premium, 9900), amount_subtotal: 9900, amount_discount: 1980, amount_total: 7920, currency: 'USD', processor_route_id: null },
          { index: 1, line_items: lineItem(shop.prices.standard, 4900), amount_subtotal: 4900, amount_discount: 980, amount_total: 3920, currency: 'USD', processor_route_id: null },
          { index: 2, line_items: lineItem(shop.prices.basic, 1900), amount_subtotal: 1900, amount_discount: 380, amount_total: 1520, currency: 'USD', processor_route_id: shop.routes.fallback },
        ],
        processor_route_id: shop.routes.main,
        capture_method: 'automatic',
        success_url: 'https://shop.example/ok?session_id={CHECKOUT_SESSION_ID}',
        return_url: 'https://shop.example/cancel',
        expires_at: new Date(Date.parse(res.body.created_at) + 24 * HOUR_MS).toISOString(),
        created_at: expect.any(String),
      });
      expect((await get(res.body.id).expect(200)).body).toEqual(res.body);
    });

    it('fills the defaults: no customer, route or return URL, expiring in 24 hours', async () => {
      const res = await create(minimal()).expect(201);

      expect(res.body).toMatchObject({ customer_id: null, processor_route_id: null, return_url: null, status: 'open' });
      expect(Date.parse(res.body.expires_at) - Date.parse(res.body.created_at)).toBe(24 * HOUR_MS);
    });

    it('shows custom_fields and params_for_sub only when expanded, by a repeated or comma separated expand', async () => {
      const created = await create(apiExample(), shop.account.secret, '?expand=custom_fields').expect(201);
      const expanded = { custom_fields: { order_id: 'order_12345' }, params_for_sub: { custom_fields: { tier: 'enterprise' } } };

      expect(created.body).toMatchObject(expanded);
      expect((await get(created.body.id, shop.account.secret, '?expand=custom_fields&expand=custom_fields').expect(200)).body).toMatchObject(expanded);
      expect((await list('?expand=custom_fields,custom_fields').expect(200)).body.items[0]).toMatchObject(expanded);
      expect((await get(created.body.id).expect(200)).body).not.toHaveProperty('custom_fields');
      await get(created.body.id, shop.account.secret, '?expand=customer').expect(400);
    });

    it('takes ten tiers', async () => {
      const tier = { line_items: [{ price_id: shop.prices.basic, quantity: 1 }] };
      const res = await create({ ...minimal(), cascade_line_items: Array.from({ length: 9 }, () => tier) }).expect(201);

      expect(res.body.tiers.map((t: { index: number }) => t.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    });

    it('takes 100 line items of up to 10000 each', async () => {
      const res = await create({ ...minimal(), line_items: Array.from({ length: 100 }, () => ({ price_id: shop.prices.basic, quantity: 10000 })) }).expect(201);

      expect(res.body.tiers[0].amount_subtotal).toBe(100 * 10000 * 1900);
    });

    it.each([
      ['a percent coupon', async () => ({ coupon_id: await coupon({ percent_off: 12.5 }) }), 1238],
      ['an amount coupon in the tier currency', async () => ({ coupon_id: await coupon({ amount_off: 500, currency: 'USD' }) }), 500],
      ['an amount coupon larger than the tier', async () => ({ coupon_id: await coupon({ amount_off: 20000, currency: 'USD' }) }), 9900],
      ['a promotion code typed in another case', async () => ({ promotion_code: 'save20' }), 1980],
    ])('discounts the tiers by %s', async (_, discount, expected) => {
      const res = await create({ ...minimal(), ...(await discount()) }).expect(201);

      expect(res.body.tiers[0]).toMatchObject({ amount_subtotal: 9900, amount_discount: expected, amount_total: 9900 - expected });
    });

    async function coupon(body: object): Promise<string> {
      return (await t.http().post('/v1/coupons').set(bearer(shop.account.secret)).send(body).expect(201)).body.id;
    }

    it('creates the same session from a form-encoded body as from JSON', async () => {
      const json = await create(apiExample(), shop.account.secret, '?expand=custom_fields').expect(201);
      const form = [
        `customer_id=${shop.customer}`,
        `line_items[0][price_id]=${shop.prices.premium}`,
        'line_items[0][quantity]=1',
        `cascade_line_items[0][line_items][0][price_id]=${shop.prices.standard}`,
        'cascade_line_items[0][line_items][0][quantity]=1',
        'cascade_line_items[0][processor_route_id]=',
        `cascade_line_items[1][line_items][0][price_id]=${shop.prices.basic}`,
        'cascade_line_items[1][line_items][0][quantity]=1',
        `cascade_line_items[1][processor_route_id]=${shop.routes.fallback}`,
        `processor_route_id=${shop.routes.main}`,
        `success_url=${encodeURIComponent('https://shop.example/ok?session_id={CHECKOUT_SESSION_ID}')}`,
        `return_url=${encodeURIComponent('https://shop.example/cancel')}`,
        'expires_in_hours=24',
        'custom_fields[order_id]=order_12345',
        'params_for_sub[custom_fields][tier]=enterprise',
        'promotion_code=SAVE20',
      ].join('&');

      const res = await t.http().post('/v1/checkout/sessions?expand=custom_fields').set(bearer(shop.account.secret)).type('form').send(form).expect(201);

      const comparable = ({ id: _id, secure_token: _token, url: _url, created_at: _created, expires_at: _expires, ...rest }: Record<string, unknown>) => rest;
      expect(comparable(res.body)).toEqual(comparable(json.body));
    });

    it('keeps digit-only custom field values of a form as text, and strings where JSON needs integers a 400', async () => {
      const form = `line_items[0][price_id]=${shop.prices.premium}&line_items[0][quantity]=2&success_url=https%3A%2F%2Fshop.example%2Fok&custom_fields[order]=123`;
      const res = await t.http().post('/v1/checkout/sessions?expand=custom_fields').set(bearer(shop.account.secret)).type('form').send(form).expect(201);

      expect(res.body.custom_fields).toEqual({ order: '123' });
      expect(res.body.tiers[0].line_items[0].quantity).toBe(2);
      await create({ ...minimal(), line_items: [{ price_id: shop.prices.premium, quantity: '2' }] }).expect(400);
      await create({ ...minimal(), expires_in_hours: '2' }).expect(400);
    });

    it('answers the alias for the token’s account, and 404 for another account id', async () => {
      const other = await openAccount(t);

      const res = await t.http().post(`/api/${shop.account.id}/checkout-sessions`).set(bearer(shop.account.secret)).send(withRoute()).expect(201);
      await t.http().post(`/api/${other.id}/checkout-sessions`).set(bearer(shop.account.secret)).send(withRoute()).expect(404);
      const form = `line_items[0][price_id]=${shop.prices.premium}&line_items[0][quantity]=1&success_url=https%3A%2F%2Fshop.example%2Fok`;
      await t.http().post(`/api/${shop.account.id}/checkout-sessions`).set(bearer(shop.account.secret)).type('form').send(form).expect(201);

      expect(res.body).toMatchObject({ object: 'checkout_session', processor_route_id: shop.routes.main });
      expect((await get(res.body.id).expect(200)).body).toEqual(res.body);
      expect((await list().expect(200)).body.total).toBe(2);
    });
  });

  describe('refusing', () => {
    const customFields = (entries: [string, unknown][]) => ({ custom_fields: Object.fromEntries(entries) });
    const manyKeys = Array.from({ length: 51 }, (_, i): [string, string] => [`key${i}`, 'v']);

    it.each<[string, (shop: Shop) => object, string]>([
      ['no line items', () => ({ line_items: [] }), 'line_items'],
      ['101 line items', (s) => ({ line_items: Array.from({ length: 101 }, () => ({ price_id: s.prices.basic, quantity: 1 })) }), 'line_items'],
      ['a quantity of 0', (s) => ({ line_items: [{ price_id: s.prices.basic, quantity: 0 }] }), 'line_items[0].quantity'],
      ['a quantity of 10001', (s) => ({ line_items: [{ price_id: s.prices.basic, quantity: 10001 }] }), 'line_items[0].quantity'],
      ['prices in two currencies in one tier', (s) => ({ line_items: [{ price_id: s.prices.premium, quantity: 1 }, { price_id: s.prices.euro, quantity: 1 }] }), 'line_items[1].price_id'],
      ['eleven tiers', (s) => ({ cascade_line_items: Array.from({ length: 10 }, () => ({ line_items: [{ price_id: s.prices.basic, quantity: 1 }] })) }), 'cascade_line_items'],
      ['an empty cascade tier', () => ({ cascade_line_items: [{ line_items: [] }] }), 'cascade_line_items[0].line_items'],
      ['an unknown price', () => ({ line_items: [{ price_id: 'price_stg_nothing', quantity: 1 }] }), 'line_items[0].price_id'],
      ['an unknown price in a cascade tier', () => ({ cascade_line_items: [{ line_items: [{ price_id: 'price_stg_nothing', quantity: 1 }] }] }), 'cascade_line_items[0].line_items[0].price_id'],
      ['an unknown customer', () => ({ customer_id: 'cus_stg_nobody' }), 'customer_id'],
      ['an unknown route', () => ({ processor_route_id: 'proute_stg_nothing' }), 'processor_route_id'],
      ['an unknown route of a tier', (s) => ({ cascade_line_items: [{ line_items: [{ price_id: s.prices.basic, quantity: 1 }], processor_route_id: 'proute_stg_nothing' }] }), 'cascade_line_items[0].processor_route_id'],
      ['an unknown coupon', () => ({ coupon_id: 'coupon_stg_nothing' }), 'coupon_id'],
      ['an unknown promotion code', () => ({ promotion_code: 'NOSUCHCODE' }), 'promotion_code'],
      ['a promotion code with a coupon', () => ({ promotion_code: 'SAVE20', coupon_id: 'coupon_stg_any' }), 'promotion_code'],
      ['a relative success_url', () => ({ success_url: '/ok' }), 'success_url'],
      ['a success_url that is not http', () => ({ success_url: 'ftp://shop.example/ok' }), 'success_url'],
      ['a relative return_url', () => ({ return_url: 'cancel' }), 'return_url'],
      ['expiry in 0 hours', () => ({ expires_in_hours: 0 }), 'expires_in_hours'],
      ['expiry in 721 hours', () => ({ expires_in_hours: 721 }), 'expires_in_hours'],
      ['51 custom fields', () => customFields(manyKeys), 'custom_fields'],
      ['a 41-character custom field key', () => customFields([['k'.repeat(41), 'v']]), `custom_fields.${'k'.repeat(41)}`],
      ['a 501-character custom field value', () => customFields([['order_id', 'v'.repeat(501)]]), 'custom_fields.order_id'],
      ['a custom field value that is not a string', () => customFields([['order_id', 12345]]), 'custom_fields.order_id'],
      ['51 custom fields for subscriptions', () => ({ params_for_sub: customFields(manyKeys) }), 'params_for_sub.custom_fields'],
    ])('answers 422 to %s, creating nothing', async (_, change, field) => {
      const res = await create({ ...withRoute(), ...change(shop) }).expect(422);

      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      expect((await list().expect(200)).body.total).toBe(0);
      expect(await deleteRoute(shop.routes.main)).toBe('deleted');
    });

    it("answers 422 to another account's price, customer and route", async () => {
      const other = await openShop(t);

      const res = await create({ ...minimal(), line_items: [{ price_id: other.prices.premium, quantity: 1 }], customer_id: other.customer, processor_route_id: other.routes.main }).expect(422);

      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['customer_id', 'line_items[0].price_id', 'processor_route_id']);
    });

    it('answers 422 to an amount coupon in another currency than a tier', async () => {
      const couponId = (await t.http().post('/v1/coupons').set(bearer(shop.account.secret)).send({ amount_off: 500, currency: 'EUR' }).expect(201)).body.id;

      await create({ ...minimal(), coupon_id: couponId }).expect(422);
    });

    it('answers 422 to a route deleted before the session, naming the field', async () => {
      expect(await deleteRoute(shop.routes.fallback)).toBe('deleted');

      const res = await create({ ...withRoute(), cascade_line_items: [{ line_items: [{ price_id: shop.prices.basic, quantity: 1 }], processor_route_id: shop.routes.fallback }] }).expect(422);

      expect(res.body.errors).toEqual([{ field: 'cascade_line_items[0].processor_route_id', message: `unknown route ${shop.routes.fallback}` }]);
      expect(await deleteRoute(shop.routes.main)).toBe('deleted');
    });

    it.each<[string, (shop: Shop) => object]>([
      ['a list of route ids', (s) => ({ processor_route_id: [s.routes.main, s.routes.fallback] })],
      ['a route id that is a number', () => ({ processor_route_id: 7 })],
      ['a list of route ids on a tier', (s) => ({ cascade_line_items: [{ line_items: [{ price_id: s.prices.basic, quantity: 1 }], processor_route_id: [s.routes.main] }] })],
    ])('answers 400 to %s, saying that a session takes one route id', async (_, change) => {
      const res = await create({ ...minimal(), ...change(shop) }).expect(400);

      expect(res.body.detail).toMatch(ONE_ROUTE_DETAIL);
    });

    it('answers 400 to a list of route ids in a form body', async () => {
      const form = `line_items[0][price_id]=${shop.prices.premium}&line_items[0][quantity]=1&success_url=https%3A%2F%2Fshop.example%2Fok&processor_route_id[]=${shop.routes.main}&processor_route_id[]=${shop.routes.fallback}`;

      const res = await t.http().post('/v1/checkout/sessions').set(bearer(shop.account.secret)).type('form').send(form).expect(400);

      expect(res.body.detail).toMatch(ONE_ROUTE_DETAIL);
    });

    it.each([
      ['a missing success_url', { line_items: [{ price_id: 'price_stg_x', quantity: 1 }] }, 'success_url'],
      ['line items that are not a list', { line_items: { price_id: 'price_stg_x', quantity: 1 }, success_url: 'https://shop.example/ok' }, 'line_items'],
      ['custom fields that are a list', { line_items: [{ price_id: 'price_stg_x', quantity: 1 }], success_url: 'https://shop.example/ok', custom_fields: ['a'] }, 'custom_fields'],
      ['an unknown property', { line_items: [{ price_id: 'price_stg_x', quantity: 1 }], success_url: 'https://shop.example/ok', mode: 'payment' }, 'mode'],
    ])('answers 400 to %s', async (_, body, field) => {
      const res = await create(body).expect(400);

      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    });
  });

  describe('reading', () => {
    it('lists sessions newest first, page by page, filtered by status', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) ids.push((await create(minimal()).expect(201)).body.id);
      await expire(ids[1]).expect(200);

      const page = await list('?limit=2&offset=1').expect(200);
      const open = await list('?status=open').expect(200);
      const expired = await list('?status=expired').expect(200);

      expect(page.body).toMatchObject({ total: 4, has_more: true });
      expect(page.body.items.map((s: { id: string }) => s.id)).toEqual([ids[2], ids[1]]);
      expect(page.body.items[0]).toEqual((await get(ids[2]).expect(200)).body);
      expect(open.body.items.map((s: { id: string }) => s.id)).toEqual([ids[3], ids[2], ids[0]]);
      expect(expired.body).toMatchObject({ items: [expect.objectContaining({ id: ids[1], status: 'expired' })], total: 1, has_more: false });
      expect((await list('?status=complete').expect(200)).body).toEqual({ items: [], total: 0, has_more: false });
    });

    it.each(['status=paid', 'status=', 'limit=0', 'offset=-1', 'expand=tiers'])('answers 400 to the list query %s', async (query) => {
      await list(`?${query}`).expect(400);
    });

    it("answers 404 for an unknown id and another account's session", async () => {
      const other = await openShop(t);
      const theirs = (await create({ ...minimal(), line_items: [{ price_id: other.prices.premium, quantity: 1 }] }, other.account.secret).expect(201)).body.id;

      await get('cs_stg_nothing').expect(404);
      await get('not an id').expect(404);
      await get(theirs).expect(404);
      await expire(theirs).expect(404);
      expect((await list().expect(200)).body.total).toBe(0);
    });

    it('shows a publishable token what a payment page needs, and nothing else', async () => {
      const created = await create(apiExample()).expect(201);

      const res = await get(created.body.id, shop.account.publishable).expect(200);

      expect(Object.keys(res.body)).toEqual(PUBLISHABLE_FIELDS);
      expect(res.body.tiers[2]).toEqual({ index: 2, line_items: created.body.tiers[2].line_items, amount_subtotal: 1900, amount_discount: 380, amount_total: 1520, currency: 'USD' });
      expect(JSON.stringify(res.body)).not.toContain(created.body.secure_token);
      await get(created.body.id, shop.account.publishable, '?expand=custom_fields').expect(403);
    });

    it('keeps creating, listing and expiring away from publishable tokens', async () => {
      const id = (await create(minimal()).expect(201)).body.id;

      await create(minimal(), shop.account.publishable).expect(403);
      await t.http().post(`/api/${shop.account.id}/checkout-sessions`).set(bearer(shop.account.publishable)).send(minimal()).expect(403);
      await list('', shop.account.publishable).expect(403);
      await expire(id, shop.account.publishable).expect(403);
    });
  });

  describe('expiring and route references', () => {
    it('expires an open session on request, once: then 409', async () => {
      const id = (await create(withRoute()).expect(201)).body.id;

      const res = await expire(id).expect(200);

      expect(res.body).toMatchObject({ id, status: 'expired', payment_status: 'unpaid' });
      expect((await get(id).expect(200)).body.status).toBe('expired');
      expect((await expire(id).expect(409)).body.status).toBe(409);
    });

    it('keeps a route referenced by an open session from being deleted, until the session is expired', async () => {
      const id = (await create(apiExample()).expect(201)).body.id;
      await create(minimal()).expect(201);
      expect(await sessionsReferencing(shop.routes.main)).toBe(1);
      expect(await deleteRoute(shop.routes.main)).toBe('conflict');
      expect(await deleteRoute(shop.routes.fallback)).toBe('conflict');

      await expire(id).expect(200);

      expect(await sessionsReferencing(shop.routes.main)).toBe(0);
      expect(await deleteRoute(shop.routes.main)).toBe('deleted');
      expect(await deleteRoute(shop.routes.fallback)).toBe('deleted');
    });

    it('releases the routes when a payment completes the session, not when one fails', async () => {
      const id = (await create(apiExample()).expect(201)).body.id;
      const sessionPayments = t.app.get(SessionPayments);
      const metadata = { accountId: shop.account.id };
      await sessionPayments.begin(shop.account.id, id, 'pay_stg_failed', metadata);
      await sessionPayments.end(shop.account.id, id, 'pay_stg_failed', 'failed', metadata);
      expect((await get(id).expect(200)).body).toMatchObject({ status: 'open', payment_status: 'unpaid' });
      expect(await deleteRoute(shop.routes.main)).toBe('conflict');

      await sessionPayments.begin(shop.account.id, id, 'pay_stg_paid', metadata);
      await sessionPayments.end(shop.account.id, id, 'pay_stg_paid', 'succeeded', metadata);

      expect((await get(id).expect(200)).body).toMatchObject({ status: 'complete', payment_status: 'paid' });
      expect((await list('?status=complete').expect(200)).body.items.map((s: { id: string }) => s.id)).toEqual([id]);
      await expire(id).expect(409);
      expect(await deleteRoute(shop.routes.main)).toBe('deleted');
      expect(await deleteRoute(shop.routes.fallback)).toBe('deleted');
    });

    it('reads a session past expires_at as expired at once, and the sweeper releases its routes', async () => {
      const id = (await create({ ...withRoute(), expires_in_hours: 1 }).expect(201)).body.id;
      const later = (await create(minimal()).expect(201)).body.id;

      clock.advance(HOUR_MS);

      expect((await get(id).expect(200)).body.status).toBe('expired');
      expect((await list('?status=open').expect(200)).body.items.map((s: { id: string }) => s.id)).toEqual([later]);
      expect((await list('?status=expired').expect(200)).body.items.map((s: { id: string }) => s.id)).toEqual([id]);
      await expire(id).expect(409);
      await until(async () => (await deleteRoute(shop.routes.main)) === 'deleted');
    });

    it('expires overdue sessions on demand, releasing their routes before any sweep', async () => {
      const commands = t.app.get(CommandBus);
      const due = (await create({ ...withRoute(), expires_in_hours: 1 }).expect(201)).body.id;
      const notDue = (await create({ ...minimal(), processor_route_id: shop.routes.fallback, expires_in_hours: 2 }).expect(201)).body.id;
      const sweeper = t.app.get(ExpiredSessionsSweeper);
      await sweeper.beforeApplicationShutdown();
      try {
        clock.advance(HOUR_MS);

        const result = await commands.execute<ExpireOverdueSessions, ExpiredOverdueSessions>(new ExpireOverdueSessions(shop.account.id, [due, notDue, 'cs_stg_unknown']));

        expect(result.expiredSessionIds).toEqual([due]);
        expect(await deleteRoute(shop.routes.main)).toBe('deleted');
        expect(await deleteRoute(shop.routes.fallback)).toBe('conflict');
        expect((await get(notDue).expect(200)).body.status).toBe('open');
      } finally {
        sweeper.onApplicationBootstrap();
      }
    });

    it('deletes a route at once when its only session has just passed expires_at, without waiting for a sweep', async () => {
      await create({ ...withRoute(), expires_in_hours: 1 }).expect(201);
      const sweeper = t.app.get(ExpiredSessionsSweeper);
      await sweeper.beforeApplicationShutdown();
      try {
        clock.advance(HOUR_MS);
        expect(await deleteRoute(shop.routes.main)).toBe('deleted');
      } finally {
        sweeper.onApplicationBootstrap();
      }
    });

    it('finishes a release that a crash cut short: the sweeper detaches a settled session still attached', async () => {
      const id = (await create(withRoute()).expect(201)).body.id;
      // The expiry is recorded, then the process dies before it detaches the routes.
      await t.app.get(CommandRunner).run(streamName('checkout_session', id), checkoutSessionDecider, { type: 'ExpireCheckoutSession', sessionId: id, accountId: shop.account.id, reason: 'manual' });

      await until(async () => (await deleteRoute(shop.routes.main)) === 'deleted');
    });

    it('detaches the routes already attached when a route is deleted while the session is being created', async () => {
      const lookup = t.app.get(SessionReferencesLookup, { strict: false });
      const lookUp = lookup.lookUp.bind(lookup);
      // The fallback route is deleted after the look-up found it live, before the session attaches to it.
      jest.spyOn(lookup, 'lookUp').mockImplementationOnce(async (accountId, request) => {
        const references = await lookUp(accountId, request);
        expect(await deleteRoute(shop.routes.fallback)).toBe('deleted');
        return references;
      });

      const res = await create({ ...withRoute(), cascade_line_items: [{ line_items: [{ price_id: shop.prices.basic, quantity: 1 }], processor_route_id: shop.routes.fallback }] }).expect(422);

      expect(res.body.errors).toEqual([{ field: 'cascade_line_items[0].processor_route_id', message: `unknown route ${shop.routes.fallback}` }]);
      expect((await list().expect(200)).body.total).toBe(0);
      expect(await deleteRoute(shop.routes.main)).toBe('deleted');
    });

    it('never stores the secure token', async () => {
      const created = await create(apiExample()).expect(201);

      const stored: string[] = [];
      for await (const event of t.app.get<EventStore>(EVENT_STORE).readAll()) stored.push(JSON.stringify([event.data, event.metadata]));

      expect(stored.join('\n')).not.toContain(created.body.secure_token.slice(created.body.id.length + 1));
    });
  });
});

describe('checkout sessions on Redis', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({}, { redis: true });
  });
  afterAll(() => t.close());

  it('creates, reads, lists and expires a session, releasing its route', async () => {
    const shop = await openShop(t);
    const token = shop.account.secret;
    const body = { line_items: [{ price_id: shop.prices.premium, quantity: 2 }], processor_route_id: shop.routes.main, success_url: 'https://shop.example/ok' };

    const created = await t.http().post('/v1/checkout/sessions').set(bearer(token)).send(body).expect(201);
    const listed = await t.http().get('/v1/checkout/sessions?status=open').set(bearer(token)).expect(200);
    await t.http().post(`/v1/checkout/sessions/${created.body.id}/expire`).set(bearer(token)).expect(200);
    const expired = await t.http().get('/v1/checkout/sessions?status=expired').set(bearer(token)).expect(200);

    expect(created.body.tiers[0]).toMatchObject({ amount_total: 19800, currency: 'USD' });
    expect(listed.body).toEqual({ items: [created.body], total: 1, has_more: false });
    expect(expired.body.items.map((s: { id: string }) => s.id)).toEqual([created.body.id]);
    await t.http().delete(`/v1/processor-routes/${shop.routes.main}`).set(bearer(token)).expect(204);
  });
});

async function openShop(t: TestApp): Promise<Shop> {
  const account = await openAccount(t);
  const post = async (path: string, body: object): Promise<string> => (await t.http().post(path).set(bearer(account.secret)).send(body).expect(201)).body.id;
  const product = await post('/v1/products', { name: 'Plan' });
  const price = (unit_amount: number, currency = 'USD') => post('/v1/prices', { product_id: product, unit_amount, currency });
  const prices = { premium: await price(9900), standard: await price(4900), basic: await price(1900), euro: await price(4500, 'EUR') };
  const customer = await post('/v1/customers', { email: 'ada@example.com' });
  const couponId = await post('/v1/coupons', { percent_off: 20 });
  await post('/v1/promotion-codes', { code: 'SAVE20', coupon_id: couponId });
  const processorId = await post('/v1/processors', { name: 'Acme', connector: 'simulator' });
  const route = (name: string) => post('/v1/processor-routes', { name, processors: [{ processor_id: processorId }] });
  return { account, prices, customer, routes: { main: await route('Main'), fallback: await route('Fallback') } };
}
