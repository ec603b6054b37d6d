import { TestAccount, TestApp, bearer, openAccount, startTestApp } from './support/test-app';

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const CATALOG_PATHS = ['products', 'prices', 'customers', 'coupons', 'promotion-codes'];

function catalogClient(t: TestApp) {
  const post = (path: string, body: object, token: string) => t.http().post(`/v1/${path}`).set(bearer(token)).send(body);
  const get = (path: string, token: string) => t.http().get(`/v1/${path}`).set(bearer(token));
  const create = async (path: string, body: object, token: string): Promise<string> => (await post(path, body, token).expect(201)).body.id;
  return {
    post,
    get,
    create,
    product: (token: string) => create('products', { name: 'Premium' }, token),
    coupon: (token: string) => create('coupons', { percent_off: 20 }, token),
  };
}

describe('catalog over HTTP', () => {
  let t: TestApp;
  let account: TestAccount;
  let api: ReturnType<typeof catalogClient>;
  beforeAll(async () => {
    t = await startTestApp();
    api = catalogClient(t);
  });
  beforeEach(async () => {
    account = await openAccount(t);
  });
  afterAll(() => t.close());

  /** Each kind: its path, id prefix, a valid body (made with the account's token) and what the API shows of it. */
  const kinds: [string, string, (token: string) => Promise<object>, object][] = [
    ['products', 'prod', async () => ({ name: 'Premium plan' }), { object: 'product', name: 'Premium plan' }],
    [
      'prices',
      'price',
      async (token) => ({ product_id: await api.product(token), unit_amount: 4900, currency: 'EUR' }),
      { object: 'price', product_id: expect.stringMatching(/^prod_stg_/), unit_amount: 4900, currency: 'EUR' },
    ],
    ['customers', 'cus', async () => ({ email: 'ada@example.com', name: 'Ada' }), { object: 'customer', email: 'ada@example.com', name: 'Ada' }],
    ['coupons', 'coupon', async () => ({ amount_off: 500, currency: 'USD', name: 'Welcome' }), { object: 'coupon', percent_off: null, amount_off: 500, currency: 'USD', name: 'Welcome' }],
    [
      'promotion-codes',
      'promo',
      async (token) => ({ code: 'Save20', coupon_id: await api.coupon(token) }),
      { object: 'promotion_code', code: 'Save20', coupon_id: expect.stringMatching(/^coupon_stg_/), active: true },
    ],
  ];

  it.each(kinds)('creates, gets and lists %s', async (path, prefix, bodyFor, shown) => {
    const body = await bodyFor(account.secret);

    const created = await api.post(path, body, account.secret).expect(201);

    expect(created.body).toEqual({ id: expect.stringMatching(new RegExp(`^${prefix}_stg_[A-Za-z0-9]+$`)), ...shown, created_at: expect.stringMatching(ISO_TIME) });
    expect(created.body).toMatchObject(body);
    expect((await api.get(`${path}/${created.body.id}`, account.secret).expect(200)).body).toEqual(created.body);
    expect((await api.get(path, account.secret).expect(200)).body).toEqual({ items: [created.body], total: 1, has_more: false });
  });

  it('takes a percentage coupon and a customer without a name', async () => {
    expect((await api.post('coupons', { percent_off: 12.5 }, account.secret).expect(201)).body).toMatchObject({ percent_off: 12.5, amount_off: null, currency: null, name: null });
    expect((await api.post('customers', { email: 'bob@example.com' }, account.secret).expect(201)).body).toMatchObject({ email: 'bob@example.com', name: null });
  });

  it('lists newest first, page by page', async () => {
    const ids: string[] = [];
    for (const name of ['A', 'B', 'C']) ids.push(await api.create('products', { name }, account.secret));

    const first = await api.get('products?limit=2', account.secret).expect(200);
    const second = await api.get('products?limit=2&offset=2', account.secret).expect(200);

    expect(first.body.items.map((p: { id: string }) => p.id)).toEqual([ids[2], ids[1]]);
    expect(first.body).toMatchObject({ total: 3, has_more: true });
    expect(second.body.items.map((p: { id: string }) => p.id)).toEqual([ids[0]]);
    expect(second.body).toMatchObject({ total: 3, has_more: false });
  });

  it('lists only the kind and the account asked for', async () => {
    const other = await openAccount(t);
    const mine = await api.product(account.secret);
    await api.coupon(account.secret);
    await api.product(other.secret);

    const list = await api.get('products', account.secret).expect(200);

    expect(list.body.items.map((p: { id: string }) => p.id)).toEqual([mine]);
    expect(list.body.total).toBe(1);
  });

  describe('refuses', () => {
    /** A body made with the account's token and another account's; a field that must be named. */
    const cases: [string, string, (mine: string, theirs: string) => Promise<object>, number, string][] = [
      ['a product without a name', 'products', async () => ({ name: '  ' }), 422, 'name'],
      ['a product with an unknown property', 'products', async () => ({ name: 'x', colour: 'red' }), 400, 'colour'],
      ['a product whose name is not text', 'products', async () => ({ name: 42 }), 400, 'name'],
      ['a price of an unknown product', 'prices', async () => ({ product_id: 'prod_stg_unknown', unit_amount: 100, currency: 'USD' }), 422, 'product_id'],
      ['a price of a coupon', 'prices', async (mine) => ({ product_id: await api.coupon(mine), unit_amount: 100, currency: 'USD' }), 422, 'product_id'],
      ["a price of another account's product", 'prices', async (_, theirs) => ({ product_id: await api.product(theirs), unit_amount: 100, currency: 'USD' }), 422, 'product_id'],
      ['a price in a lower-case currency', 'prices', async (mine) => ({ product_id: await api.product(mine), unit_amount: 100, currency: 'usd' }), 422, 'currency'],
      ['a price in an unknown currency', 'prices', async (mine) => ({ product_id: await api.product(mine), unit_amount: 100, currency: 'XYZ' }), 422, 'currency'],
      ['a negative price', 'prices', async (mine) => ({ product_id: await api.product(mine), unit_amount: -1, currency: 'USD' }), 422, 'unit_amount'],
      ['a price above the ceiling', 'prices', async (mine) => ({ product_id: await api.product(mine), unit_amount: 100_000_000, currency: 'USD' }), 422, 'unit_amount'],
      ['a fractional price', 'prices', async (mine) => ({ product_id: await api.product(mine), unit_amount: 9.99, currency: 'USD' }), 400, 'unit_amount'],
      ['a price without a currency', 'prices', async (mine) => ({ product_id: await api.product(mine), unit_amount: 100 }), 400, 'currency'],
      ['a customer with a malformed email', 'customers', async () => ({ email: 'ada@example' }), 422, 'email'],
      ['a customer with an empty name', 'customers', async () => ({ email: 'ada@example.com', name: '' }), 422, 'name'],
      ['a coupon with both percent_off and amount_off', 'coupons', async () => ({ percent_off: 10, amount_off: 500, currency: 'USD' }), 422, 'percent_off'],
      ['a coupon with neither percent_off nor amount_off', 'coupons', async () => ({ name: 'Nothing off' }), 422, 'percent_off'],
      ['an amount_off without a currency', 'coupons', async () => ({ amount_off: 500 }), 422, 'currency'],
      ['an amount_off in a lower-case currency', 'coupons', async () => ({ amount_off: 500, currency: 'eur' }), 422, 'currency'],
      ['a percent_off with a currency', 'coupons', async () => ({ percent_off: 10, currency: 'USD' }), 422, 'currency'],
      ['a negative amount_off', 'coupons', async () => ({ amount_off: -500, currency: 'USD' }), 422, 'amount_off'],
      ['a percent_off above 100', 'coupons', async () => ({ percent_off: 100.5 }), 422, 'percent_off'],
      ['a percent_off of 0', 'coupons', async () => ({ percent_off: 0 }), 422, 'percent_off'],
      ['a percent_off given as text', 'coupons', async () => ({ percent_off: '10' }), 400, 'percent_off'],
      ['a promotion code of an unknown coupon', 'promotion-codes', async () => ({ code: 'SAVE20', coupon_id: 'coupon_stg_unknown' }), 422, 'coupon_id'],
      ["a promotion code of another account's coupon", 'promotion-codes', async (_, theirs) => ({ code: 'SAVE20', coupon_id: await api.coupon(theirs) }), 422, 'coupon_id'],
      ['a promotion code with a dash', 'promotion-codes', async (mine) => ({ code: 'SAVE-20', coupon_id: await api.coupon(mine) }), 422, 'code'],
      ['a promotion code without a coupon', 'promotion-codes', async () => ({ code: 'SAVE20' }), 400, 'coupon_id'],
    ];

    it.each(cases)('%s', async (_, path, bodyFor, status, field) => {
      const other = await openAccount(t);
      const body = await bodyFor(account.secret, other.secret);

      const res = await api.post(path, body, account.secret).expect(status);

      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      expect((await api.get(path, account.secret).expect(200)).body.total).toBe(0);
    });
  });

  describe('promotion codes', () => {
    it('refuses a code the account already has, in any case', async () => {
      const coupon = await api.coupon(account.secret);
      await api.post('promotion-codes', { code: 'Save20', coupon_id: coupon }, account.secret).expect(201);

      const same = await api.post('promotion-codes', { code: 'Save20', coupon_id: coupon }, account.secret).expect(409);
      const otherCase = await api.post('promotion-codes', { code: 'SAVE20', coupon_id: await api.coupon(account.secret) }, account.secret).expect(409);

      expect(same.body.detail).toMatch(/Save20 already exists/);
      expect(otherCase.body.detail).toMatch(/Save20 already exists/);
      expect((await api.get('promotion-codes', account.secret).expect(200)).body.total).toBe(1);
    });

    it('lets one of two concurrent requests for a code create it', async () => {
      const coupon = await api.coupon(account.secret);

      const answers = await Promise.all([api.post('promotion-codes', { code: 'RACE', coupon_id: coupon }, account.secret), api.post('promotion-codes', { code: 'race', coupon_id: coupon }, account.secret)]);

      expect(answers.map((res) => res.status).sort()).toEqual([201, 409]);
      expect((await api.get('promotion-codes', account.secret).expect(200)).body.total).toBe(1);
    });

    it('lets every account have its own code of the same text', async () => {
      const other = await openAccount(t);
      await api.post('promotion-codes', { code: 'WELCOME', coupon_id: await api.coupon(account.secret) }, account.secret).expect(201);

      await api.post('promotion-codes', { code: 'WELCOME', coupon_id: await api.coupon(other.secret) }, other.secret).expect(201);
    });

    it('leaves a code free after a refused request for it', async () => {
      await api.post('promotion-codes', { code: 'LATER', coupon_id: 'coupon_stg_unknown' }, account.secret).expect(422);

      await api.post('promotion-codes', { code: 'LATER', coupon_id: await api.coupon(account.secret) }, account.secret).expect(201);
    });
  });

  it.each(CATALOG_PATHS)("answers 404 for an unknown id and for another account's item at /v1/%s/{id}", async (path) => {
    const other = await openAccount(t);
    const [, , bodyFor] = kinds.find(([kindPath]) => kindPath === path)!;
    const theirs = await api.create(path, await bodyFor(other.secret), other.secret);

    const hidden = await api.get(`${path}/${theirs}`, account.secret).expect(404);

    expect(hidden.headers['content-type']).toMatch(/application\/problem\+json/);
    await api.get(`${path}/${theirs.replace(/_[A-Za-z0-9]+$/, '_unknown')}`, account.secret).expect(404);
    await api.get(`${path}/not-an-id`, account.secret).expect(404);
    expect((await api.get(path, account.secret).expect(200)).body.items).toEqual([]);
  });

  it('answers 404 for an item of another kind asked for by its id', async () => {
    const coupon = await api.coupon(account.secret);

    await api.get(`products/${coupon}`, account.secret).expect(404);
  });

  it.each(CATALOG_PATHS)('keeps /v1/%s away from publishable tokens', async (path) => {
    const [, , bodyFor] = kinds.find(([kindPath]) => kindPath === path)!;
    const id = await api.create(path, await bodyFor(account.secret), account.secret);

    await api.post(path, await bodyFor(account.secret), account.publishable).expect(403);
    await api.get(path, account.publishable).expect(403);
    await api.get(`${path}/${id}`, account.publishable).expect(403);
  });

  it.each(CATALOG_PATHS)('refuses list pages out of bounds at /v1/%s', async (path) => {
    for (const query of ['limit=0', 'limit=101', 'limit=abc', 'offset=-1', 'limit=1.5']) {
      await api.get(`${path}?${query}`, account.secret).expect(400);
    }
    await api.get(`${path}?limit=100&offset=0`, account.secret).expect(200);
  });

  it('documents each catalog operation with its own id and its request body', async () => {
    const doc = (await t.http().get('/docs-json').expect(200)).body;
    const operations = CATALOG_PATHS.flatMap((path) => [doc.paths[`/v1/${path}`].post, doc.paths[`/v1/${path}`].get, doc.paths[`/v1/${path}/{id}`].get]);

    expect(new Set(operations.map((operation) => operation.operationId)).size).toBe(15);
    expect(doc.paths['/v1/prices'].post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/CreatePriceDto' });
    expect(Object.keys(doc.components.schemas.CreateCouponDto.properties)).toEqual(['percent_off', 'amount_off', 'currency', 'name']);
  });
});

describe('catalog on Redis', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({}, { redis: true });
  });
  afterAll(() => t.close());

  it('creates a product, its price and a promotion code, and lists them at once', async () => {
    const api = catalogClient(t);
    const { secret } = await openAccount(t);

    const product = await api.product(secret);
    const price = await api.create('prices', { product_id: product, unit_amount: 1999, currency: 'USD' }, secret);
    const coupon = await api.coupon(secret);
    const promo = await api.create('promotion-codes', { code: 'SPRING', coupon_id: coupon }, secret);
    await api.post('promotion-codes', { code: 'spring', coupon_id: coupon }, secret).expect(409);

    expect((await api.get('prices', secret).expect(200)).body.items).toEqual([expect.objectContaining({ id: price, product_id: product, unit_amount: 1999 })]);
    expect((await api.get('promotion-codes', secret).expect(200)).body.items).toEqual([expect.objectContaining({ id: promo, code: 'SPRING', coupon_id: coupon })]);
    expect((await api.get(`products/${product}`, secret).expect(200)).body.name).toBe('Premium');
  });
});
