import { STATUS_CODES } from 'node:http';
import { OpenAPIObject } from '@nestjs/swagger';
import {
  HeaderObject,
  MediaTypeObject,
  OperationObject,
  ParameterObject,
  ReferenceObject,
  RequestBodyObject,
  ResponseObject,
  SchemaObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { PROBLEM_DESCRIPTIONS, ProblemStatus, problemResponse } from '../http/api-problems';
import { isReplayedStatus } from '../http/idempotency/idempotency.interceptor';
import { TokenKind } from '../http/principal';
import { PROBLEM_CONTENT_TYPE, PROBLEM_KINDS, problemType } from '../http/problem-details';

/*
 * The conventions that global middleware, guards and interceptors apply to every route
 * (HttpConventionsModule, configureHttp) are written into the document here, once, so that no
 * operation can miss them: controllers document only what is their own (ApiProblems).
 */

const FORM = 'application/x-www-form-urlencoded';
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;

const HEADERS: Record<string, HeaderObject> = {
  RequestId: {
    description: "The caller's X-Request-Id when it is 1 to 200 of `A-Za-z0-9_.:-`, else a new `req_…`; equal to `request_id` in problem details.",
    schema: { type: 'string', example: 'req_9Xk2Lm5Qd8WzTq3Hs7Vb1Nc4' },
  },
  RetryAfter: { description: 'Whole seconds to wait before the next request with this token.', schema: { type: 'integer', minimum: 1, example: 1 } },
  IdempotentReplayed: {
    description: 'Present on a response replayed for a repeated Idempotency-Key: the stored response of the first request.',
    schema: { type: 'string', enum: ['true'] },
  },
  WwwAuthenticate: { description: 'The bearer challenge (RFC 6750).', schema: { type: 'string', example: 'Bearer error="invalid_token"' } },
  AcceptPost: { description: 'The media types a POST takes (RFC 9110).', schema: { type: 'string', example: 'application/json' } },
  AcceptPatch: { description: 'The media types a PATCH takes (RFC 5789).', schema: { type: 'string', example: 'application/json' } },
};

/** Methods whose bodies RequestBodyGuard checks, and what it takes where an operation declares no body. */
const BODY_METHODS = new Set(['post', 'put', 'patch']);
const JSON_ONLY = 'application/json';

const IDEMPOTENCY_KEY: ParameterObject = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Makes a retry safe: the first completed response (2xx, 404, 409, 410) is kept for 24 hours per account and key and replayed byte for byte. ' +
    'The same key with another method, path or body is 422; while the first request runs, 409. 1 to 255 printable ASCII characters, else 400.',
  schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7E]{1,255}$', example: 'connect-acme-eu-1' },
};

const ref = (kind: 'headers' | 'parameters', name: string): ReferenceObject => ({ $ref: `#/components/${kind}/${name}` });

/** What a convention adds to an operation's problems, appended to whatever the controller said. */
type Reasons = Partial<Record<ProblemStatus, string[]>>;

const TOKEN_KINDS: readonly TokenKind[] = ['secret', 'publishable', 'admin'];

/** The token kinds an operation takes, by operationId; null for a public operation. */
export type TokenKindsOf = (operationId: string | undefined) => readonly TokenKind[] | null;

interface OperationFacts {
  /** null: no token needed. */
  tokens: readonly TokenKind[] | null;
  method: string;
  body?: RequestBodyObject;
  query: boolean;
}

function conventionReasons({ tokens, method, body, query }: OperationFacts): Reasons {
  const reasons: Reasons = { 500: [PROBLEM_DESCRIPTIONS[500]] };
  const add = (status: ProblemStatus, reason: string) => (reasons[status] ??= []).push(reason);
  if (body) {
    add(400, 'The body is not valid JSON or not a JSON object, or a property is unknown, missing, of the wrong type or not one of its values; `errors` lists every field.');
    add(413, PROBLEM_DESCRIPTIONS[413]);
    add(422, PROBLEM_DESCRIPTIONS[422]);
  }
  if (BODY_METHODS.has(method)) {
    add(415, body ? `The body is not ${Object.keys(body.content).join(' or ')}.` : `The request has a body, which this operation does not need, that is not ${JSON_ONLY}.`);
  }
  if (query) add(400, 'A query parameter is unknown, repeated where it cannot be, or out of range.');
  if (tokens) {
    add(401, PROBLEM_DESCRIPTIONS[401]);
    add(403, `Takes ${tokens.join(' and ')} tokens only; ${and(TOKEN_KINDS.filter((kind) => !tokens.includes(kind)))} tokens are refused.`);
    add(429, PROBLEM_DESCRIPTIONS[429]);
    add(503, PROBLEM_DESCRIPTIONS[503]);
  }
  if (tokens && method === 'post') {
    add(400, 'The Idempotency-Key header is not 1 to 255 printable ASCII characters.');
    add(409, 'A request with the same Idempotency-Key is still running; retry later.');
    add(422, 'The Idempotency-Key was used before with a different request.');
  }
  return reasons;
}

