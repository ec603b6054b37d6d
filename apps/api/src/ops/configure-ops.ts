import { INestApplication } from '@nestjs/common';
import { Logger } from 'nestjs-pino';
import { Settings } from '@payments/orchestration';
import { OpenApiDocs } from './openapi-docs';

/** App-level operations set-up: the pino logger for Nest's own logs, and the OpenAPI document at /docs and /docs-json. */
export function configureOps(app: INestApplication, _settings: Settings): void {
  app.useLogger(app.get(Logger));
  // Nest buffers (bufferLogs) until app.listen(), which the end-to-end tests never call: without
  // this, their logs would pile up unseen. Pino is attached now, so nothing needs holding back.
  app.flushLogs();
  app.get(OpenApiDocs).serveFrom(app);
}
