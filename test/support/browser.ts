import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, Locator, Page, chromium } from 'playwright-core';
import { freePort } from './service-process';
import { TestApp, startTestApp } from './test-app';

/** Debian's Chromium (`apt-get install -y chromium`); playwright-core never downloads one. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Screenshots for people to review; gitignored. */
export const SCREENSHOTS_DIR = join(__dirname, '..', '..', 'screenshots');

/**
 * Whether the browser tests can run here; when they cannot, why, printed once so a skipped suite
 * is never mistaken for a passed one.
 */
export function browserUnavailable(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return undefined;
  const reason = `browser tests skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
  console.warn(reason);
  return reason;
}

/** `describe` when Chromium is present, `describe.skip` (with the reason printed) when not. */
export function describeInBrowser(name: string, suite: () => void): void {
  (browserUnavailable() === undefined ? describe : describe.skip)(name, suite);
}

export interface PageOptions {
  viewport?: { width: number; height: number };
  /** false: the page as a browser without JavaScript shows it. */
  javaScriptEnabled?: boolean;
}

export interface TestBrowser {
  /** A fresh context (no cookies, no storage) at a given viewport. */
  page(options?: PageOptions): Promise<Page>;
  /** Saves a PNG of the full page, or of one element of it, under screenshots/<name>.png. */
  screenshot(page: Page, name: string, element?: Locator): Promise<string>;
  close(): Promise<void>;
}

/**
 * Chromium headless with the flags the CI machines need and an empty profile: launch() gives
 * every browser a fresh --user-data-dir of its own (and refuses one in `args`), deleted on close.
 */
export async function launchBrowser(): Promise<TestBrowser> {
  const browser: Browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
  const contexts: BrowserContext[] = [];
  return {
    async page(options = {}) {
      const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 800 }, javaScriptEnabled: options.javaScriptEnabled ?? true });
      // Below jest's 30 s, so a step that never happens fails naming what it waited for.
      context.setDefaultTimeout(15_000);
      contexts.push(context);
      return context.newPage();
    },
    async screenshot(page, name, element) {
      mkdirSync(SCREENSHOTS_DIR, { recursive: true });
      const path = join(SCREENSHOTS_DIR, `${name}.png`);
      await (element ? element.screenshot({ path }) : page.screenshot({ path, fullPage: true }));
      return path;
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
    },
  };
}

export interface PageWatch {
  /** Every URL the page asked for, in order: documents, form posts, stylesheets, scripts, icons. */
  requests: string[];
  /** Every console error and uncaught exception, among them the browser's Content-Security-Policy refusals. */
  errors: string[];
}

/** How Chromium logs an answer with an error status, whatever the resource. */
const FAILED_RESOURCE = /^Failed to load resource: the server responded with a status of \d+/;

/**
 * Records what a page asks for and what goes wrong in it, from now on. A document answered with
 * an error status (a decline page's 402, an expired checkout's 410) is a page meant to be shown:
 * Chromium logs it as an error all the same, and it is left out. An asset that fails is not.
 */
export function watchPage(page: Page): PageWatch {
  const watch: PageWatch = { requests: [], errors: [] };
  const documents = new Set<string>();
  page.on('request', (request) => {
    watch.requests.push(request.url());
    if (request.resourceType() === 'document') documents.add(request.url());
  });
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const { url } = message.location();
    if (FAILED_RESOURCE.test(message.text()) && documents.has(url)) return;
    watch.errors.push(`console: ${message.text()} (${url})`);
  });
  page.on('pageerror', (error) => watch.errors.push(`uncaught: ${error.message}`));
  return watch;
}

/**
 * The app listening on a free port of 127.0.0.1, with PUBLIC_URL its own address, so the links
 * and redirects it renders lead a browser back to it.
 */
export async function startListeningApp(env: Record<string, string> = {}): Promise<{ t: TestApp; service: string }> {
  const port = await freePort();
  const service = `http://127.0.0.1:${port}`;
  const t = await startTestApp({ PUBLIC_URL: service, ...env });
  await t.app.listen(port, '127.0.0.1');
  return { t, service };
}
