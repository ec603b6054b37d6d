import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PaymentShop, card } from './support/payment-shop';
import { TestApp, bearer, startTestApp } from './support/test-app';
import { TestDatabase, createTestDatabase, describeWithPostgres } from './support/test-postgres';

/**
 * Issue 13 item 2: the public ways to pay (the hosted page, publishable tokens) are where card
 * testers come. A session takes SESSION_MAX_FAILED_PAYMENTS (10) failed payments, then 429 for
 * good; a card and a client address take a few failed payments an hour, then 429 with
 * Retry-After; nothing refused reaches a processor; /metrics and the dashboard count refusals.
 * TRUST_PROXY=loopback lets each test speak from an address of its own in X-Forwarded-For.
 */
const CARD_LIMIT = 3;
const ADDRESS_LIMIT = 5;
const TOO_MANY = 'https://docs.payments.example/errors/too-many-failed-payments';
const FROM_THE_PAGE = { 'Sec-Fetch-Site': 'same-origin' };

/** A Visa number that passes the Luhn check, different for each `seed`: the declining processor declines it. */
function cardNumber(seed: number): string {
  const body = `4111${String(seed).padStart(11, '0')}`;
  const sum = [...body].reverse().reduce((total, char, index) => {
    const digit = Number(char) * (index % 2 === 0 ? 2 : 1);
    return total + (digit > 9 ? digit - 9 : digit);
  }, 0);
  return body + String((10 - (sum % 10)) % 10);
}

let seed = 0;
const freshCard = () => cardNumber(++seed);

describe.each([
  ['SQLite', false],
  ['Redis', true],
])('card testing limits, on %s', (_name, redis) => cardTestingLimits({ redis, sharedCounters: false }));

describeWithPostgres('card testing limits, on PostgreSQL (POSTGRES_URL without REDIS_URL)', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  // A shared store wants the keys every process of the deployment shares.
  const keys = { CARD_FINGERPRINT_SECRET: 'e2e-fingerprint-secret-0123', SECRETS_KEY: randomBytes(32).toString('base64') };
  cardTestingLimits({ redis: false, sharedCounters: true, env: () => ({ POSTGRES_URL: database.url, ...keys }) });
});

/**
 * The limits as a client meets them, on one store. `sharedCounters`: the failed payments per card
 * are kept where a second process on the same store counts them too (startTestApp's Redis gives
 * each app a key prefix of its own, so only PostgreSQL's are shared between two test apps here).
 */
