import { INestApplication, Injectable, OnModuleInit } from '@nestjs/common';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { DECORATORS } from '@nestjs/swagger/dist/constants';
import { FieldError, ProblemDetails } from '../http/api-problems';
import { DEFAULT_KINDS } from '../http/auth.guard';
import { AUTH_KINDS, PUBLIC_ROUTE, TokenKind } from '../http/principal';
import { PROBLEM_KINDS } from '../http/problem-details';
import { applyConventions } from './openapi-conventions';

const PROBLEM_SLUGS = Object.values(PROBLEM_KINDS).map((kind) => `\`${kind.slug}\``).join(', ');

/** The conventions every endpoint follows, shown at the top of /docs. */
const CONVENTIONS = `
Orchestrates card payments across connected payment processors: processor routes, cascading
price tiers, failover, and an event log of every decision.

## Authentication
\`Authorization: Bearer <token>\`, three kinds of token:
- **secret** \`st_<env>_…\`: every endpoint of its account.
- **publishable** \`pt_<env>_…\`: only \`GET /v1/checkout/sessions/{id}\` (reduced view) and
  \`POST /v1/checkout/sessions/{id}/pay\`; anything else is 403.
- **admin** (the \`ADMIN_TOKEN\` setting): only creating and listing \`/v1/accounts\`.

A missing or unknown token is 401. A resource of another account is 404, never 403, so that
its existence does not leak. \`/health\`, \`/metrics\` and \`/docs\` need no token.

## Errors
RFC 9457 problem details (\`application/problem+json\`): \`type\`, \`title\`, \`status\`, \`detail\`,
\`instance\`, \`request_id\`, and \`errors: [{field, message}]\` for validation.
\`type\` is \`https://docs.payments.example/errors/<slug>\` (${PROBLEM_SLUGS}). Field paths are dotted with
array indexes in brackets: \`processors[1].split\`. Each operation lists the statuses it can answer.

- **400**: the request has the wrong *shape*: the body is not a JSON object or not valid JSON
  (the detail gives the position only, never the body), a property is unknown, missing or of the
  wrong type, or a value is not one of an enum. \`__proto__\`, \`constructor\` and \`prototype\` are
  unknown properties at any depth, bodies nested deeper than 32 levels are refused, and numbers
  closer to zero than 1e-6 or integers past 2^53 are 400 too. Query strings and path parameters
  are always 400. When any field has a shape problem the answer is 400 and lists every field's
  problems.
- **422**: the request is well-typed but breaks a *rule*: ranges, lengths, counts, formats (URL,
  currency code), duplicates, an unknown or other account's referenced id, a card failing its
  Luhn check, control characters in a name. Every rule is checked once, by the domain, with one
  field error each. A card number anywhere in a body but \`payment_method.card.number\` of a pay
  (a name, an email, a custom field, a URL) is a 422 too: it would be stored and shown back.
- A body's problems (400, 413, 415) are answered only after the token is checked: a caller
  without a valid token gets 401 whatever it sent.
- No error repeats what the request sent, but for ids: an unknown property is named only when
  its name is a plain identifier; card numbers, security codes and tokens are masked and any
  word over 64 characters is cut to a short prefix, in \`detail\`, \`instance\` and \`errors\`.
- 409 state conflict (and a concurrent write that lost), 410 expired checkout session, 413 a body
  over 1 MB, 415 a body that is not JSON (or, where an operation takes one, a form), 429 rate
  limited (with \`Retry-After\`), 500 without internals, 503 a dependency is down.

## Request ids
Every response carries \`X-Request-Id\`: the caller's when it is 1 to 200 letters, digits or
\`_.:-\` and holds no card number or token, else a new \`req_…\`. On errors it equals the body's
\`request_id\`, except on an idempotent replay (below), whose body is the first answer's, with
the first request's \`request_id\`. Requests Node cannot parse (431 headers too large, 400
malformed) get problem details too.

## Idempotency
Every POST honours \`Idempotency-Key\` (1 to 255 printable ASCII characters, else 400): the first
completed response is kept for 24 hours per account and key and replayed byte for byte (status,
body, content type, plus \`Idempotent-Replayed: true\` and the replay's own \`X-Request-Id\`).
"The same request" means the same method, path with query and body. The same key with another
request is 422; while the first request still runs it is 409 (a running claim lapses after
60 s plus \`PAY_WAIT_MS\` if its process dies). Kept: 2xx, 404, 409, 410. Not kept, so a corrected
retry runs: 400, 401, 403, 413, 422, 429 and 5xx. \`POST /v1/accounts\` answers with tokens shown
once, which are never kept: a retry of it with the same key answers 409.

## Pagination
Lists take \`limit\` (1..100, default 50) and \`offset\` (>= 0, default 0) and answer
\`{items, total, has_more}\`; any other value is 400.

## Rate limits
Per token, \`RATE_LIMIT_PER_SECOND\` requests a second (default 1000); beyond it 429 with
\`Retry-After\`.

## Ids, money, time
Ids are \`<prefix>_<env>_<random>\` (\`env\` is \`prod\` or \`stg\`) and never contain \`-\`.
Money is integer minor units with an upper-case ISO 4217 \`currency\`. Timestamps are ISO 8601 UTC.
`;

