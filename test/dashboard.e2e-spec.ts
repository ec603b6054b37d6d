import { request as httpRequest } from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { openDashboardShop, until } from './support/dashboard-shop';
import { PaymentShop } from './support/payment-shop';
import { TestApp, bearer, startTestApp } from './support/test-app';
import { WebhookReceiver } from './support/webhook-receiver';

/** The dashboard as PUBLIC_URL names it: forms must come from this origin. */
const ORIGIN = 'http://dashboard.test';
const SAME_ORIGIN = { Origin: ORIGIN };

/** The first event block of GET /dashboard/events?after=0 with the cookie, read on a plain socket (the stream never ends by itself). */
async function firstEventBlock(t: TestApp, cookie: string): Promise<string> {
  const server = t.app.getHttpServer();
  if (!server.listening) await t.app.listen(0, '127.0.0.1');
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: '127.0.0.1', port, path: '/dashboard/events?after=0', headers: { Cookie: cookie, Accept: 'text/event-stream' } }, (response) => {
      if (!/^text\/event-stream/.test(response.headers['content-type'] ?? '')) reject(new Error(`answered ${response.statusCode} ${response.headers['content-type']}`));
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
        const block = text.split('\n\n').find((candidate) => candidate.startsWith('id: '));
        if (block === undefined) return;
        response.destroy();
        resolve(block);
      });
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** The `name=value` of a Set-Cookie header, to send back as a browser would. */
const cookieOf = (setCookie: string) => setCookie.split(';', 1)[0];

function setCookieOf(res: request.Response): string {
  const header = res.headers['set-cookie'] as unknown as string[] | undefined;
  if (!header?.length) throw new Error('no Set-Cookie');
  return header[0];
}

