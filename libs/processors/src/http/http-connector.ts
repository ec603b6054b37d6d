import { Clock, streamName } from '@payments/domain';
import {
  AuthorizationRequest,
  AuthorizationResult,
  AuthorizeOptions,
  CaptureRequest,
  HttpConnectorSettings,
  OperationOptions,
  OperationResult,
  ProcessorConnector,
  ProcessorProfile,
  RefundRequest,
  SigningSecretOpener,
  StatusOptions,
  StatusResult,
  VoidRequest,
} from '../connector';
import { SIGNATURE_HEADER, signPayload } from '../payload-signature';
import { authorizationRequestBody, parseAuthorizationResponse } from './authorization-message';
import { captureRequestBody, parseOperationResponse, refundRequestBody, refusalCode, voidRequestBody } from './operation-message';
import { endpointUrl, statusPath, statusSignedText } from './processor-endpoints';
import { parseStatusResponse } from './status-message';

/** What came back from one request: an HTTP answer, or none (timeout, no connection). */
type Exchange =
  | { answered: true; status: number; text: string }
  | { answered: false; sent: true; timedOut: boolean; message: string }
  /** Nothing went out (the signing secret could not be opened): definite, like missing settings. */
  | { answered: false; sent: false; message: string };

interface Call {
  method: 'GET' | 'POST';
  url: string;
  /** The JSON body of a POST. */
  body?: string;
  /** What the signature covers: the body of a POST, `statusSignedText` for a GET. */
  signed: string;
  idempotencyKey?: string;
  timeoutMs: number;
}

/**
 * HTTP answers that say "not now" or "already working on it" rather than "no": a timeout on the
 * server's side, a conflict with a request of the same key still running (which may yet charge),
 * too early, rate limited. Like a 5xx, they may hide an effect or be followed by one.
 */
const NOT_YET_STATUSES: ReadonlySet<number> = new Set([408, 409, 425, 429]);

function isUndecided(status: number): boolean {
  return status >= 500 || NOT_YET_STATUSES.has(status);
}

function isSuccess(status: number): boolean {
  return status >= 200 && status <= 299;
}

function httpStatusMessage(status: number): string {
  return status >= 300 && status <= 399 ? `the processor answered HTTP ${status}, a redirect, which is not followed` : `the processor answered HTTP ${status}`;
}

/**
 * Why the connection failed, by the error code of the socket layer only: fetch's own messages
 * can quote the URL, which may carry credentials.
 */
function unreachableMessage(error: unknown): string {
  // Read by shape: under test runners the error comes from another realm and fails `instanceof Error`.
  const cause = (error as { cause?: { code?: unknown } } | null)?.cause;
  const code = typeof cause?.code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(cause.code) ? ` (${cause.code})` : '';
  return `could not reach the processor${code}`;
}

function stopwatch(): () => number {
  const started = performance.now();
  return () => Math.round(performance.now() - started);
}

const NO_SETTINGS = 'the processor has no http settings';
const BAD_URL = "the processor's url is not a valid URL";

/**
 * A processor behind an HTTPS endpoint that speaks the contract of docs/processors.md. Only a
 * definite answer is taken as one: a timeout, a failed connection, a 5xx (or 408, 409, 425, 429)
 * and an unreadable 2xx are uncertain, other 3xx and 4xx answers are refusals.
 */
export class HttpConnector implements ProcessorConnector {
  constructor(
    private readonly secrets: SigningSecretOpener,
    private readonly clock: Clock = { now: () => new Date() },
  ) {}

  async authorize(processor: ProcessorProfile, request: AuthorizationRequest, options: AuthorizeOptions): Promise<AuthorizationResult> {
    const elapsed = stopwatch();
    const answer = await this.authorization(processor, request, options);
    return { ...answer, durationMs: elapsed() };
  }

  private async authorization(
    processor: ProcessorProfile,
    request: AuthorizationRequest,
    options: AuthorizeOptions,
  ): Promise<Omit<AuthorizationResult, 'durationMs'>> {
    if (!processor.http) return { outcome: 'error', uncertain: false, message: NO_SETTINGS };
    const body = JSON.stringify(authorizationRequestBody(request, { optimized: options.optimized, captureMethod: options.captureMethod ?? 'automatic' }));
    const exchange = await this.exchange(processor.id, processor.http.secret, {
      method: 'POST',
      url: processor.http.url,
      body,
      signed: body,
      idempotencyKey: options.idempotencyKey,
      timeoutMs: options.timeoutMs,
    });
    if (!exchange.answered && !exchange.sent) return { outcome: 'error', uncertain: false, message: exchange.message };
    if (!exchange.answered) return { outcome: exchange.timedOut ? 'timeout' : 'error', uncertain: true, message: exchange.message };
    if (!isSuccess(exchange.status)) return { outcome: 'error', uncertain: isUndecided(exchange.status), message: httpStatusMessage(exchange.status) };
    const parsed = parseAuthorizationResponse(exchange.text);
    if (!parsed) return { outcome: 'error', uncertain: true, message: 'the processor answered with a body that is not an authorization response' };
    return {
      outcome: parsed.outcome,
      // A processor that says "timeout" had no answer from further on either: as uncertain as ours.
      uncertain: parsed.outcome === 'timeout',
      ...(parsed.code !== undefined && { code: parsed.code }),
      ...(parsed.auth_code !== undefined && { authCode: parsed.auth_code }),
      ...(parsed.outcome === 'timeout' && { message: 'the processor answered that it timed out' }),
    };
  }

  capture(processor: ProcessorProfile, request: CaptureRequest, options: OperationOptions): Promise<OperationResult> {
    return this.operate(processor, 'captures', JSON.stringify(captureRequestBody(request)), options);
  }

