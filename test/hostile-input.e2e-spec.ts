import { PaymentShop, VISA, card } from './support/payment-shop';
import { TestApp, bearer, startTestApp } from './support/test-app';

/**
 * Issue 8's findings at the edges, each as a user would meet it: what a client sends by mistake
 * or on purpose must come back as a clear problem that repeats nothing it sent, never as a 500.
 */
describe.each([
  ['SQLite', false],
  ['Redis', true],
])('hostile and mistaken input, on %s', (_name, redis) => {
  let t: TestApp;
  let shop: PaymentShop;
  let session: string;
  let processor: string;

  beforeAll(async () => {
    t = await startTestApp({}, { redis });
    shop = await PaymentShop.open(t);
    processor = await shop.processor('Approver');
    session = await shop.session([{ amount: 4900 }], await shop.route([processor]));
  });
  afterAll(() => t.close());

  const secret = () => bearer(shop.account.secret);
  const payJson = JSON.stringify({ payment_method: card() });

  describe('card data is never quoted back', () => {
    it('answers a JSON pay body sent as a form with 415 and repeats none of it', async () => {
      const res = await t.http().post(`/v1/checkout/sessions/${session}/pay`).set(secret()).type('form').send(payJson).expect(415);

      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.type).toBe('https://docs.payments.example/errors/unsupported-media-type');
      expect(res.headers['accept-post']).toBe('application/json');
      expect(res.text).not.toContain(VISA);
      expect(res.text).not.toContain('"cvc"');
    });

    it('describes an unknown key that is not a plain identifier instead of quoting it', async () => {
      const body = { payment_method: card(), [`{"number":"${VISA}","cvc":"123"}`]: 1 };
      const res = await t.http().post(`/v1/checkout/sessions/${session}/pay`).set(secret()).send(body).expect(400);

      expect(res.body.errors).toEqual([{ field: 'body', message: expect.stringContaining('not a plain identifier') }]);
      expect(res.text).not.toContain(VISA);
      expect(res.text).not.toContain('123');
    });

    it('still names an unknown key that is a plain identifier', async () => {
      const res = await t.http().post('/v1/products').set(secret()).send({ name: 'x', colour: 'red' }).expect(400);
      expect(res.body.errors).toEqual([{ field: 'colour', message: 'property colour should not exist' }]);
    });

    it('masks a card number sent where an id belongs', async () => {
      const res = await t.http().get(`/v1/payments/${VISA}`).set(secret()).expect(404);
      expect(res.text).not.toContain(VISA);
      expect(res.body.instance).toBe('/v1/payments/****4242');
    });

    it('masks a card number that a rule would repeat', async () => {
      const rules = [{ conditions: [{ field: 'amount', operator: 'between', value: [Number(VISA), 1] }], processors: [{ processor_id: processor }] }];
      const res = await t.http().post('/v1/processor-routes').set(secret()).send({ name: 'r', processors: [{ processor_id: processor }], strategy: 'rule_based', rules });

      expect(res.status).toBe(422);
      expect(res.text).not.toContain(VISA);
    });
  });

  describe('card numbers outside the card field', () => {
    const grouped = VISA.replace(/(\d{4})(?=\d)/g, '$1 ');

    it.each([
      ['a product name', '/v1/products', () => ({ name: `Card ${grouped}` }), 'name'],
      ['a customer email', '/v1/customers', () => ({ email: `${VISA}@example.com` }), 'email'],
      ['a route name', '/v1/processor-routes', () => ({ name: `r-${VISA}`, processors: [{ processor_id: processor }] }), 'name'],
      ['a processor name', '/v1/processors', () => ({ name: `5555-5555-5555-4444`, connector: 'simulator' }), 'name'],
    ])('refuses %s holding a card number with 422 and stores nothing', async (_what, path, body, field) => {
      const res = await t.http().post(path).set(secret()).send(body());
      expect(res.status).toBe(422);
      expect(res.body.errors).toEqual([{ field, message: expect.stringContaining('must not hold a card number') }]);
      expect(res.text).not.toMatch(/4242 ?4242 ?4242 ?4242|5555-5555-5555-4444/);
    });

    it('refuses a card number in a custom field, its key or a success URL of a checkout session', async () => {
      const price = await shop.create('/v1/prices', { product_id: await shop.create('/v1/products', { name: 'p' }), unit_amount: 100, currency: 'USD' });
      const base = { line_items: [{ price_id: price, quantity: 1 }], success_url: 'https://shop.example/ok' };
      for (const [body, field] of [
        [{ ...base, custom_fields: { note: `paid with ${VISA}` } }, 'custom_fields.note'],
        [{ ...base, custom_fields: { [VISA]: 'x' } }, 'custom_fields'],
        [{ ...base, success_url: `https://shop.example/ok?card=${VISA}` }, 'success_url'],
        [{ ...base, success_url: `https://shop.example/ok?card=4242%204242%204242%204242` }, 'success_url'],
      ] as const) {
        const res = await t.http().post('/v1/checkout/sessions').set(secret()).send(body);
        expect({ field, status: res.status, errors: res.body.errors }).toEqual({ field, status: 422, errors: [{ field, message: expect.stringContaining('card number') }] });
        expect(res.text).not.toContain(VISA);
      }
    });

    it('keeps long digit strings that are no card number, such as order numbers', async () => {
      const price = await shop.create('/v1/prices', { product_id: await shop.create('/v1/products', { name: 'p' }), unit_amount: 100, currency: 'USD' });
      const body = { line_items: [{ price_id: price, quantity: 1 }], success_url: 'https://shop.example/ok', custom_fields: { order: '1234567890123456', luhn_but_no_network: '7992739871300' } };
      await t.http().post('/v1/checkout/sessions').set(secret()).send(body).expect(201);
    });
  });

  describe('prototype keys', () => {
    const bodies: [string, string, () => Promise<object>][] = [
      ['customers', '/v1/customers', async () => ({ email: 'ada@example.com' })],
      ['prices', '/v1/prices', async () => ({ product_id: await shop.create('/v1/products', { name: 'p' }), unit_amount: 100, currency: 'USD' })],
      ['coupons', '/v1/coupons', async () => ({ percent_off: 10 })],
      ['processors', '/v1/processors', async () => ({ name: 'p', connector: 'simulator' })],
      ['routes', '/v1/processor-routes', async () => ({ name: 'r', processors: [{ processor_id: processor }] })],
    ];

    it.each(bodies)('refuses a nested `constructor` key on %s with 400 naming its path', async (_kind, path, valid) => {
      const body = await valid();
      const [firstKey] = Object.keys(body);
      const res = await t.http().post(path).set(secret()).send({ ...body, [firstKey]: { constructor: 1 } }).expect(400);
      expect(res.body.errors).toEqual([{ field: `${firstKey}.constructor`, message: 'property constructor should not exist' }]);
    });

    it.each(['__proto__', 'constructor', 'prototype'])('refuses a top-level `%s` key with 400 and creates nothing', async (key) => {
      const before = (await t.http().get('/v1/customers').set(secret()).expect(200)).body.total;
      // Raw text: JSON.stringify of an object literal would turn __proto__ into the prototype, not a key.
      const text = `{"email":"ada@example.com","${key}":{"polluted":true}}`;
      const res = await t.http().post('/v1/customers').set(secret()).type('json').send(text).expect(400);

      expect(res.body.errors).toEqual([{ field: key, message: `property ${key} should not exist` }]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect((await t.http().get('/v1/customers').set(secret()).expect(200)).body.total).toBe(before);
    });

    it('refuses prototype keys at any depth of a PATCH', async () => {
      const res = await t.http().patch(`/v1/processors/${processor}`).set(secret()).type('json').send('{"fees":{"percent":1,"fixed":0,"__proto__":{"x":1}}}').expect(400);
      expect(res.body.errors).toEqual([{ field: 'fees.__proto__', message: 'property __proto__ should not exist' }]);
    });

    it('refuses `__proto__` in a form-encoded checkout session, which qs would drop in silence', async () => {
      const price = await shop.create('/v1/prices', { product_id: await shop.create('/v1/products', { name: 'p' }), unit_amount: 100, currency: 'USD' });
      const form = `line_items[0][price_id]=${price}&line_items[0][quantity]=1&success_url=https://shop.example/ok&__proto__[admin]=1`;
      const res = await t.http().post('/v1/checkout/sessions').set(secret()).type('form').send(form).expect(400);
      expect(res.body.errors).toEqual([{ field: '__proto__', message: 'property __proto__ should not exist' }]);
    });

    it('refuses a body nested deeper than any contract needs with 400, not a stack overflow', async () => {
      const deep = `{"name":"x","connector":"simulator","simulator":${'['.repeat(5000)}${']'.repeat(5000)}}`;
      const res = await t.http().post('/v1/processors').set(secret()).type('json').send(deep).expect(400);
      expect(res.body.errors[0].message).toBe('is nested deeper than 32 levels');
    });
  });

  describe('media types and bodies that are not objects', () => {
    it('answers 415 to a JSON body sent as text/plain', async () => {
      const res = await t.http().post('/v1/products').set(secret()).set('Content-Type', 'text/plain').send('{"name":"x"}').expect(415);
      expect(res.body.detail).toBe('Send the body as application/json, with a Content-Type header saying so.');
    });

    it('answers 415 to a body without a Content-Type', async () => {
      const res = await t.http().post('/v1/products').set(secret()).set('Content-Type', '').send(Buffer.from('{"name":"x"}'));
      expect(res.status).toBe(415);
    });

    it('takes a form body only where the contract does (checkout sessions)', async () => {
      await t.http().post('/v1/products').set(secret()).type('form').send('name=x').expect(415);
      const res = await t.http().patch(`/v1/processors/${processor}`).set(secret()).type('form').send('name=x').expect(415);
      expect(res.headers['accept-patch']).toBe('application/json');
    });

    it('still takes a POST without a body where none is needed', async () => {
      const open = await shop.session([{ amount: 100 }]);
      await t.http().post(`/v1/checkout/sessions/${open}/expire`).set(secret()).expect(200);
    });

    it.each([['null'], ['42'], ['"text"'], ['[1,2]'], ['true']])('answers valid JSON %s that is not an object with "must be a JSON object"', async (json) => {
      const res = await t.http().post('/v1/products').set(secret()).type('json').send(json).expect(400);
      expect(res.body.detail).toBe('The request body must be a JSON object.');
    });
  });

  describe('names and echoed ids', () => {
    it.each([
      ['a NUL', 'Acme\u0000US'],
      ['a line feed', 'Acme\nUS'],
      ['an escape sequence', 'Acme\u001b[31mUS'],
      ['a bidirectional override', 'Acme\u202eSU'],
    ])('refuses a name with %s with 422', async (_what, name) => {
      for (const [path, body] of [
        ['/v1/products', { name }],
        ['/v1/processors', { name, connector: 'simulator' }],
        ['/v1/processor-routes', { name, processors: [{ processor_id: processor }] }],
        ['/v1/customers', { email: 'ada@example.com', name }],
        ['/v1/coupons', { percent_off: 5, name }],
      ] as const) {
        const res = await t.http().post(path).set(secret()).send(body);
        expect({ path, status: res.status, errors: res.body.errors }).toEqual({ path, status: 422, errors: [{ field: 'name', message: 'must not contain control characters' }] });
      }
    });

    it('keeps names with accents, emoji and spaces', async () => {
      await t.http().post('/v1/products').set(secret()).send({ name: 'Zoë’s café ☕ plan' }).expect(201);
    });

    it('cuts a 5,000-character path id to a short prefix in the 404', async () => {
      const id = `pay_stg_${'a'.repeat(5000)}`;
      const res = await t.http().get(`/v1/payments/${id}`).set(secret()).expect(404);
      expect(res.text.length).toBeLessThan(1000);
      expect(res.body.detail).toContain('pay_stg_aaaaaaaaaaaaaaaa…');
      expect(res.body.instance).toBe(`/v1/payments/pay_stg_aaaaaaaaaaaaaaaa…`);
    });
  });
});
