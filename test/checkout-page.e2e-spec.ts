import { APPROVED_CARD, CheckoutShop, DECLINED_CARD, MISTYPED_CARD, cardForm, cardNumberForms } from './support/hosted-checkout';
import { PaymentShop } from './support/payment-shop';
import { TestApp, startTestApp } from './support/test-app';

/** What a browser sends with a form posted from the page itself (fetch metadata). */
const FROM_THE_PAGE = { 'Sec-Fetch-Site': 'same-origin' };
const SUCCESS_URL = 'https://shop.example/thanks?session={CHECKOUT_SESSION_ID}';
const CARDS = [APPROVED_CARD, DECLINED_CARD, MISTYPED_CARD];

/** Every `src`, `href` and `action` of a page. */
const linksOf = (page: string) => [...page.matchAll(/\s(?:src|href|action)="([^"]*)"/g)].map(([, url]) => url);

/**
 * The hosted checkout page over HTTP (API.md "Pages"), as a browser without JavaScript uses it:
 * a GET shows the order and a card form, whose POST pays through the session's secure token only.
 */
describe('the hosted checkout page, GET and POST /checkout/{secure_token}', () => {
  let t: TestApp;
  let merchant: PaymentShop;
  let shop: CheckoutShop;
  /** Everything the service wrote to stdout (its JSON log lines), from start-up on. */
  const logs: string[] = [];
  /** Every page the service answered, headers included, to look for card numbers in. */
  const answers: string[] = [];
  const keep = (res: { text: string; headers: Record<string, string> }) => {
    answers.push(JSON.stringify(res.headers), res.text);
  };
  const page = (path: string) => t.http().get(path).expect(keep);
  const post = (path: string, form: object, headers: Record<string, string> = FROM_THE_PAGE) => t.http().post(path).set(headers).type('form').send(form).expect(keep);

  let capture: jest.SpyInstance;

  beforeAll(async () => {
    capture = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logs.push(chunk.toString());
      return true;
    });
    t = await startTestApp({ LOG_LEVEL: 'info' });
    merchant = await PaymentShop.open(t);
    shop = await CheckoutShop.open(merchant);
  });
  afterAll(async () => {
    await t.close();
    capture.mockRestore();
  });

  it('shows the line items, the total, a card form posting to itself and a Cancel link to return_url', async () => {
    const checkout = await shop.checkout();
    expect(checkout.url).toMatch(/^http:\/\/localhost:3000\/checkout\/cs_stg_\w+$/);
    const res = await page(checkout.path).expect(200).expect('Content-Type', 'text/html; charset=utf-8');
    expect(res.text).toContain('<title>Pay Test Shop – $49.00</title>');
    expect(res.text).toMatch(/<li><span>Plan <span class="quantity">× 1<\/span><\/span><span class="amount">\$49\.00<\/span><\/li>/);
    expect(res.text).toContain('<dt class="grand">Total due</dt><dd class="amount grand">$49.00</dd>');
    expect(res.text).toContain(`<form method="post" action="${checkout.path}"`);
    for (const [id, name] of [['card-number', 'card_number'], ['card-exp', 'card_exp'], ['card-cvc', 'card_cvc']]) {
      expect(res.text).toMatch(new RegExp(`<label for="${id}">`));
      expect(res.text).toMatch(new RegExp(`<input id="${id}" name="${name}" `));
    }
    expect(res.text).toContain('<a class="cancel" href="https://shop.example/cart">Cancel and return to Test Shop</a>');
  });

  it('holds no API token: the secure token in its address is the only access', async () => {
    const res = await page((await shop.checkout()).path).expect(200);
    expect(res.text).not.toContain(merchant.account.secret);
    expect(res.text).not.toContain(merchant.account.publishable);
    expect(res.text).not.toMatch(/\b(st|pt)_stg_/);
  });

  it('shows the first tier of a cascade, with its discount', async () => {
    const coupon = await merchant.create('/v1/coupons', { percent_off: 10 });
    const product = await merchant.create('/v1/products', { name: 'Premium' });
    const premium = await merchant.create('/v1/prices', { product_id: product, unit_amount: 2000, currency: 'EUR' });
    const basic = await merchant.create('/v1/prices', { product_id: product, unit_amount: 900, currency: 'EUR' });
    const checkout = await shop.checkout({ line_items: [{ price_id: premium, quantity: 3 }], cascade_line_items: [{ line_items: [{ price_id: basic, quantity: 1 }] }], coupon_id: coupon });
    const res = await page(checkout.path).expect(200);
    expect(res.text).toContain('Premium <span class="quantity">× 3</span></span><span class="amount">€60.00</span>');
    expect(res.text).toContain('<dt>Discount</dt><dd class="amount">−€6.00</dd>');
    expect(res.text).toContain('<dd class="amount grand">€54.00</dd>');
    expect(res.text).not.toContain('€9.00');
  });

  it('escapes what the merchant typed: a product name is text, never markup', async () => {
    const product = await merchant.create('/v1/products', { name: '<img src=x onerror=alert(1)>"' });
    const price = await merchant.create('/v1/prices', { product_id: product, unit_amount: 100, currency: 'USD' });
    const res = await page((await shop.checkout({ line_items: [{ price_id: price, quantity: 1 }] })).path).expect(200);
    expect(res.text).toContain('&lt;img src=x onerror=alert(1)&gt;&quot;');
    expect(res.text).not.toContain('<img');
  });

  it('answers with a strict Content-Security-Policy and loads nothing from another host', async () => {
    const res = await page((await shop.checkout({ success_url: SUCCESS_URL })).path).expect(200);
    expect(res.headers['content-security-policy']).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self' https://shop.example",
    );
    expect(res.headers).toMatchObject({ 'cache-control': 'no-store', 'x-frame-options': 'DENY', 'referrer-policy': 'same-origin', 'x-content-type-options': 'nosniff' });
    // No inline script or style for the policy to refuse: every script and stylesheet is a file of this service.
    expect(res.text).not.toMatch(/<style|\sstyle=|\son[a-z]+=|<script(?![^>]*\ssrc="\/assets\/)/);
    const links = linksOf(res.text);
    expect(links.filter((url) => !url.startsWith('/'))).toEqual(['https://shop.example/cart']);
    const assets = links.filter((url) => url.startsWith('/assets/'));
    expect(assets).toHaveLength(3);
    for (const asset of assets) {
      // As bytes: superagent reads an SVG as no text.
      const file = await t.http().get(asset).responseType('arraybuffer').expect(200);
      expect(file.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      // A stylesheet, script or icon that names another host would make the browser ask it (an SVG's namespace is a name, not a request).
      expect((file.body as Buffer).length).toBeGreaterThan(100);
      const body = (file.body as Buffer).toString('utf8').replace('xmlns="http://www.w3.org/2000/svg"', '');
      expect([asset, body.match(/https?:\/\/|@import|url\((?!["']?data:)/g)]).toEqual([asset, null]);
    }
  });

  it('pays without JavaScript: the form POST redirects to success_url with the session id in it', async () => {
    const checkout = await shop.checkout({ success_url: SUCCESS_URL });
    const res = await post(checkout.path, cardForm(APPROVED_CARD)).expect(303);
    expect(res.headers.location).toBe(`https://shop.example/thanks?session=${checkout.sessionId}`);
    expect(await shop.session(checkout.sessionId)).toMatchObject({ status: 'complete', payment_status: 'paid' });
    expect(await shop.payments(checkout.sessionId)).toMatchObject([{ status: 'succeeded', amount: 4900, source: { last4: '4444' } }]);
  });

  it('says a declined card was declined, keeps the session open, and takes another card', async () => {
    const checkout = await shop.checkout({ success_url: SUCCESS_URL });
    const declined = await post(checkout.path, cardForm(DECLINED_CARD)).expect(402);
    expect(declined.text).toContain('<title>Error: Pay Test Shop – $49.00</title>');
    expect(declined.text).toContain('<h2 id="error-summary-title">Your payment did not go through</h2>\n<p>The card was declined.</p>');
    expect(declined.text).toContain('<a href="#card-number">pay with another card</a>');
    // The form again, the expiry as typed, the card number and security code not.
    expect(declined.text).toContain(`<form method="post" action="${checkout.path}"`);
    expect(declined.text).toMatch(/<input id="card-exp" [^>]* value="12\/40"/);
    expect(declined.text).not.toMatch(/<input id="card-(number|cvc)" [^>]* value=/);
    expect(await shop.session(checkout.sessionId)).toMatchObject({ status: 'open', payment_status: 'unpaid' });

    await post(checkout.path, cardForm(APPROVED_CARD)).expect(303);
    expect((await shop.payments(checkout.sessionId)).map((payment) => payment.status)).toEqual(['succeeded', 'failed']);
  });

  it('names each field to correct, with nothing paid, when the form is empty or the card number mistyped', async () => {
    const checkout = await shop.checkout();
    const empty = await post(checkout.path, {}).expect(422);
    expect(empty.text).toContain('<h2 id="error-summary-title">There is a problem with the card details</h2>');
    for (const [id, message] of [['card-number', 'Enter the card number'], ['card-exp', 'Enter the expiry date'], ['card-cvc', 'Enter the security code']]) {
      expect(empty.text).toContain(`<li><a href="#${id}">${message}</a></li>`);
      expect(empty.text).toMatch(new RegExp(`<input id="${id}" [^>]*aria-describedby="${id}-hint ${id}-error" aria-invalid="true">`));
    }
    const mistyped = await post(checkout.path, cardForm(MISTYPED_CARD)).expect(422);
    expect(mistyped.text).toContain('<li><a href="#card-number">Check the card number: it is not a valid card number</a></li>');
    expect(await shop.payments(checkout.sessionId)).toEqual([]);
  });

  it('refuses a form posted from another site, and pays nothing', async () => {
    const checkout = await shop.checkout();
    await post(checkout.path, cardForm(APPROVED_CARD), { 'Sec-Fetch-Site': 'cross-site' }).expect(403);
    await post(checkout.path, cardForm(APPROVED_CARD), { Origin: 'https://evil.example' }).expect(403);
    await post(checkout.path, cardForm(APPROVED_CARD), {}).expect(403);
    expect(await shop.payments(checkout.sessionId)).toEqual([]);
    // A browser without fetch metadata says where the form came from: this service, as PUBLIC_URL names it.
    await post(checkout.path, cardForm(APPROVED_CARD), { Origin: 'http://localhost:3000' }).expect(303);
  });

  it('takes the form only form-encoded', async () => {
    const checkout = await shop.checkout();
    const res = await t.http().post(checkout.path).set(FROM_THE_PAGE).send(cardForm(APPROVED_CARD)).expect(keep).expect(415);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(await shop.payments(checkout.sessionId)).toEqual([]);
  });

  it('pays once when the form is sent twice at the same time', async () => {
    const checkout = await shop.checkout();
    const statuses = await Promise.all([post(checkout.path, cardForm(APPROVED_CARD)), post(checkout.path, cardForm(APPROVED_CARD))]).then((all) => all.map((res) => res.status));
    expect(statuses.sort()).toEqual([303, 409]);
    expect(await shop.payments(checkout.sessionId)).toHaveLength(1);
  });

  it('says a paid session is paid (409), with a link on to the shop, and does not charge again', async () => {
    const checkout = await shop.checkout({ success_url: SUCCESS_URL });
    await post(checkout.path, cardForm(APPROVED_CARD)).expect(303);
    const shown = await page(checkout.path).expect(409).expect('Content-Type', 'text/html; charset=utf-8');
    expect(shown.text).toContain('<h1>This order is already paid</h1>');
    expect(shown.text).toContain(`<a href="https://shop.example/thanks?session=${checkout.sessionId}">Continue to the shop</a>`);
    await post(checkout.path, cardForm(APPROVED_CARD)).expect(409);
    expect(await shop.payments(checkout.sessionId)).toHaveLength(1);
  });

  it('says an expired session has expired (410), with the way back to the shop, and takes no payment', async () => {
    const checkout = await shop.checkout();
    await shop.expire(checkout.sessionId);
    const shown = await page(checkout.path).expect(410);
    expect(shown.text).toContain('<h1>This checkout has expired</h1>');
    expect(shown.text).toContain('<a href="https://shop.example/cart">Return to the shop</a>');
    expect(shown.text).not.toContain('<form');
    await post(checkout.path, cardForm(APPROVED_CARD)).expect(410);
    expect(await shop.payments(checkout.sessionId)).toEqual([]);
  });

  it('answers an unknown or altered link with a 404 page', async () => {
    const { path, sessionId } = await shop.checkout();
    for (const unknown of ['/checkout/cs_stg_nothing', `/checkout/${sessionId}`, `${path.slice(0, -1)}${path.endsWith('0') ? '1' : '0'}`]) {
      const res = await page(unknown).expect(404).expect('Content-Type', 'text/html; charset=utf-8');
      expect(res.text).toContain('<h1>Page not found</h1>');
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      await post(unknown, cardForm(APPROVED_CARD)).expect(404);
    }
    expect(await shop.payments(sessionId)).toEqual([]);
  });

  // Last: it looks through the answers and log lines of every test above as well.
  it('never puts a card number into an answer or a log line, and logs no form body', async () => {
    const checkout = await shop.checkout();
    for (const card of [MISTYPED_CARD, DECLINED_CARD, APPROVED_CARD]) await post(checkout.path, cardForm(card));
    const posts = logs.filter((line) => line.includes('"method":"POST"') && line.includes('"url":"/checkout/'));
    expect(posts.length).toBeGreaterThanOrEqual(3);
    const leaks = CARDS.flatMap(cardNumberForms).filter((number) => answers.some((text) => text.includes(number)) || logs.some((line) => line.includes(number)));
    expect(leaks).toEqual([]);
    // Not even masked: the request log never holds a body, so no field of the card form appears in it.
    expect(logs.filter((line) => /card_(number|exp|cvc)|"body"/.test(line))).toEqual([]);
  });
});

describe('the hosted checkout page while a slow processor works (short PAY_WAIT_MS)', () => {
  let t: TestApp;
  afterAll(() => t.close());

  it('says the payment is being processed, looks again by itself, and then says it is paid', async () => {
    t = await startTestApp({ PAY_WAIT_MS: '50' });
    const merchant = await PaymentShop.open(t);
    const route = await merchant.route([await merchant.processor('Slow', { simulator: { latency_ms: 600 } })]);
    const sessionId = await merchant.session([{ amount: 4900 }], route);
    const { url } = (await merchant.get(`/v1/checkout/sessions/${sessionId}`).expect(200)).body;
    const path = new URL(url).pathname;

    const processing = await t.http().post(path).set(FROM_THE_PAGE).type('form').send(cardForm(APPROVED_CARD)).expect(202);
    expect(processing.text).toContain('<h1>Your payment is being processed</h1>');
    expect(processing.text).toContain('<meta http-equiv="refresh" content="3">');
    // Meanwhile, the page offers no second payment.
    const meanwhile = await t.http().get(path);
    expect([409, meanwhile.text.includes('<form')]).toEqual([meanwhile.status, false]);

    const deadline = Date.now() + 5000;
    let page = meanwhile;
    while (!page.text.includes('This order is already paid') && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      page = await t.http().get(path);
    }
    expect([page.status, page.text]).toEqual([409, expect.stringContaining('<h1>This order is already paid</h1>')]);
  });
});
