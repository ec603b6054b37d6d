import { Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Registry } from 'prom-client';
import { ProjectionsService } from '@payments/orchestration';
import { Public } from '../http/principal';
import { MetricsService } from './metrics.service';

@ApiTags('operations')
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
  @ApiOperation({ summary: 'Prometheus metrics: HTTP latency, payments, processor outcomes, projection lag', security: [] })
  scrape(): Promise<string> {
    // Lag is read at scrape time: the runners know it, and a scrape is when anyone looks.
    for (const { projection, lag } of this.projections.status()) this.metrics.setProjectionLag(projection, Number(lag));
    return this.metrics.render();
  }
}
