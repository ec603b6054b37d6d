import { ServerResponse } from 'node:http';
import { StoredResponse } from './idempotency-store';

export const REPLAYED_HEADER = 'Idempotent-Replayed';

/**
 * Thrown by the idempotency interceptor instead of running the handler. It travels the
 * exception path because the exception filter is the one place where Nest lets us write a
 * response ourselves (a handler's result is always sent with the route's own status).
 */
export class IdempotentReplay {
  constructor(readonly response: StoredResponse) {}

  writeTo(response: ServerResponse): void {
    response.statusCode = this.response.status;
    if (this.response.contentType !== undefined) response.setHeader('Content-Type', this.response.contentType);
    response.setHeader(REPLAYED_HEADER, 'true');
    response.end(this.response.body);
  }
}