describe('operator dashboard over HTTP', () => {
  let t: TestApp;
  let shop: PaymentShop;
  let cascaded: string;
  let refunded: string;
  let other: PaymentShop;
  let otherPayment: string;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    t = await startTestApp({ PUBLIC_URL: ORIGIN });
    receiver = await WebhookReceiver.start();
    ({ shop, cascaded, refunded } = await openDashboardShop(t, { webhookUrl: receiver.url }));
    other = await PaymentShop.open(t);
    const route = await other.route([await other.processor('Other Bank')]);
    otherPayment = (await other.pay(await other.session([{ amount: 500 }], route)).expect(201)).body.id;
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  const signIn = (token: string, headers: Record<string, string> = SAME_ORIGIN) => t.http().post('/dashboard/sign-in').set(headers).type('form').send({ token });
  const signedIn = async (token = shop.account.secret) => cookieOf(setCookieOf(await signIn(token).expect(303)));

  it('shows the sign-in form, and sends every other page to it, to a browser without a session', async () => {
    const page = await t.http().get('/dashboard').expect(200).expect('Content-Type', /text\/html/);
    expect(page.text).toContain('<form method="post" action="/dashboard/sign-in"');
    expect(page.text).toContain('type="password"');
    for (const path of ['/dashboard/routes', '/dashboard/processors', '/dashboard/webhooks', `/dashboard/payments/${cascaded}`]) {
      await t.http().get(path).expect(303).expect('Location', '/dashboard');
    }
    await t.http().get('/dashboard/events').expect(401);
  });

  it('signs in with the secret token into an HttpOnly, SameSite=Strict cookie that does not hold the token', async () => {
    const res = await signIn(shop.account.secret).expect(303).expect('Location', '/dashboard');
    const setCookie = setCookieOf(res);
    expect(setCookie).toMatch(/^dashboard=v1\./);
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; SameSite=Strict/);
    expect(setCookie).toMatch(/; Path=\//);
    expect(setCookie).not.toContain(shop.account.secret);
    expect(setCookie).not.toContain(shop.account.secret.split('_').pop());
    const page = await t.http().get('/dashboard').set('Cookie', cookieOf(setCookie)).expect(200);
    expect(page.text).toContain('Sign out');
    expect(page.text).not.toContain(shop.account.secret);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['cache-control']).toBe('no-store');
  });

  it('marks the cookie Secure with the __Host- prefix when the service is reached over https', async () => {
    const https = await startTestApp({ PUBLIC_URL: 'https://dashboard.test' });
    try {
      const account = await https.http().post('/v1/accounts').set(bearer('admin_test_token_0123456789')).send({ name: 'Secure Shop' }).expect(201);
      const res = await https.http().post('/dashboard/sign-in').set({ Origin: 'https://dashboard.test' }).type('form').send({ token: account.body.secret_token }).expect(303);
      expect(setCookieOf(res)).toMatch(/^__Host-dashboard=v1\.[^;]+; Path=\/; .*HttpOnly; SameSite=Strict; Secure$/);
    } finally {
      await https.close();
    }
  });

  it('refuses a wrong token, a publishable token and an empty form with a page that says so and no cookie', async () => {
    for (const [token, words] of [
      ['st_stg_notarealtoken000000000000', 'This token is not valid'],
      [shop.account.publishable, 'This is not a secret token'],
      ['', 'Enter the secret token'],
    ]) {
      const res = await signIn(token).expect(401);
      expect(res.headers['set-cookie']).toBeUndefined();
      expect(res.text).toContain(words);
      expect(res.text).toContain('<title>Error: ');
    }
  });

  it('refuses a sign-in form posted from another site, or without saying where it came from (CSRF)', async () => {
    const foreign: Array<Record<string, string>> = [{ Origin: 'https://evil.example' }, { 'Sec-Fetch-Site': 'cross-site' }, { 'Sec-Fetch-Site': 'same-site', Origin: ORIGIN }, {}];
    for (const headers of foreign) {
      const res = await signIn(shop.account.secret, headers).expect(403);
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    await signIn(shop.account.secret, { 'Sec-Fetch-Site': 'same-origin' }).expect(303);
  });

  it('signs out only from its own form, with a cookie that expires at once', async () => {
    const cookie = await signedIn();
    await t.http().post('/dashboard/sign-out').set('Cookie', cookie).set('Sec-Fetch-Site', 'cross-site').expect(403);
    const res = await t.http().post('/dashboard/sign-out').set('Cookie', cookie).set(SAME_ORIGIN).expect(303).expect('Location', '/dashboard');
    expect(setCookieOf(res)).toMatch(/^dashboard=; Path=\/; Max-Age=0; HttpOnly; SameSite=Strict/);
  });

  it('reads a cookie it did not sign as no session', async () => {
    const cookie = await signedIn();
    const [name, value] = cookie.split('=');
    const forged = `${name}=${value.replace(shop.account.id, other.account.id)}`;
    const res = await t.http().get('/dashboard').set('Cookie', forged).expect(200);
    expect(res.text).toContain('Sign in to the payments dashboard');
    await t.http().get(`/dashboard/payments/${otherPayment}`).set('Cookie', forged).expect(303);
  });

  it("lists the account's payments and never another account's", async () => {
    const cookie = await signedIn();
    const list = await t.http().get('/dashboard').set('Cookie', cookie).expect(200);
    expect(list.text).toContain(cascaded);
    expect(list.text).toContain(refunded);
    expect(list.text).not.toContain(otherPayment);
    const page = await t.http().get(`/dashboard/payments/${otherPayment}`).set('Cookie', cookie).expect(404);
    expect(page.text).toContain('Page not found');
    expect(page.text).not.toContain('Other Bank');
  });

  it("shows a payment's cascade: the skip, the unknown answer and how it was resolved, the decline, the approval", async () => {
    const cookie = await signedIn();
    const { text } = await t.http().get(`/dashboard/payments/${cascaded}`).set('Cookie', cookie).expect(200);
    expect(text).toContain('Euro Acquirer: skipped');
    expect(text).toContain('it does not take the currency');
    expect(text).toContain('Slow Bank: no answer in time (unknown outcome)');
    expect(text).toContain('the processor says it approved the call');
    expect(text).toContain('Late approval undone');
    expect(text).toContain('Decline Pay: declined');
    expect(text).toContain('code 05');
    expect(text).toContain('Acme Payments: approved');
    expect(text).toContain('Payment succeeded');
  });

  it('shows a failed tier, the next tier, the capture and the refund of a payment', async () => {
    const cookie = await signedIn();
    const { text } = await t.http().get(`/dashboard/payments/${refunded}`).set('Cookie', cookie).expect(200);
    expect(text).toContain('Tier 0 failed');
    expect(text).toContain('Tier 1 · $79.00');
    expect(text).toContain('Authorized: waiting for capture');
    expect(text).toContain('Captured');
    expect(text).toContain('Refunded');
    expect(text).toContain('$20.00');
  });

  it('shows routes with the sessions and defaults that reference them', async () => {
    const cookie = await signedIn();
    const main = (await shop.get('/v1/processor-routes').expect(200)).body.items.find((route: { name: string }) => route.name === 'Main');
    await shop.session([{ amount: 100 }], main.id);
    const { text } = await t.http().get('/dashboard/routes').set('Cookie', cookie).expect(200);
    const row = text.slice(text.indexOf(main.id), text.indexOf('</tr>', text.indexOf(main.id)));
    expect(row).toContain('1 open checkout session');
    expect(text).toContain('nothing: it can be deleted');
  });

  it("shows each processor's numbers beside the charts' data, with the chart library served by the service", async () => {
    const cookie = await signedIn();
    const { text } = await t.http().get('/dashboard/processors').set('Cookie', cookie).expect(200);
    expect(text).toContain('<canvas id="approval-chart"');
    expect(text).toContain('<canvas id="latency-chart"');
    const data = JSON.parse(/<script type="application\/json" id="processors-chart-data">(.*?)<\/script>/.exec(text)![1]);
    expect(data.labels).toEqual(expect.arrayContaining(['Acme Payments', 'Decline Pay']));
    expect(data.approvalRate[data.labels.indexOf('Decline Pay')]).toBe(0);
    expect(data.approvalRate[data.labels.indexOf('Acme Payments')]).toBe(100);
    const chartPath = /<script src="(\/assets\/chart\.[0-9a-f]{12}\.js)" defer><\/script>/.exec(text)![1];
    const library = await t.http().get(chartPath).expect(200).expect('Content-Type', /javascript/);
    expect(library.text).toContain('Chart');
  });

  it("shows each webhook endpoint's latest deliveries and how they went", async () => {
    const cookie = await signedIn();
    // A try is recorded after the receiver has answered it: wait until the page shows one.
    const text = await until('a delivery is recorded', async () => {
      const page = await t.http().get('/dashboard/webhooks').set('Cookie', cookie).expect(200);
      return page.text.includes('refund.succeeded') && page.text.includes('HTTP 200') ? page.text : undefined;
    });
    expect(text).toContain(receiver.url);
    expect(text).toContain('refund.succeeded');
    expect(text).toContain('HTTP 200');
  });

  it('streams the account’s events to the dashboard by cookie only; the cookie opens nothing of the API', async () => {
    const cookie = await signedIn();
    await t.http().get('/v1/events/stream').set('Cookie', cookie).expect(401);
    await t.http().get('/v1/payments').set('Cookie', cookie).expect(401);
    await t.http().get('/dashboard/events').set(bearer(shop.account.secret)).expect(401);
    const firstBlock = await firstEventBlock(t, cookie);
    const data = JSON.parse(/^data: (.*)$/m.exec(firstBlock)![1]);
    expect(/^event: (.*)$/m.exec(firstBlock)![1]).toBe('message');
    expect(data.metadata.account_id).toBe(shop.account.id);
  });
});
