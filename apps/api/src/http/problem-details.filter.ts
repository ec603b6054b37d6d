import { STATUS_CODES, ServerResponse } from 'node:http';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { DomainError, DomainErrorKind, FieldError } from '@payments/domain';
import { WrongExpectedRevision } from '@payments/event-store';
import { scrubSecrets } from '../ops/scrub-secrets';
import { ApiRequest, pathOf } from './api-request';
import { isDependencyDown } from './dependency-failure';
import { IdempotentReplay } from './idempotency/idempotent-replay';
import { PROBLEM_CONTENT_TYPE, PROBLEM_KINDS, ProblemDetails, ProblemException, ProblemKind, problemType } from './problem-details';
import { requestIdFor } from './request-id';

/** A problem before it is tied to a request (instance, request_id). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
  headers: Record<string, string>;
}

const DOMAIN_KINDS: Record<DomainErrorKind, ProblemKind> = {
  invalid: 'validation',
  malformed: 'bad_request',
  not_found: 'not_found',
  conflict: 'conflict',
  gone: 'gone',
  too_many: 'too_many_failed_payments',
};

const KIND_OF_STATUS: Partial<Record<number, ProblemKind>> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  410: 'gone',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  422: 'validation',
  429: 'rate_limited',
  500: 'internal',
  503: 'unavailable',
};

/** Internals (messages, stacks) of unexpected errors go to the log only, never to the client. */
const INTERNAL_DETAIL = 'An unexpected error occurred; quote the request id when reporting it.';

function fromKind(kind: ProblemKind, detail: string, extras: ProblemException['extras'] = {}): Problem {
  const { status, title } = PROBLEM_KINDS[kind];
  const headers = { ...extras.headers };
  // RFC 9110 requires a challenge on every 401.
  if (status === 401) headers['WWW-Authenticate'] ??= 'Bearer';
  const errors = extras.errors?.length ? extras.errors : undefined;
  return { type: problemType(kind), title, status, detail: status === 500 ? INTERNAL_DETAIL : detail, errors, headers };
}

function fromStatus(status: number, detail: string): Problem {
  const kind = KIND_OF_STATUS[status];
  if (kind) return fromKind(kind, detail);
  return { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail, headers: {} };
}

function messageOf(exception: HttpException): string {
  const body = exception.getResponse();
  if (typeof body === 'string') return body;
  const message = (body as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}

/** Errors of the `http-errors` kind that body-parser raises (413, 415, aborted requests), meant for the client. */
function isClientHttpError(error: unknown): error is { status: number; message: string } {
  const candidate = error as { status?: unknown; expose?: unknown; message?: unknown };
  return typeof candidate?.status === 'number' && candidate.status >= 400 && candidate.status < 500 && candidate.expose === true;
}

/** Longest word of a problem repeated whole: ids are far shorter, and whatever is longer came from the client. */
const MAX_ECHOED_WORD = 64;
const ECHOED_PREFIX = 24;

/**
 * The last line of defence for text a problem repeats from the request (ids in a 404, paths in
 * `instance`, numbers in a rule): card numbers, security codes and tokens are masked, and any
 * word over MAX_ECHOED_WORD characters is cut to a short prefix, so a request can neither get
 * secrets nor a large payload reflected back.
 */
export function echoSafe(text: string): string {
  return scrubSecrets(text).replace(new RegExp(`[^\\s/]{${MAX_ECHOED_WORD + 1},}`, 'g'), (word) => `${word.slice(0, ECHOED_PREFIX)}…`);
}

/** Retry-After in whole seconds, rounded up so a client that waits that long is let through. */
export function retryAfterSeconds(ms: number): string {
  return String(Math.max(1, Math.ceil(ms / 1000)));
}

/** Maps anything thrown while serving a request to the problem the client sees. */
export function problemFor(exception: unknown): Problem {
  if (exception instanceof ProblemException) return fromKind(exception.kind, exception.detail, exception.extras);
  if (exception instanceof DomainError) {
    const headers = exception.retryAfterMs === undefined ? undefined : { 'Retry-After': retryAfterSeconds(exception.retryAfterMs) };
    return fromKind(DOMAIN_KINDS[exception.kind], exception.message, { errors: exception.errors, headers });
  }
  if (exception instanceof WrongExpectedRevision) {
    return fromKind('conflict', 'The resource was changed by a concurrent request; read it again and retry.');
  }
  if (exception instanceof HttpException) return fromStatus(exception.getStatus(), messageOf(exception));
  if (isClientHttpError(exception)) return fromStatus(exception.status, exception.message);
  if (isDependencyDown(exception)) return fromKind('unavailable', 'A service this API depends on is unavailable; retry later.');
  return fromKind('internal', INTERNAL_DETAIL);
}

/**
 * Renders every error as RFC 9457 problem details (API.md "Conventions"), including unknown
 * routes and body-parser failures, which Nest routes through global filters too.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<ApiRequest>();
    const response = http.getResponse<ServerResponse>();
    if (exception instanceof IdempotentReplay) return exception.writeTo(response);

    const requestId = requestIdFor(request, response);
    const problem = problemFor(exception);
    if (problem.status >= 500) this.log(exception, problem, request, requestId);
    if (response.headersSent) {
      // Half a body cannot become a problem document; cutting the connection tells the client it is incomplete.
      response.destroy();
      return;
    }
    const body: ProblemDetails = {
      type: problem.type,
      title: problem.title,
      status: problem.status,
      detail: echoSafe(problem.detail),
      instance: echoSafe(pathOf(request)),
      request_id: requestId,
      ...(problem.errors && { errors: problem.errors.map(({ field, message }) => ({ field: echoSafe(field), message: echoSafe(message) })) }),
    };
    response.statusCode = problem.status;
    for (const [name, value] of Object.entries(problem.headers)) response.setHeader(name, value);
    response.setHeader('Content-Type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`);
    response.end(JSON.stringify(body));
  }

  private log(exception: unknown, problem: Problem, request: ApiRequest, requestId: string): void {
    const where = `${request.method} ${pathOf(request)} request_id=${requestId}`;
    if (problem.status === 503) this.logger.warn(`${where}: dependency unavailable: ${String(exception)}`);
    else this.logger.error(`${where}: ${String(exception)}`, exception instanceof Error ? exception.stack : undefined);
  }
}
