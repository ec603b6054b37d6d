import { HttpException } from '@nestjs/common';
import { FieldError } from '@payments/domain';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Base of every problem `type`; each kind's page documents its meaning and what a client should do. */
export const PROBLEM_TYPE_BASE = 'https://docs.payments.example/errors/';

/**
 * The kinds of error a client can tell apart by `type` (RFC 9457). Types are stable: clients
 * may branch on them. Statuses without a kind of their own get `about:blank`.
 */
export const PROBLEM_KINDS = {
  /** 400: malformed JSON, wrong shape of body or query (see RequestValidationPipe), bad header. */
  bad_request: { status: 400, slug: 'bad-request', title: 'Bad request' },
  /** 422: well-formed but breaks a rule or names an unknown id. */
  validation: { status: 422, slug: 'validation', title: 'Validation failed' },
  unauthorized: { status: 401, slug: 'unauthorized', title: 'Unauthorized' },
  forbidden: { status: 403, slug: 'forbidden', title: 'Forbidden' },
  not_found: { status: 404, slug: 'not-found', title: 'Not found' },
  /** 409: the resource's state (or a concurrent change) forbids the request now. */
  conflict: { status: 409, slug: 'conflict', title: 'Conflict' },
  /** 409: a request with the same Idempotency-Key is still running; retry later. */
  idempotency_key_in_use: { status: 409, slug: 'idempotency-key-in-use', title: 'Idempotency key in use' },
  /** 422: the Idempotency-Key was used before with a different method, path or body. */
  idempotency_key_reused: { status: 422, slug: 'idempotency-key-reused', title: 'Idempotency key reused' },
  gone: { status: 410, slug: 'gone', title: 'Gone' },
  payload_too_large: { status: 413, slug: 'payload-too-large', title: 'Payload too large' },
  /** 415: the body is not in a media type the operation takes (JSON; a checkout session also takes a form). */
  unsupported_media_type: { status: 415, slug: 'unsupported-media-type', title: 'Unsupported media type' },
  rate_limited: { status: 429, slug: 'rate-limited', title: 'Too many requests' },
  /**
   * 429: too many failed payments (card testing): on the session (for good: pay with a new
   * session), or of the card or the client address this hour (Retry-After says when).
   */
  too_many_failed_payments: { status: 429, slug: 'too-many-failed-payments', title: 'Too many failed payments' },
  internal: { status: 500, slug: 'internal', title: 'Internal server error' },
  /** 503: a dependency (event store, Redis) cannot be reached; safe to retry. */
  unavailable: { status: 503, slug: 'unavailable', title: 'Service unavailable' },
  /** 422: the processor refused a capture or void (its code in `detail`); nothing changed there. */
  processor_refused: { status: 422, slug: 'processor-refused', title: 'Refused by the processor' },
  /** 503: the processor has not answered a capture or void yet; the service keeps sending it under the same key. */
  processor_pending: { status: 503, slug: 'processor-pending', title: 'Waiting for the processor' },
} as const;

export type ProblemKind = keyof typeof PROBLEM_KINDS;

/** The RFC 9457 body every error response carries. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** The request path. */
  instance: string;
  /** Equal to the response's X-Request-Id. */
  request_id: string;
  /** Field problems, for validation errors. Fields are dotted paths with array indexes in brackets: `processors[1].split`. */
  errors?: FieldError[];
}

export function problemType(kind: ProblemKind): string {
  return PROBLEM_TYPE_BASE + PROBLEM_KINDS[kind].slug;
}

/** Thrown by the conventions (and by controllers when no domain error fits) to answer with a problem of a given kind. */
export class ProblemException extends HttpException {
  constructor(
    readonly kind: ProblemKind,
    readonly detail: string,
    readonly extras: { errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(detail, PROBLEM_KINDS[kind].status);
  }
}
