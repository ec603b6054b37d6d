import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Registry } from 'prom-client';
import { ProjectionsService } from '@payments/orchestration';
import { Public } from '../http/principal';
import { MetricsService } from './metrics.service';

@ApiTags('Operations')
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly projections: ProjectionsService,
  ) {}

  @Public()
  @Get()
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @ApiProduces(Registry.PROMETHEUS_CONTENT_TYPE)
  @ApiOperation({ operationId: 'getMetrics', summary: 'Prometheus metrics: HTTP latency, payments, processor outcomes, projection lag', security: [] })
  @ApiOkResponse({ description: 'The Prometheus text format', schema: { type: 'string', example: '# HELP http_request_duration_seconds ...' } })
  scrape(): Promise<string> {
    // Lag is read at scrape time: the runners know it, and a scrape is when anyone looks.
    for (const { projection, lag } of this.projections.status()) this.metrics.setProjectionLag(projection, Number(lag));
    return this.metrics.render();
  }
}