/**
 * The token kinds each operation takes (null: none), by operationId, read from the same
 * metadata the AuthGuard reads, so the document's 401 and 403 answers cannot drift from it.
 */
function tokenKindsByOperation(app: INestApplication): Map<string, readonly TokenKind[] | null> {
  const reflector = new Reflector();
  const kinds = new Map<string, readonly TokenKind[] | null>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const { metatype } of module.controllers.values()) {
      if (typeof metatype !== 'function') continue;
      for (const name of Object.getOwnPropertyNames(metatype.prototype)) {
        const handler: unknown = metatype.prototype[name];
        if (typeof handler !== 'function') continue;
        const operationId = (Reflect.getMetadata(DECORATORS.API_OPERATION, handler) as { operationId?: string } | undefined)?.operationId;
        if (operationId === undefined) continue;
        const targets = [handler, metatype];
        kinds.set(operationId, reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets) ? null : (reflector.getAllAndOverride<TokenKind[]>(AUTH_KINDS, targets) ?? DEFAULT_KINDS));
      }
    }
  }
  return kinds;
}

function openApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Payment orchestration API')
    .setDescription(CONVENTIONS.trim())
    .setVersion('v1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A secret (st_…), publishable (pt_…) or admin token.' })
    .addSecurityRequirements('bearer')
    .addTag('Accounts', 'Merchant accounts and their defaults; opening one takes the admin token')
    .addTag('Processors', 'Connected payment processors and the card networks they take')
    .addTag('Processor routes', 'Which processors a payment tries, in which order, and when it fails over')
    .addTag('Catalog', 'Products, prices, customers, coupons and promotion codes')
    .addTag('Checkout sessions', 'What a customer pays, in up to ten cascade tiers')
    .addTag('Payments', 'Paying a checkout session, the events of each payment, and what follows its approval: capture, void and refunds')
    .addTag('Events', "The account's event stream for analytics consumers: pages to poll, or server-sent events")
    .addTag('Analytics', 'Approval rates, outcomes and latency per processor, and per route and tier, counted from the events in hourly buckets')
    .addTag('Webhooks', 'Endpoints that receive signed POSTs of payment and checkout session events, their secrets and their delivery logs')
    .addTag('Operations', 'Health, readiness and metrics, without a token')
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ProblemDetails, FieldError] });
  const tokenKinds = tokenKindsByOperation(app);
  // Every operation names its operationId (openapi.e2e-spec.ts checks it); one without is taken as the guard takes it by default.
  return applyConventions(document, (operationId) => {
    const kinds = operationId === undefined ? undefined : tokenKinds.get(operationId);
    return kinds === undefined ? DEFAULT_KINDS : kinds;
  });
}

/**
 * Serves Swagger UI at /docs and the OpenAPI 3 document at /docs-json. SwaggerModule adds
 * plain Express routes, outside Nest's guards (so no token is needed). Added during module
 * init, after Nest has mounted its middleware and routes but before its 404 handler, so that
 * /docs gets request ids, logging and metrics like every other route; added any earlier, in
 * configureOps, they would sit in front of all middleware.
 */
@Injectable()
export class OpenApiDocs implements OnModuleInit {
  private app?: INestApplication;

  /** Called by configureOps, before app.init(). */
  serveFrom(app: INestApplication): void {
    this.app = app;
  }

  onModuleInit(): void {
    if (this.app) SwaggerModule.setup('docs', this.app, openApiDocument(this.app));
  }
}
