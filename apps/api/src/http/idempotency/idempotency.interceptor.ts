import { createHmac } from 'node:crypto';
import { ServerResponse } from 'node:http';
import { CallHandler, ExecutionContext, Inject, Injectable, Logger, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { SETTINGS, Settings, cardFingerprintKey } from '@payments/orchestration';
import { Observable } from 'rxjs';
import { ApiRequest, pathOf } from '../api-request';
import { ProblemException } from '../problem-details';
import { IDEMPOTENCY_STORE, IdempotencyClaim, IdempotencyStore, StoredResponse } from './idempotency-store';
import { IdempotentReplay } from './idempotent-replay';
import { ONE_TIME_SECRETS, withheldResponse } from './one-time-secrets';
import { captureResponse } from './response-capture';

/** How long a completed response is replayed (API.md: 24 h). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

const VALID_KEY = /^[\x20-\x7e]{1,255}$/;

/**
 * Which outcomes are stored and replayed: 2xx, and 404 / 409 / 410, which a retry of the same
 * request would only repeat. Not stored (the key is released and a retry runs again):
 * validation failures (400, 422), 401, 403, 413, 429 and every 5xx.
 */
export function isReplayedStatus(status: number): boolean {
  return (status >= 200 && status < 300) || status === 404 || status === 409 || status === 410;
}

/** Keys are per account; the admin's account creation has no account, so its token hash scopes it. */
export function idempotencyScope(request: ApiRequest): string {
  const principal = request.principal!;
  return principal.kind === 'admin' ? `admin:${request.tokenHash}` : `account:${principal.accountId}`;
}

/**
 * What makes two requests "the same": method, path with query, and the parsed body. Keyed, since
 * a pay body holds a card number: a plain hash of it could be reversed by trying the few numbers
 * that fit a known BIN and last4.
 */
export function requestFingerprint(request: ApiRequest, key: string): string {
  return createHmac('sha256', key)
    .update(`${request.method} ${request.originalUrl}\n${JSON.stringify(request.body ?? null)}`)
    .digest('hex');
}

/**
 * `Idempotency-Key` on authenticated POSTs (API.md "Conventions"): the first completed
 * response is stored for 24 h per account and key and replayed byte for byte (status, body,
 * content type; plus `Idempotent-Replayed: true` and the replay's own X-Request-Id). The same
 * key with another method, path or body: 422. While the first request runs: 409. A claim's
 * lease (60 s plus PAY_WAIT_MS) frees the key if the process dies mid-request.
 * Runs after the guards, so the account is known and rejected calls never claim a key.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Idempotency');
  private readonly leaseMs: number;
  private readonly fingerprintKey: string;

  constructor(
    @Inject(IDEMPOTENCY_STORE) private readonly store: IdempotencyStore,
    @Inject(SETTINGS) settings: Settings,
    private readonly reflector: Reflector,
  ) {
    // The lease must outlive the longest request: a pay waits up to PAY_WAIT_MS for its outcome.
    this.leaseMs = 60_000 + settings.payWaitMs;
    this.fingerprintKey = cardFingerprintKey(settings);
  }

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    const request = http.getRequest<ApiRequest>();
    const key = request.headers['idempotency-key'];
    if (request.method !== 'POST' || key === undefined || request.principal === undefined) return next.handle();
    if (typeof key !== 'string' || !VALID_KEY.test(key)) {
      const message = 'Idempotency-Key must be 1 to 255 printable ASCII characters.';
      throw new ProblemException('bad_request', message, { errors: [{ field: 'Idempotency-Key', message }] });
    }

    const fingerprint = requestFingerprint(request, this.fingerprintKey);
    const outcome = await this.store.claim(idempotencyScope(request), key, fingerprint, this.leaseMs);
    if (outcome.state !== 'claimed') {
      if (outcome.fingerprint !== fingerprint) {
        throw new ProblemException('idempotency_key_reused', 'This Idempotency-Key was used with a different request; use a new key.');
      }
      if (outcome.state === 'running') {
        throw new ProblemException('idempotency_key_in_use', 'A request with this Idempotency-Key is still running; retry later.');
      }
      throw new IdempotentReplay(outcome.response);
    }
    const withholdSuccess = this.reflector.get<boolean>(ONE_TIME_SECRETS, context.getHandler()) === true;
    captureResponse(http.getResponse<ServerResponse>(), (response) => {
      const kept = withholdSuccess && response.status < 300 ? withheldResponse(pathOf(request), request.requestId ?? '') : response;
      return this.settle(outcome.claim, kept);
    });
    return next.handle();
  }

  private async settle(claim: IdempotencyClaim, response: StoredResponse): Promise<void> {
    try {
      if (isReplayedStatus(response.status)) await this.store.complete(claim, response, IDEMPOTENCY_TTL_MS);
      else await this.store.release(claim);
    } catch (error) {
      // The response still goes out; the claim's lease frees the key later.
      this.logger.warn(`could not settle Idempotency-Key claim: ${String(error)}`);
    }
  }
}