/** A problem body as the filter renders it, for the response's example; its detail is the description's first reason. */
function problemExample(status: number, instance: string, description: string) {
  const kind = Object.entries(PROBLEM_KINDS).find(([, known]) => known.status === status);
  return {
    type: kind ? problemType(kind[0] as keyof typeof PROBLEM_KINDS) : 'about:blank',
    title: kind?.[1].title ?? STATUS_CODES[status],
    status,
    detail: /^.*?\.(?=\s|$)/.exec(description)?.[0] ?? description,
    instance,
    request_id: 'req_9Xk2Lm5Qd8WzTq3Hs7Vb1Nc4',
  };
}

function resolve<T extends object>(document: OpenAPIObject, item: T | ReferenceObject): T {
  if (!('$ref' in item)) return item;
  const [, , kind, name] = item.$ref.split('/');
  return (document.components as Record<string, Record<string, T>>)[kind][name];
}

/**
 * Bracket keys (`line_items[0][price_id]`), as the extended urlencoded parser reads them: the
 * deepObject style for every object or array property of a form body.
 */
function formEncoding(document: OpenAPIObject, media: MediaTypeObject): MediaTypeObject['encoding'] {
  if (!media.schema) return undefined;
  const schema = resolve<SchemaObject>(document, media.schema);
  const nested = Object.entries(schema.properties ?? {}).filter(([, property]) => {
    const resolved = resolve<SchemaObject>(document, property);
    return resolved.type === 'array' || resolved.type === 'object' || resolved.allOf !== undefined;
  });
  return Object.fromEntries(nested.map(([name]) => [name, { style: 'deepObject', explode: true }]));
}

function and(words: readonly string[]): string {
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}

function applyToOperation(document: OpenAPIObject, path: string, method: string, operation: OperationObject, tokenKindsOf: TokenKindsOf): void {
  const body = operation.requestBody && resolve<RequestBodyObject>(document, operation.requestBody);
  const parameters = (operation.parameters ?? []).map((parameter) => resolve<ParameterObject>(document, parameter));
  const facts: OperationFacts = {
    tokens: tokenKindsOf(operation.operationId),
    method,
    body,
    query: parameters.some((parameter) => parameter.in === 'query'),
  };

  if (facts.tokens && method === 'post') operation.parameters = [...(operation.parameters ?? []), ref('parameters', 'IdempotencyKey')];
  // The media types of one body share one object: the form's gets a copy of its own.
  if (body?.content[FORM]) body.content[FORM] = { ...body.content[FORM], encoding: formEncoding(document, body.content[FORM]) };

  for (const [status, reasons] of Object.entries(conventionReasons(facts))) {
    const existing = operation.responses[status] as ResponseObject | undefined;
    // A status the controller described keeps its words; the usual meaning would only repeat them.
    const added = existing ? reasons!.filter((reason) => reason !== PROBLEM_DESCRIPTIONS[Number(status) as ProblemStatus]) : reasons!;
    operation.responses[status] = { ...problemResponse(''), ...existing, description: unique([existing?.description, ...added]) };
  }

  for (const [status, response] of Object.entries(operation.responses)) {
    const resolved = resolve<ResponseObject>(document, response!);
    // @nestjs/swagger copies an ApiResponse `example` into its content and leaves it beside: OpenAPI has no such field there.
    delete (resolved as { example?: unknown }).example;
    const code = Number(status);
    resolved.headers = { 'X-Request-Id': ref('headers', 'RequestId'), ...resolved.headers };
    if (code === 429) resolved.headers['Retry-After'] = ref('headers', 'RetryAfter');
    if (code === 401) resolved.headers['WWW-Authenticate'] = ref('headers', 'WwwAuthenticate');
    if (code === 415) resolved.headers[method === 'patch' ? 'Accept-Patch' : 'Accept-Post'] = ref('headers', method === 'patch' ? 'AcceptPatch' : 'AcceptPost');
    if (isReplayedStatus(code) && facts.tokens && method === 'post') resolved.headers['Idempotent-Replayed'] = ref('headers', 'IdempotentReplayed');
    const problem = resolved.content?.[PROBLEM_CONTENT_TYPE];
    if (problem && problem.example === undefined && problem.examples === undefined) problem.example = problemExample(code, path, resolved.description);
  }
}

/** Sentences in order, each once. */
function unique(sentences: Array<string | undefined>): string {
  return [...new Set(sentences.filter((sentence): sentence is string => Boolean(sentence)))].join(' ');
}

/** Writes the shared conventions into every operation of the document, in place. */
export function applyConventions(document: OpenAPIObject, tokenKindsOf: TokenKindsOf): OpenAPIObject {
  document.components = {
    ...document.components,
    headers: { ...document.components?.headers, ...HEADERS },
    parameters: { ...document.components?.parameters, IdempotencyKey: IDEMPOTENCY_KEY },
  };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (operation) applyToOperation(document, path, method, operation, tokenKindsOf);
    }
  }
  return document;
}
