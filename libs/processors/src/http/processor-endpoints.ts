/**
 * Where the http connector sends each call (docs/processors.md). The processor's `url` is its
 * authorization endpoint and the base of the others: `<url>/captures`, `<url>/voids`,
 * `<url>/refunds`, `<url>/authorizations/<key>`, with or without a trailing slash on `url`, and
 * keeping any query string it has (some processors take an API key there).
 */
export function endpointUrl(base: string, path: string): string {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${path}`;
  return url.toString();
}

/** The path of an authorization's status below the base url: the key as a single, encoded segment. */
export function statusPath(authorizationKey: string): string {
  return `authorizations/${encodeURIComponent(authorizationKey)}`;
}

/**
 * What a status request's signature covers, in place of the body it does not have: the method and
 * the resource below the base url, with the key as it is (not encoded), e.g.
 * `GET /authorizations/pay_stg_1:0:1`. A receiver rebuilds it from the key its router decoded,
 * whatever prefix or proxy stands before it, and a signature for one key opens no other.
 */
export function statusSignedText(authorizationKey: string): string {
  return `GET /authorizations/${authorizationKey}`;
}
