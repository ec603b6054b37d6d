// The functions given to page.evaluate run in the browser, and are type-checked against its DOM.
/// <reference lib="dom" />
import { Page } from 'playwright-core';
import { PageWatch, TestBrowser, describeInBrowser, launchBrowser, startListeningApp, watchPage } from '../support/browser';
import { DashboardPayments, openDashboardShop } from '../support/dashboard-shop';
import { TestApp } from '../support/test-app';
import { WebhookReceiver } from '../support/webhook-receiver';

/**
 * The operator dashboard (API.md "Pages") in Debian's Chromium, against the service listening on
 * a port of its own, as an operator uses it: sign in with the keyboard, follow a payment's
 * cascade, look at the processors' charts, watch a payment arrive live, sign out. Every page is
 * watched: it must ask nothing of any host but the service and log no error (a
 * Content-Security-Policy refusal is one).
 */
describeInBrowser('the operator dashboard in a browser', () => {
  let t: TestApp;
  let service: string;
  let receiver: WebhookReceiver;
  let payments: DashboardPayments;
  let browser: TestBrowser;
  let page: Page;
  const watches: Array<{ name: string; watch: PageWatch }> = [];

  beforeAll(async () => {
    ({ t, service } = await startListeningApp());
    receiver = await WebhookReceiver.start();
    payments = await openDashboardShop(t, { webhookUrl: receiver.url });
    browser = await launchBrowser();
    page = await open('operator');
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await receiver?.close();
  });

  async function open(name: string, options: Parameters<TestBrowser['page']>[0] = {}): Promise<Page> {
    const opened = await browser.page(options);
    watches.push({ name, watch: watchPage(opened) });
    return opened;
  }

  const secret = () => payments.shop.account.secret;
  const liveState = (on: Page) => on.locator('#live-state');

  it('refuses a wrong token with the message focused, and sets no cookie', async () => {
    const stranger = await open('wrong token');
    await stranger.goto(`${service}/dashboard`);
    await stranger.getByLabel('Secret token').fill('st_stg_thisisnotatokenofanyaccount');
    const [response] = await Promise.all([stranger.waitForResponse(`${service}/dashboard/sign-in`), stranger.getByRole('button', { name: 'Sign in' }).click()]);
    expect(response.status()).toBe(401);
    await expect(stranger.getByRole('alert').textContent()).resolves.toContain('This token is not valid');
    await expect(stranger.evaluate(() => document.activeElement?.id)).resolves.toBe('error-summary');
    expect(await stranger.context().cookies()).toEqual([]);
    expect(await stranger.title()).toMatch(/^Error: /);
    await browser.screenshot(stranger, 'dashboard-wrong-token');
  });

  it('signs in with the keyboard only into an HttpOnly, SameSite=Strict cookie no script can read', async () => {
    await page.goto(`${service}/dashboard`);
    await browser.screenshot(page, 'dashboard-sign-in');
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('token');
    await page.keyboard.type(secret());
    // The sign-in form is at /dashboard too, so the address says nothing: wait for the page after it.
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Payments', exact: true }).waitFor();
    expect(page.url()).toBe(`${service}/dashboard`);
    const cookies = await page.context().cookies();
    expect(cookies).toEqual([expect.objectContaining({ name: 'dashboard', httpOnly: true, sameSite: 'Strict', path: '/' })]);
    expect(cookies[0].value).not.toContain(secret());
    await expect(page.evaluate(() => document.cookie)).resolves.toBe('');
    await expect(page.content()).resolves.not.toContain(secret());
    expect(page.url()).not.toContain(secret());
  });

  it("finds a payment that cascaded and follows its timeline: skip, unknown answer resolved, decline, approval", async () => {
    await page.goto(`${service}/dashboard`);
    await Promise.all([page.waitForURL(`${service}/dashboard/payments/${payments.cascaded}`), page.getByRole('link', { name: payments.cascaded }).click()]);
    const timeline = page.getByRole('list', { name: 'Cascade timeline' });
    await expect(timeline.isVisible()).resolves.toBe(true);
    const steps = await timeline.locator('.step .title > span:first-child').allTextContents();
    expect(steps).toEqual([
      'Payment started',
      'Euro Acquirer: skipped',
      'Slow Bank: no answer in time (unknown outcome)',
      'Decline Pay: declined',
      'Acme Payments: approved',
      'Payment succeeded',
    ]);
    const unknown = timeline.locator('.step-unknown');
    await expect(unknown.textContent()).resolves.toContain('the processor says it approved the call');
    await expect(unknown.textContent()).resolves.toContain('Late approval undone');
    await expect(timeline.locator('.step-declined').textContent()).resolves.toContain('code 05');
    await browser.screenshot(page, 'dashboard-payment-cascade');
  });

  it('shows a payment that failed over to its second tier, then was captured and refunded', async () => {
    await page.goto(`${service}/dashboard/payments/${payments.refunded}`);
    const tiers = page.getByRole('list', { name: 'Cascade timeline' }).locator(':scope > li > h3');
    await expect(tiers.allTextContents()).resolves.toEqual([expect.stringMatching(/^Start/), expect.stringMatching(/^Tier 0 · \$99\.00/), expect.stringMatching(/^Tier 1 · \$79\.00/), 'Outcome and after']);
    const after = await page.locator('.tier').last().locator('.step .title > span:first-child').allTextContents();
    expect(after).toEqual(expect.arrayContaining(['Authorized: waiting for capture', 'Captured', 'Refund requested', 'Refunded']));
    await browser.screenshot(page, 'dashboard-payment-refunded');
  });

  it("draws the processors' approval-rate and latency charts with the chart library the service serves", async () => {
    await page.goto(`${service}/dashboard/processors`);
    for (const id of ['approval-chart', 'latency-chart']) {
      await page.waitForSelector(`#${id}[data-chart-drawn]`);
      const drawn = await page.evaluate((canvasId) => {
        const canvas = document.getElementById(canvasId) as HTMLCanvasElement;
        const chart = (window as unknown as { Chart: { getChart(canvas: HTMLCanvasElement): { data: { labels: string[] } } | undefined } }).Chart.getChart(canvas);
        const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) painted++;
        return { labels: chart?.data.labels ?? [], painted, width: canvas.width };
      }, id);
      expect(drawn.labels).toEqual(expect.arrayContaining(['Acme Payments', 'Decline Pay', 'Slow Bank']));
      expect(drawn.width).toBeGreaterThan(0);
      expect(drawn.painted).toBeGreaterThan(1000);
    }
    await browser.screenshot(page, 'dashboard-processors');
  });

  it('shows routes with their references and webhook deliveries', async () => {
    await page.goto(`${service}/dashboard/routes`);
    await expect(page.getByRole('table').textContent()).resolves.toContain('Main');
    await browser.screenshot(page, 'dashboard-routes');
    await page.goto(`${service}/dashboard/webhooks`);
    await expect(page.locator('#webhook-endpoints').textContent()).resolves.toContain(receiver.url);
    await browser.screenshot(page, 'dashboard-webhooks');
  });

  it('shows a new payment live, in the event feed and the payments table, without a reload', async () => {
    await page.goto(`${service}/dashboard`);
    await page.waitForSelector('#live-state[data-state="open"]');
    await expect(liveState(page).textContent()).resolves.toBe('Live');
    const shop = payments.shop;
    const route = (await shop.get('/v1/processor-routes').expect(200)).body.items.find((item: { name: string }) => item.name === 'Backup').id;
    const paid = (await shop.pay(await shop.session([{ amount: 1234 }], route)).expect(201)).body;
    await page.waitForSelector(`#payments-table a:text("${paid.id}")`);
    await expect(page.locator('#payments-list header').textContent()).resolves.toContain('3 in all');
    await expect(page.locator('#live-feed').textContent()).resolves.toContain('PaymentSucceeded');
    await expect(page.evaluate(() => performance.getEntriesByType('navigation').length)).resolves.toBe(1);
    await browser.screenshot(page, 'dashboard-payments');
  });

  it('works without JavaScript for everything but the charts and the live updates', async () => {
    const plain = await open('without javascript', { javaScriptEnabled: false });
    await plain.goto(`${service}/dashboard`);
    await plain.getByLabel('Secret token').fill(secret());
    await plain.getByRole('button', { name: 'Sign in' }).click();
    await plain.getByRole('heading', { level: 1, name: 'Payments', exact: true }).waitFor();
    await plain.getByRole('link', { name: payments.cascaded }).click();
    await expect(plain.getByRole('list', { name: 'Cascade timeline' }).textContent()).resolves.toContain('Acme Payments: approved');
    await plain.goto(`${service}/dashboard/processors`);
    await expect(plain.getByRole('table').textContent()).resolves.toContain('Acme Payments');
  });

  it('signs out: the cookie is gone and the pages ask to sign in again', async () => {
    await page.goto(`${service}/dashboard/routes`);
    await Promise.all([page.waitForURL(`${service}/dashboard`), page.getByRole('button', { name: 'Sign out' }).click()]);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Sign in to the payments dashboard');
    expect(await page.context().cookies()).toEqual([]);
    await page.goto(`${service}/dashboard/payments/${payments.cascaded}`);
    expect(page.url()).toBe(`${service}/dashboard`);
    await expect(page.getByLabel('Secret token').isVisible()).resolves.toBe(true);
  });

  it('asked nothing of any host but the service, and logged no error', () => {
    expect(watches.length).toBeGreaterThanOrEqual(3);
    const elsewhere = watches.flatMap(({ name, watch }) => watch.requests.filter((url) => !url.startsWith(`${service}/`)).map((url) => `${name}: ${url}`));
    expect(elsewhere).toEqual([]);
    const operator = watches.find(({ name }) => name === 'operator')!.watch.requests;
    expect(operator.some((url) => /\/assets\/chart\.[0-9a-f]{12}\.js$/.test(url))).toBe(true);
    expect(operator.some((url) => url.startsWith(`${service}/dashboard/events?after=`))).toBe(true);
    // The refused sign-in's page answers 401, which Chromium logs as a resource that failed to load.
    const refusedSignIn = `console: Failed to load resource: the server responded with a status of 401 (Unauthorized) (${service}/dashboard/sign-in)`;
    const errors = watches.flatMap(({ name, watch }) => watch.errors.map((error) => `${name}: ${error}`));
    expect(errors.filter((error) => error !== `wrong token: ${refusedSignIn}`)).toEqual([]);
  });
});