function cardTestingLimits({ redis, sharedCounters, env = () => ({}) }: { redis: boolean; sharedCounters: boolean; env?: () => Record<string, string> }): void {
  let t: TestApp;
  let shop: PaymentShop;
  let route: string;
  let decliner: string;

  let dataDir: string;

  beforeAll(async () => {
    // Its own, so that the restart below finds the same event store.
    dataDir = mkdtempSync(join(tmpdir(), 'payments-card-testing-'));
    t = await startTestApp(limits(), { redis, dataDir });
    shop = await PaymentShop.open(t);
    decliner = await shop.processor('Decliner', { simulator: { outcome: 'decline', decline_code: '05' } });
    route = await shop.route([decliner]);
  });
  afterAll(async () => {
    await t.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const limits = () => ({ CARD_FAILED_PAYMENTS_PER_HOUR: String(CARD_LIMIT), ADDRESS_FAILED_PAYMENTS_PER_HOUR: String(ADDRESS_LIMIT), TRUST_PROXY: 'loopback', ...env() });
  const session = () => shop.session([{ amount: 4900 }], route, { return_url: 'https://shop.example/cart' });
  const publicPay = (sessionId: string, number: string, address: string) => shop.pay(sessionId, { payment_method: card(number) }, shop.account.publishable).set('X-Forwarded-For', address);
  const declinedCalls = async () => {
    const metrics = (await t.http().get('/metrics').expect(200)).text;
    const line = metrics.split('\n').find((l) => l.startsWith(`processor_outcomes_total{processor_id="${decliner}",outcome="declined"}`));
    return Number(line?.split(' ')[1] ?? 0);
  };
  const hostedPath = async (sessionId: string) => new URL((await shop.get(`/v1/checkout/sessions/${sessionId}`).expect(200)).body.url).pathname;

  it('takes 10 failed payments on a session, then refuses the 11th with 429 for good, sending nothing to the processor', async () => {
    const sessionId = await session();
    const number = freshCard();
    for (let i = 0; i < 10; i++) expect((await shop.pay(sessionId, { payment_method: card(number) }).expect(201)).body.status).toBe('failed');
    const callsBefore = await declinedCalls();

    const refused = await shop.pay(sessionId, { payment_method: card(number) }).expect(429);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.body).toMatchObject({ type: TOO_MANY, status: 429, title: 'Too many failed payments' });
    expect(refused.body.detail).toMatch(/10 failed payments.*new checkout session/);
    // Waiting does not help: no Retry-After.
    expect(refused.headers['retry-after']).toBeUndefined();

    expect((await shop.get(`/v1/payments?checkout_session_id=${sessionId}`).expect(200)).body.total).toBe(10);
    expect(await declinedCalls()).toBe(callsBefore);
    // The session is still open, and the hosted page says it takes no more.
    expect((await shop.get(`/v1/checkout/sessions/${sessionId}`).expect(200)).body.status).toBe('open');
    const page = await t.http().get(await hostedPath(sessionId)).expect(429);
    expect(page.text).toContain('Too many payments failed on this checkout');
    expect(page.text).toContain('https://shop.example/cart');
    // Its form, posted anyway, is refused by the session's own count too.
    const posted = await t.http().post(await hostedPath(sessionId)).set(FROM_THE_PAGE).type('form').send({ card_number: freshCard(), card_exp: '12/40', card_cvc: '123' }).expect(429);
    expect(posted.text).toContain('Too many payments failed on this checkout');
  });

  it('limits failed payments of one card across sessions and addresses, with Retry-After', async () => {
    const number = freshCard();
    for (let i = 0; i < CARD_LIMIT; i++) expect((await publicPay(await session(), number, `198.51.100.${i + 1}`).expect(201)).body.status).toBe('failed');
    const callsBefore = await declinedCalls();

    const refused = await publicPay(await session(), number, '198.51.100.9').expect(429);
    expect(refused.body).toMatchObject({ type: TOO_MANY, status: 429 });
    expect(refused.body.detail).toMatch(/with this card/);
    expect(refused.body.detail).not.toContain(number);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(await declinedCalls()).toBe(callsBefore);

    // Another card from the same address is not refused; a secret-token pay (the merchant's server) has no card limit.
    expect((await publicPay(await session(), freshCard(), '198.51.100.9').expect(201)).body.status).toBe('failed');
    expect((await shop.pay(await session(), { payment_method: card(number) }).expect(201)).body.status).toBe('failed');
  });

  it('limits failed payments from one client address, on the API and on the hosted page', async () => {
    const address = '203.0.113.7';
    for (let i = 0; i < ADDRESS_LIMIT; i++) expect((await publicPay(await session(), freshCard(), address).expect(201)).body.status).toBe('failed');
    const callsBefore = await declinedCalls();

    const refused = await publicPay(await session(), freshCard(), address).expect(429);
    expect(refused.body).toMatchObject({ type: TOO_MANY, status: 429 });
    expect(refused.body.detail).toMatch(/from this address/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);

    const path = await hostedPath(await session());
    const page = await t.http().post(path).set({ ...FROM_THE_PAGE, 'X-Forwarded-For': address }).type('form').send({ card_number: freshCard(), card_exp: '12/40', card_cvc: '123' }).expect(429);
    expect(page.headers['content-type']).toContain('text/html');
    expect(Number(page.headers['retry-after'])).toBeGreaterThan(0);
    expect(page.text).toContain('Too many payments from your connection failed');
    expect(await declinedCalls()).toBe(callsBefore);

    // Another address is not refused.
    expect((await publicPay(await session(), freshCard(), '203.0.113.8').expect(201)).body.status).toBe('failed');
  });

  it('counts every refusal in /metrics and on the dashboard, by the limit reached', async () => {
    const metrics = (await t.http().get('/metrics').expect(200)).text;
    expect(metrics).toContain('card_testing_refusals_total{reason="session"} 2');
    expect(metrics).toContain('card_testing_refusals_total{reason="fingerprint"} 1');
    expect(metrics).toContain('card_testing_refusals_total{reason="address"} 2');

    const signIn = await t.http().post('/dashboard/sign-in').set(FROM_THE_PAGE).type('form').send({ token: shop.account.secret }).expect(303);
    const dashboard = await t.http().get('/dashboard').set('Cookie', signIn.headers['set-cookie']).expect(200);
    expect(dashboard.text).toContain('Card-testing refusals');
    expect(dashboard.text).toContain('<dd data-refusals="session">2</dd>');
    expect(dashboard.text).toContain('<dd data-refusals="fingerprint">1</dd>');
    expect(dashboard.text).toContain('<dd data-refusals="address">2</dd>');
  });

  if (sharedCounters) {
    it('refuses in a second process a card that reached its limit in the first: every process counts in the same place', async () => {
      const number = freshCard();
      for (let i = 0; i < CARD_LIMIT; i++) expect((await publicPay(await session(), number, `192.0.2.${i + 1}`).expect(201)).body.status).toBe('failed');
      const next = await session();

      const second = await startTestApp(limits(), { redis, dataDir });
      try {
        const refused = await second
          .http()
          .post(`/v1/checkout/sessions/${next}/pay`)
          .set(bearer(shop.account.publishable))
          .set('X-Forwarded-For', '192.0.2.9')
          .send({ payment_method: card(number) })
          .expect(429);
        expect(refused.body.detail).toMatch(/with this card/);
      } finally {
        await second.close();
      }
    });
  }

  it("still refuses a session's 11th payment after a restart: the count is the session's events", async () => {
    const sessionId = await session();
    for (let i = 0; i < 10; i++) await shop.pay(sessionId, { payment_method: card(freshCard()) }).expect(201);
    await t.close();
    t = await startTestApp(env(), { redis, dataDir });
    await t.http().post(`/v1/checkout/sessions/${sessionId}/pay`).set(bearer(shop.account.secret)).send({ payment_method: card(freshCard()) }).expect(429);
  });

}
