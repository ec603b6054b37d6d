import { Global, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { LEASE_METRICS, PAYMENT_METRICS, PAYMENT_OPERATION_METRICS, SETTINGS, Settings, WEBHOOK_METRICS } from '@payments/orchestration';
import { HealthController } from './health.controller';
import { HttpMetricsMiddleware } from './http-metrics.middleware';
import { loggerParams } from './logging';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { OpenApiDocs } from './openapi-docs';
import { ReadinessProbe } from './readiness-probe';
import { ThreadFaultSignal } from './thread-fault-signal';
import { FollowedEventStoreGuard } from '../start-up/followed-event-store.guard';

/**
 * Operations: JSON request logs, health and readiness probes, Prometheus metrics and the
 * OpenAPI document. Global so any feature can inject MetricsService to record its metrics.
 */
@Global()
@Module({
  imports: [LoggerModule.forRootAsync({ inject: [SETTINGS], useFactory: (settings: Settings) => loggerParams(settings.logLevel) })],
  controllers: [HealthController, MetricsController],
  // PAYMENT_METRICS, PAYMENT_OPERATION_METRICS, WEBHOOK_METRICS, LEASE_METRICS: the ports through which the payment cascade, the operations after the approval, webhooks and the leases (libs/orchestration) count into these metrics.
  // FollowedEventStoreGuard: here, beside the readiness probe, as every app built by createApp needs it before its projections start.
  providers: [
    FollowedEventStoreGuard,
    MetricsService,
    ReadinessProbe,
    OpenApiDocs,
    ThreadFaultSignal,
    { provide: PAYMENT_METRICS, useExisting: MetricsService },
    { provide: PAYMENT_OPERATION_METRICS, useExisting: MetricsService },
    { provide: WEBHOOK_METRICS, useExisting: MetricsService },
    { provide: LEASE_METRICS, useExisting: MetricsService },
  ],
  exports: [MetricsService, PAYMENT_METRICS, PAYMENT_OPERATION_METRICS, WEBHOOK_METRICS, LEASE_METRICS],
})
export class OpsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes({ path: '*', method: RequestMethod.ALL });
  }
}
