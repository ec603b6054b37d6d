import { IncomingMessage } from 'node:http';
import { Principal } from './principal';

/**
 * The request as the HTTP conventions see it: Node's message plus the fields Express and the
 * conventions add. Declared here because @types/express is not a dependency.
 */
export interface ApiRequest extends IncomingMessage {
  /** Set by Express: the URL as received, before any router rewrote `url`. */
  originalUrl: string;
  /** Set by Express: the client's address, the socket's unless TRUST_PROXY lets X-Forwarded-For tell it. */
  ip?: string;
  /** Set by the JSON or form body parser; undefined when the request had no body. */
  body?: unknown;
  /** Set by `requestIdFor`. */
  requestId?: string;
  /** Set by the auth guard on routes that are not @Public. */
  principal?: Principal;
  /** SHA-256 (hex) of the bearer token, set with `principal`: rate limits and idempotency scopes key on it, never on the token. */
  tokenHash?: string;
}

/** The request path without its query string (problem details' `instance`). */
export function pathOf(request: ApiRequest): string {
  return request.originalUrl.split('?', 1)[0];
}
