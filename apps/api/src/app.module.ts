import { DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { InfrastructureModule, ReadModelsModule, Settings } from '@payments/orchestration';
import { AccountsApiModule } from './accounts/accounts-api.module';
import { AnalyticsApiModule } from './analytics/analytics-api.module';
import { CatalogApiModule } from './catalog/catalog-api.module';
import { CheckoutSessionsApiModule } from './checkout-sessions/checkout-sessions-api.module';
import { EventsApiModule } from './events/events-api.module';
import { HttpConventionsModule } from './http/http-conventions.module';
import { CardTestingLimitsModule } from './http/rate-limit/card-testing-limits.module';
import { OpsModule } from './ops/ops.module';
import { PagesModule } from './pages/pages.module';
import { PaymentsApiModule } from './payments/payments-api.module';
import { RoutesApiModule } from './routes/routes-api.module';
import { WebhooksApiModule } from './webhooks/webhooks-api.module';

/**
 * The HTTP service. Feature modules register here; the ports they share come from
 * InfrastructureModule with the adapters that the settings choose.
 */
@Module({})
export class AppModule {
  static forSettings(settings: Settings): DynamicModule {
    return {
      module: AppModule,
      imports: [InfrastructureModule.forSettings(settings), ReadModelsModule.forRoot(), CqrsModule.forRoot(), HttpConventionsModule, CardTestingLimitsModule, OpsModule, AccountsApiModule, CatalogApiModule, CheckoutSessionsApiModule, RoutesApiModule, PaymentsApiModule, EventsApiModule, AnalyticsApiModule, WebhooksApiModule, PagesModule],
    };
  }
}
