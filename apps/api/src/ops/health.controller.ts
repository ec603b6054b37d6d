import { Controller, Get, HttpStatus, Req, Res } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { ServerResponse } from 'node:http';
import { ApiRequest, pathOf } from '../http/api-request';
import { Public } from '../http/principal';
import { PROBLEM_CONTENT_TYPE } from '../http/problem-details';
import { requestIdFor } from '../http/request-id';
import { Liveness, NotReady, Readiness } from './health.schema';
import { ReadinessChecks, ReadinessProbe, isReady } from './readiness-probe';

/** The parts of Express' response used here (the project has no express typings). */
type Response = ServerResponse & {
  status(code: number): Response;
  type(contentType: string): Response;
  json(body: unknown): void;
};

/** Liveness and readiness probes, outside /v1 and without a token. */
@ApiTags('Operations')
@Controller('health')
export class HealthController {
  constructor(private readonly probe: ReadinessProbe) {}

  @Public()
  @Get()
  @ApiOperation({ operationId: 'getHealth', summary: 'Liveness: the process answers', security: [] })
  @ApiOkResponse({ type: Liveness })
  liveness(): { status: 'ok' } {
    return { status: 'ok' };
  }

  // @Res without passthrough: Nest would otherwise overwrite the 503 with its default 200.
  @Public()
  @Get('ready')
  @ApiOperation({ operationId: 'getReadiness', summary: 'Readiness: the event store, the read models and Redis (when configured) answer', security: [] })
  @ApiOkResponse({ type: Readiness })
  @ApiServiceUnavailableResponse({
    description: 'A dependency is down; problem details with `checks`.',
    content: {
      [PROBLEM_CONTENT_TYPE]: {
        schema: { $ref: getSchemaPath(NotReady) },
        example: {
          type: 'about:blank',
          title: 'Service Unavailable',
          status: 503,
          detail: 'Not ready: redis is down.',
          instance: '/health/ready',
          request_id: 'req_9Xk2Lm5Qd8WzTq3Hs7Vb1Nc4',
          checks: { event_store: 'up', read_models: 'up', redis: 'down' },
        },
      },
    },
  })
  @ApiExtraModels(NotReady)
  async readiness(@Req() req: ApiRequest, @Res() res: Response): Promise<void> {
    const checks = await this.probe.check();
    if (isReady(checks)) {
      res.json({ status: 'ready', checks });
      return;
    }
    res.status(HttpStatus.SERVICE_UNAVAILABLE).type('application/problem+json').json(notReadyProblem(checks, req, res));
  }
}

function notReadyProblem(checks: ReadinessChecks, req: ApiRequest, res: Response) {
  const down = Object.entries(checks)
    .filter(([, state]) => state === 'down')
    .map(([dependency]) => dependency);
  return {
    type: 'about:blank',
    title: 'Service Unavailable',
    status: HttpStatus.SERVICE_UNAVAILABLE,
    detail: `Not ready: ${down.join(' and ')} ${down.length === 1 ? 'is' : 'are'} down.`,
    instance: pathOf(req),
    request_id: requestIdFor(req, res),
    checks,
  };
}
