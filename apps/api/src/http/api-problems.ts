import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from './problem-details';

/** One field's problem: `field` is a dotted path with array indexes in brackets, `processors[1].split`. */
export class FieldError {
  @ApiProperty({ example: 'processors[1].split' })
  field!: string;

  @ApiProperty({ example: 'splits must add up to 100' })
  message!: string;
}

/** The OpenAPI schema of every error body (RFC 9457), rendered by ProblemDetailsFilter. */
export class ProblemDetails {
  @ApiProperty({ example: 'https://docs.payments.example/errors/validation', description: 'Stable: clients may branch on it. about:blank for statuses without a kind of their own' })
  type!: string;

  @ApiProperty({ example: 'Validation failed' })
  title!: string;

  @ApiProperty({ type: 'integer', example: 422, description: 'The HTTP status' })
  status!: number;

  @ApiProperty({ example: 'splits must add up to 100', description: 'For people; never quotes card data or internals' })
  detail!: string;

  @ApiProperty({ example: '/v1/processor-routes', description: 'The request path' })
  instance!: string;

  @ApiProperty({ example: 'req_9Xk2Lm5Qd8WzTq3Hs7Vb1Nc4', description: 'Equal to the X-Request-Id response header' })
  request_id!: string;

  @ApiPropertyOptional({ type: [FieldError], description: 'Every field problem, for 400 and 422' })
  errors?: FieldError[];
}

/** The statuses an error of this API can have. */
export type ProblemStatus = 400 | 401 | 403 | 404 | 409 | 410 | 413 | 415 | 422 | 429 | 500 | 503;

/** What each status means when an operation has nothing more precise to say. */
export const PROBLEM_DESCRIPTIONS: Record<ProblemStatus, string> = {
  400: 'The request has the wrong shape; `errors` names each field.',
  401: 'The bearer token is missing or not valid.',
  403: 'This operation does not take this kind of token.',
  404: "No such resource in the token's account (another account's reads as missing too).",
  409: "The resource's state forbids this now.",
  410: 'The resource is gone.',
  413: 'The body is larger than 1 MB.',
  415: 'The body is not of a media type this operation takes.',
  422: 'The request is well-formed but breaks a rule; `errors` names each field.',
  429: 'Too many requests with this token; retry after Retry-After seconds.',
  500: 'An unexpected error; `detail` holds no internals. Quote `request_id` when reporting it.',
  503: 'A dependency (event store, Redis) is unavailable; safe to retry.',
};

/** The OpenAPI response of a problem: the shared ProblemDetails schema as application/problem+json. */
export function problemResponse(description: string) {
  return { description, content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemDetails) } } } };
}

type ProblemNotes = Partial<Record<ProblemStatus, string>>;

/**
 * Documents the error statuses an operation gives of its own: a status alone takes its usual
 * meaning, `{409: 'why'}` says why. The conventions every operation shares (auth, rate limit,
 * idempotency, body size and media type) are added to the whole document by openapi-conventions.ts,
 * which appends their reasons to any status named here.
 *
 *   @ApiProblems(404, { 409: 'The session is not open.' })
 */
export function ApiProblems(...problems: Array<ProblemStatus | ProblemNotes>): MethodDecorator & ClassDecorator {
  const notes = problems.flatMap((problem): Array<[number, string]> =>
    typeof problem === 'number' ? [[problem, PROBLEM_DESCRIPTIONS[problem]]] : Object.entries(problem).map(([status, description]) => [Number(status), description]),
  );
  return applyDecorators(...notes.map(([status, description]) => ApiResponse({ status, ...problemResponse(description) })));
}
