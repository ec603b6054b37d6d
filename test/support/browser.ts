import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, Page, chromium } from 'playwright-core';

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

export interface TestBrowser {
  /** A fresh context (no cookies, no storage) at a given viewport. */
  page(options?: { viewport?: { width: number; height: number } }): Promise<Page>;
  /** Saves a full-page PNG under screenshots/<name>.png. */
  screenshot(page: Page, name: string): Promise<string>;
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
      const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 800 } });
      contexts.push(context);
      return context.newPage();
    },
    async screenshot(page, name) {
      mkdirSync(SCREENSHOTS_DIR, { recursive: true });
      const path = join(SCREENSHOTS_DIR, `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      return path;
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
    },
  };
}
