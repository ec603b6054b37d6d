import { INestApplication, Injectable, OnModuleInit } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

/** The conventions every endpoint follows (API.md "Conventions"), shown at the top of /docs. */
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
400 is a request the API cannot read (malformed JSON, wrong shape or type, bad query);
422 is a readable request that breaks a rule (unknown referenced id, …) — see README for the
exact rule. 409 state conflict, 410 expired session, 429 rate limited, 503 dependency down.

## Request ids
Every response carries \`X-Request-Id\`: the caller's, else a new \`req_…\`. On errors it equals
the body's \`request_id\`.

## Idempotency
Every POST honours \`Idempotency-Key\`: the first completed response (status and body) is kept
for 24 hours per account and key and replayed byte for byte. The same key with another body is
422; the same key while the first request still runs is 409. Validation failures are not kept.

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

function openApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Payment orchestration API')
    .setDescription(CONVENTIONS.trim())
    .setVersion('v1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A secret (st_…), publishable (pt_…) or admin token.' })
    .addSecurityRequirements('bearer')
    .build();
  return SwaggerModule.createDocument(app, config);
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
