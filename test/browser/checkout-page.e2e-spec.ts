import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { Page } from 'playwright-core';
import { PageWatch, TestBrowser, describeInBrowser, launchBrowser, startListeningApp, watchPage } from '../support/browser';
import { APPROVED_CARD, CheckoutShop, DECLINED_CARD, HostedCheckout, cardNumberForms } from '../support/hosted-checkout';
import { PaymentShop } from '../support/payment-shop';
import { TestApp } from '../support/test-app';

/** A phone's viewport in CSS pixels (a 375 × 667 screen, the smallest in common use). */
const PHONE = { width: 375, height: 667 };

/** The merchant's own site, where success_url and return_url lead: another origin than the service's. */
async function startShopSite(): Promise<{ origin: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://shop').pathname;
    response.writeHead(path === '/thanks' || path === '/cart' ? 200 : 404, { 'Content-Type': 'text/html; charset=utf-8' });
    // An empty icon, so the browser asks for nothing else.
    response.end(`<!doctype html><title>Shop</title><link rel="icon" href="data:,"><h1>${path === '/thanks' ? 'Thank you for your order' : 'Your cart'}</h1>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * The hosted checkout page (API.md "Pages") in Debian's Chromium, against the service listening
 * on a port of its own, as a customer uses it: with a mouse, with the keyboard only, on a phone,
 * without JavaScript. Every page is watched: it must ask nothing of any host but the service
 * (the shop's page, once paid or cancelled, aside) and log no error.
 */
describeInBrowser('the hosted checkout page in a browser', () => {
  let t: TestApp;
  let service: string;
  let site: { origin: string; close(): Promise<void> };
  let shop: CheckoutShop;
  let browser: TestBrowser;
  const watches: Array<{ name: string; watch: PageWatch }> = [];

  beforeAll(async () => {
    ({ t, service } = await startListeningApp());
    site = await startShopSite();
    shop = await CheckoutShop.open(await PaymentShop.open(t));
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await t?.close();
  });

  const checkout = () => shop.checkout({ success_url: `${site.origin}/thanks?session={CHECKOUT_SESSION_ID}`, return_url: `${site.origin}/cart` });
  const successUrl = (session: HostedCheckout) => `${site.origin}/thanks?session=${session.sessionId}`;

  /** A fresh page at the checkout, watched under `name`. */
  async function open(session: HostedCheckout, name: string, options: Parameters<TestBrowser['page']>[0] = {}): Promise<Page> {
    const page = await browser.page(options);
    watches.push({ name, watch: watchPage(page) });
    const response = await page.goto(session.url);
    expect(response?.status()).toBe(200);
    return page;
  }

  async function fillCard(page: Page, card: { number: string; exp: string; cvc: string }): Promise<void> {
    await page.getByLabel('Card number').fill(card.number);
    await page.getByLabel('Expiry date').fill(card.exp);
    await page.getByLabel('Security code').fill(card.cvc);
  }

  /**
   * Every text of the page whose contrast with the background behind it is below WCAG AA: 4.5:1,
   * or 3:1 for large text (24 px, or 18.66 px bold). Backgrounds are the first opaque one up the tree.
   */
  const lowContrastTexts = (page: Page) =>
    page.evaluate(() => {
      const rgb = (colour: string) => (colour.match(/[\d.]+/g) ?? []).map(Number);
      const luminance = ([r, g, b]: number[]) => {
        const linear = (value: number) => (value / 255 <= 0.03928 ? value / 255 / 12.92 : ((value / 255 + 0.055) / 1.055) ** 2.4);
        return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
      };
      const backgroundOf = (element: Element | null): number[] => {
        for (let at = element; at; at = at.parentElement) {
          const colour = rgb(getComputedStyle(at).backgroundColor);
          if (colour.length === 3 || colour[3] === 1) return colour.slice(0, 3);
        }
        return [255, 255, 255];
      };
      const low: string[] = [];
      for (const element of Array.from(document.body.querySelectorAll('*'))) {
        const text = Array.from(element.childNodes).filter((node) => node.nodeType === Node.TEXT_NODE).map((node) => node.textContent!.trim()).join(' ').trim();
        const style = getComputedStyle(element);
        if (text === '' || style.visibility === 'hidden' || (element as HTMLElement).offsetParent === null || element.closest('.visually-hidden')) continue;
        const [a, b] = [luminance(rgb(style.color)), luminance(backgroundOf(element))].sort((x, y) => y - x);
        const ratio = (a + 0.05) / (b + 0.05);
        const size = parseFloat(style.fontSize);
        const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
        if (ratio < (large ? 3 : 4.5)) low.push(`${text} (${ratio.toFixed(2)}:1)`);
      }
      return low;
    });

  const focusedId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '');

  it('pays with an approving card and lands on the success URL, with the session id in it', async () => {
    const session = await checkout();
    const page = await open(session, 'approved');
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toContain('Pay Test Shop');
    await expect(page.locator('.totals .grand.amount').textContent()).resolves.toBe('$49.00');
    expect(await lowContrastTexts(page)).toEqual([]);
    await browser.screenshot(page, 'checkout-page');
    await fillCard(page, APPROVED_CARD);
    await page.getByRole('button', { name: 'Pay $49.00' }).click();
    await page.waitForURL(successUrl(session));
    await expect(page.getByRole('heading').textContent()).resolves.toBe('Thank you for your order');
    expect(await shop.session(session.sessionId)).toMatchObject({ status: 'complete', payment_status: 'paid' });
  });

  it('says a declined card was declined, with the focus on the message, and pays with another card', async () => {
    const session = await checkout();
    const page = await open(session, 'declined');
    await fillCard(page, DECLINED_CARD);
    await page.getByRole('button', { name: 'Pay $49.00' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    await expect(alert.textContent()).resolves.toContain('Your payment did not go through');
    await expect(alert.textContent()).resolves.toContain('The card was declined.');
    expect(await focusedId(page)).toBe('error-summary');
    expect(await page.title()).toBe('Error: Pay Test Shop – $49.00');
    // The card number and security code are not given back; the expiry is, to save typing.
    await expect(page.getByLabel('Card number').inputValue()).resolves.toBe('');
    await expect(page.getByLabel('Security code').inputValue()).resolves.toBe('');
    await expect(page.getByLabel('Expiry date').inputValue()).resolves.toBe(DECLINED_CARD.exp);
    expect(await lowContrastTexts(page)).toEqual([]);
    await browser.screenshot(page, 'checkout-declined', page.locator('.checkout'));

    // Nothing of the card stays in the browser's storage for the page's origin.
    await expect(page.evaluate(() => localStorage.length + sessionStorage.length)).resolves.toBe(0);
    await expect(page.context().cookies()).resolves.toEqual([]);

    await page.getByRole('link', { name: 'pay with another card' }).click();
    expect(await focusedId(page)).toBe('card-number');
    await fillCard(page, APPROVED_CARD);
    await page.getByRole('button', { name: 'Pay $49.00' }).click();
    await page.waitForURL(successUrl(session));
    expect((await shop.payments(session.sessionId)).map((payment) => payment.status)).toEqual(['succeeded', 'failed']);
  });

  it('pays with the keyboard only, every step with a visible focus', async () => {
    const session = await checkout();
    const page = await open(session, 'keyboard');
    const tabTo = async (id: string) => {
      await page.keyboard.press('Tab');
      expect(await focusedId(page)).toBe(id);
      expect([id, await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)]).toEqual([id, 'solid']);
    };
    // Enter on an empty form: the summary says what is missing and takes the focus; its first link leads to the field.
    await tabTo('card-number');
    await page.keyboard.press('Enter');
    await page.getByRole('alert').waitFor();
    expect(await focusedId(page)).toBe('error-summary');
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Enter the card number');
    await page.keyboard.press('Enter');
    expect(await focusedId(page)).toBe('card-number');

    await page.keyboard.type(APPROVED_CARD.number);
    await tabTo('card-exp');
    await page.keyboard.type(APPROVED_CARD.exp);
    await tabTo('card-cvc');
    await page.keyboard.type(APPROVED_CARD.cvc);
    await tabTo('pay-button');
    await browser.screenshot(page, 'checkout-keyboard');
    await page.keyboard.press('Enter');
    await page.waitForURL(successUrl(session));
  });

  it('fits a phone: nothing wider than the screen, the fields and the Pay button in reach', async () => {
    const session = await checkout();
    const page = await open(session, 'phone', { viewport: PHONE });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    for (const control of [page.getByLabel('Card number'), page.getByLabel('Expiry date'), page.getByLabel('Security code'), page.getByRole('button', { name: 'Pay $49.00' })]) {
      const box = (await control.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
      // Big enough to tap (WCAG 2.2 target size: at least 24 CSS pixels).
      expect(box.height).toBeGreaterThanOrEqual(24);
    }
    await browser.screenshot(page, 'checkout-phone');
    await fillCard(page, APPROVED_CARD);
    await page.getByRole('button', { name: 'Pay $49.00' }).click();
    await page.waitForURL(successUrl(session));
  });

  it('pays without JavaScript, and the Cancel link goes back to the shop', async () => {
    const session = await checkout();
    const page = await open(session, 'no-javascript', { javaScriptEnabled: false });
    await page.getByRole('link', { name: 'Cancel and return to Test Shop' }).click();
    await page.waitForURL(`${site.origin}/cart`);
    await page.goBack();
    await fillCard(page, APPROVED_CARD);
    await page.getByRole('button', { name: 'Pay $49.00' }).click();
    await page.waitForURL(successUrl(session));
  });

  it('pays once when the Pay button is clicked twice', async () => {
    const session = await checkout();
    const page = await open(session, 'double-click');
    await fillCard(page, APPROVED_CARD);
    await page.getByRole('button', { name: 'Pay $49.00' }).dblclick();
    await page.waitForURL(successUrl(session));
    expect(await shop.payments(session.sessionId)).toHaveLength(1);
  });

  it('says an expired checkout has expired, with the way back to the shop', async () => {
    const session = await checkout();
    await shop.expire(session.sessionId);
    const page = await browser.page();
    watches.push({ name: 'expired', watch: watchPage(page) });
    expect((await page.goto(session.url))?.status()).toBe(410);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('This checkout has expired');
    await expect(page.locator('form').count()).resolves.toBe(0);
    expect(await lowContrastTexts(page)).toEqual([]);
    await browser.screenshot(page, 'checkout-expired');
    await page.getByRole('link', { name: 'Return to the shop' }).click();
    await page.waitForURL(`${site.origin}/cart`);
  });

  it('says a paid checkout is paid when it is opened again', async () => {
    const session = await checkout();
    const page = await open(session, 'paid-again');
    await fillCard(page, APPROVED_CARD);
    await page.getByRole('button', { name: 'Pay $49.00' }).click();
    await page.waitForURL(successUrl(session));
    expect((await page.goto(session.url))?.status()).toBe(409);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('This order is already paid');
    await browser.screenshot(page, 'checkout-paid');
  });

  // Last: it reads what every page above asked for and logged.
  it('asked nothing of any host but the service, except the shop pages it sent the customer to, and logged no error', () => {
    expect(watches.length).toBeGreaterThanOrEqual(8);
    const shopPages = new Set([`${site.origin}/cart`, ...[...new Set(watches.flatMap(({ watch }) => watch.requests))].filter((url) => url.startsWith(`${site.origin}/thanks?session=cs_`))]);
    const elsewhere = watches.flatMap(({ name, watch }) => watch.requests.filter((url) => !url.startsWith(`${service}/`) && !shopPages.has(url)).map((url) => `${name}: ${url}`));
    expect(elsewhere).toEqual([]);
    // The card went in a form body only: in no address the browser asked for.
    const cardsInUrls = [APPROVED_CARD, DECLINED_CARD].flatMap(cardNumberForms).filter((number) => watches.some(({ watch }) => watch.requests.some((url) => url.includes(number))));
    expect(cardsInUrls).toEqual([]);
    // Every page asked for its stylesheet, from the service.
    for (const { name, watch } of watches) expect([name, watch.requests.some((url) => url.startsWith(`${service}/assets/pages.`))]).toEqual([name, true]);
    expect(watches.flatMap(({ name, watch }) => watch.errors.map((error) => `${name}: ${error}`))).toEqual([]);
  });
});
