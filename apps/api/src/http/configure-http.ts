import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Settings } from '@payments/orchestration';
import { noteFormPrototypeKeys, refuseUnsafeBodyShapes } from './body-shape';
import { answerClientError } from './client-error';
import { deferParserErrors } from './deferred-body-errors';
import { assignRequestId } from './request-id';

/** Largest accepted body; a checkout session with ten tiers of 100 line items stays far below it. */
const BODY_LIMIT = '1mb';

/**
 * App-level HTTP set-up that Nest modules cannot express. Order matters: the request id comes
 * first so that even a body the parsers reject answers with it. What is wrong with a body
 * (malformed JSON 400, too large 413, unsupported charset 415, prototype keys 400) is kept on
 * the request and answered by RequestBodyGuard once the token has been checked.
 */
export function configureHttp(app: INestApplication, settings: Settings): void {
  const express = app as NestExpressApplication;
  // Naming the framework only helps an attacker pick exploits.
  express.disable('x-powered-by');
  // The client address the card-testing limits count (request.ip): the socket's, unless TRUST_PROXY
  // names the proxies in front, whose X-Forwarded-For entries are then believed. Believing every
  // sender's header would let a card tester pick a new address for each try.
  express.set('trust proxy', settings.trustProxy);
  express.use(assignRequestId);
  // Not strict: `null`, `42` or `"text"` are valid JSON, and the validation pipe says they are not objects.
  express.useBodyParser('json', { limit: BODY_LIMIT, strict: false });
  express.use(deferParserErrors);
  // Bracket keys (`line_items[0][price_id]`) need qs ("extended"). Ten tiers of 100 line items
  // with two fields each exceed the default 1000 parameters.
  // Nest's type leaves out `verify` because its rawBody option would replace it; rawBody is off here.
  express.useBodyParser('urlencoded', { extended: true, limit: BODY_LIMIT, parameterLimit: 10_000, verify: noteFormPrototypeKeys } as Record<string, unknown>);
  express.use(deferParserErrors);
  express.use(refuseUnsafeBodyShapes);
  // Requests Node cannot parse never reach Express (see answerClientError).
  express.getHttpServer().on('clientError', answerClientError);
}
