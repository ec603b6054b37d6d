import { ServerResponse } from 'node:http';
import { TLSSocket } from 'node:tls';
import { ApiRequest } from '../http/api-request';
import { Html } from './html';

export interface PagePolicy {
  /**
   * Origins besides this service's that a form of the page may reach. Chromium checks
   * `form-action` against where a form's answer redirects too, so the checkout page names its
   * success URL's origin.
   */
  formActionOrigins?: readonly string[];
}

/**
 * The Content-Security-Policy of every page: scripts, styles, images and connections from this
 * service only, no inline script or style (none is hashed: the pages have none), no plugins, no
 * `<base>`, never framed (clickjacking a card form), forms only to this service and the origins
 * the page names.
 */
export function contentSecurityPolicy({ formActionOrigins = [] }: PagePolicy = {}): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    `form-action ${["'self'", ...new Set(formActionOrigins)].join(' ')}`,
  ].join('; ');
}

/**
 * Headers of every HTML answer: nothing cached (a page may show a card form's errors or an
 * operator's data), no MIME sniffing, and a Referer only to this service, so that neither the
 * checkout link (its secure token) nor a dashboard path reaches the shop or anyone else.
 */
function pageHeaders(policy: PagePolicy): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(policy),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'same-origin',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
  };
}

export function sendPage(response: ServerResponse, status: number, page: Html, policy: PagePolicy = {}, headers: Record<string, string | string[]> = {}): void {
  response.writeHead(status, { ...pageHeaders(policy), 'Content-Type': 'text/html; charset=utf-8', ...headers });
  response.end(page.text);
}

/** 303 See Other: the browser follows with a GET, so reloading the next page never posts the form again. */
export function redirect(response: ServerResponse, location: string, policy: PagePolicy = {}, headers: Record<string, string | string[]> = {}): void {
  response.writeHead(303, { ...pageHeaders(policy), Location: location, ...headers });
  response.end();
}

/** Whether the request reached this service over TLS, directly or, per PUBLIC_URL, through a proxy that ends it. */
export function isHttps(request: ApiRequest, publicUrl: string): boolean {
  return (request.socket as TLSSocket).encrypted === true || publicUrl.startsWith('https:');
}

/**
 * The CSRF check of every form a page posts (ADR in docs/pages.md): the browser must say the
 * form came from this service. `Sec-Fetch-Site: same-origin` when the browser sends fetch
 * metadata; else an `Origin` that is this service's, as the request reached it (its Host) or
 * as PUBLIC_URL names it. A POST with neither header is refused too: every browser that runs
 * these pages sends one of them, and a form posted from another site, even a sibling subdomain
 * (same-site, so SameSite cookies go along), sends `cross-site`/`same-site` or its own origin.
 */
export function isSameOriginPost(request: ApiRequest, publicUrl: string): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin';
  const origin = request.headers.origin;
  if (origin === undefined || origin === 'null') return false;
  const host = request.headers.host;
  const own = host === undefined ? [] : [`${(request.socket as TLSSocket).encrypted ? 'https' : 'http'}://${host}`];
  return [...own, new URL(publicUrl).origin].includes(origin);
}
