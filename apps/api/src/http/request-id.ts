import { ServerResponse } from 'node:http';
import { randomBase62 } from '@payments/orchestration';
import { scrubSecrets } from '../ops/scrub-secrets';
import { ApiRequest } from './api-request';

const REQUEST_ID_HEADER = 'X-Request-Id';

/** A caller's id is echoed only when it is short and cannot smuggle anything into logs or headers. */
const SANE_REQUEST_ID = /^[A-Za-z0-9_.:-]{1,200}$/;

/**
 * The id goes into the response header and into the metadata of every event the request causes,
 * which no scrubber reads: one that holds a card number or a token (sent by mistake or to probe)
 * is replaced rather than repeated and stored.
 */
const isEchoable = (id: string) => SANE_REQUEST_ID.test(id) && scrubSecrets(id) === id;

/**
 * The request's id: the caller's `X-Request-Id` when sane, else a new `req_<base62>`. Sets the
 * response header and remembers the id on the request, so calling it again (e.g. from the
 * logger's genReqId, whichever middleware runs first) returns the same id.
 */
export function requestIdFor(request: ApiRequest, response: ServerResponse): string {
  if (request.requestId === undefined) {
    const offered = request.headers['x-request-id'];
    request.requestId = typeof offered === 'string' && isEchoable(offered) ? offered : `req_${randomBase62(24)}`;
    response.setHeader(REQUEST_ID_HEADER, request.requestId);
  }
  return request.requestId;
}

/** Express middleware giving every request its id before anything can fail. */
export function assignRequestId(request: ApiRequest, response: ServerResponse, next: () => void): void {
  requestIdFor(request, response);
  next();
}