  void(processor: ProcessorProfile, request: VoidRequest, options: OperationOptions): Promise<OperationResult> {
    return this.operate(processor, 'voids', JSON.stringify(voidRequestBody(request)), options);
  }

  refund(processor: ProcessorProfile, request: RefundRequest, options: OperationOptions): Promise<OperationResult> {
    return this.operate(processor, 'refunds', JSON.stringify(refundRequestBody(request)), options);
  }

  private async operate(processor: ProcessorProfile, path: string, body: string, options: OperationOptions): Promise<OperationResult> {
    const elapsed = stopwatch();
    if (!processor.http) return { outcome: 'failed', code: 'not_configured', message: NO_SETTINGS, durationMs: elapsed() };
    let url: string;
    try {
      url = endpointUrl(processor.http.url, path);
    } catch {
      return { outcome: 'failed', code: 'not_configured', message: BAD_URL, durationMs: elapsed() };
    }
    const exchange = await this.exchange(processor.id, processor.http.secret, { method: 'POST', url, body, signed: body, idempotencyKey: options.idempotencyKey, timeoutMs: options.timeoutMs });
    if (!exchange.answered && !exchange.sent) return { outcome: 'failed', code: 'not_configured', message: exchange.message, durationMs: elapsed() };
    if (!exchange.answered) return { outcome: 'unknown', message: exchange.message, durationMs: elapsed() };
    if (isUndecided(exchange.status)) return { outcome: 'unknown', message: httpStatusMessage(exchange.status), durationMs: elapsed() };
    if (!isSuccess(exchange.status)) {
      return { outcome: 'failed', code: refusalCode(exchange.text) ?? `http_${exchange.status}`, message: httpStatusMessage(exchange.status), durationMs: elapsed() };
    }
    const parsed = parseOperationResponse(exchange.text);
    if (!parsed) return { outcome: 'unknown', message: `the processor answered with a body that is not a ${path} response`, durationMs: elapsed() };
    return { ...parsed, durationMs: elapsed() };
  }

  async status(processor: ProcessorProfile, authorizationKey: string, options: StatusOptions): Promise<StatusResult> {
    const elapsed = stopwatch();
    if (!processor.http) return { outcome: 'unknown', message: NO_SETTINGS, durationMs: elapsed() };
    let url: string;
    try {
      url = endpointUrl(processor.http.url, statusPath(authorizationKey));
    } catch {
      return { outcome: 'unknown', message: BAD_URL, durationMs: elapsed() };
    }
    const exchange = await this.exchange(processor.id, processor.http.secret, { method: 'GET', url, signed: statusSignedText(authorizationKey), timeoutMs: options.timeoutMs });
    if (!exchange.answered) return { outcome: 'unknown', message: exchange.message, durationMs: elapsed() };
    // Only a 404 that says so is "never seen": a bare 404 may be a route the processor lacks.
    const parsed = isSuccess(exchange.status) || exchange.status === 404 ? parseStatusResponse(exchange.text) : undefined;
    if (!parsed || (exchange.status === 404 && parsed.outcome !== 'not_found')) {
      const message = isSuccess(exchange.status) ? 'the processor answered with a body that is not a status response' : httpStatusMessage(exchange.status);
      return { outcome: 'unknown', message, durationMs: elapsed() };
    }
    switch (parsed.outcome) {
      case 'not_found':
        return { outcome: 'not_found', durationMs: elapsed() };
      case 'declined':
        return { outcome: 'declined', ...(parsed.code !== undefined && { code: parsed.code }), durationMs: elapsed() };
      case 'approved':
        return {
          outcome: 'approved',
          ...(parsed.auth_code !== undefined && { authCode: parsed.auth_code }),
          ...(parsed.state !== undefined && { state: parsed.state }),
          ...(parsed.captured_amount !== undefined && { capturedAmount: parsed.captured_amount }),
          ...(parsed.refunded_amount !== undefined && { refundedAmount: parsed.refunded_amount }),
          durationMs: elapsed(),
        };
    }
  }

  /** One signed request; never rejects. A secret that cannot be opened sends nothing: the answer is a definite failure. */
  private async exchange(processorId: string, stored: HttpConnectorSettings['secret'], call: Call): Promise<Exchange> {
    let secret: string;
    try {
      secret = this.secrets.open(stored, streamName('processor', processorId));
    } catch (error) {
      return { answered: false, sent: false, message: `cannot sign: ${(error as Error).message}` };
    }
    const timestamp = Math.floor(this.clock.now().getTime() / 1000);
    // One deadline for connecting, the headers and the body alike.
    const signal = AbortSignal.timeout(call.timeoutMs);
    try {
      const response = await fetch(call.url, {
        method: call.method,
        headers: {
          ...(call.body !== undefined && { 'Content-Type': 'application/json' }),
          Accept: 'application/json',
          ...(call.idempotencyKey !== undefined && { 'Idempotency-Key': call.idempotencyKey }),
          [SIGNATURE_HEADER]: signPayload(secret, call.signed, timestamp),
        },
        ...(call.body !== undefined && { body: call.body }),
        signal,
        // A redirect would resend the signed request somewhere the processor was not configured to be.
        redirect: 'manual',
      });
      return { answered: true, status: response.status, text: await response.text() };
    } catch (error) {
      if (signal.aborted) return { answered: false, sent: true, timedOut: true, message: `the processor did not answer within ${call.timeoutMs} ms` };
      return { answered: false, sent: true, timedOut: false, message: unreachableMessage(error) };
    }
  }
}
