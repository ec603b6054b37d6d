import { Module } from '@nestjs/common';
import { AccountsModule, AnalyticsModule, CatalogModule, CheckoutSessionsModule, PaymentsModule } from '@payments/orchestration';
import { EventsApiModule } from '../events/events-api.module';
import { CheckoutPageController } from './checkout/checkout-page.controller';
import { DashboardController } from './dashboard/dashboard.controller';
import { DashboardReads } from './dashboard/dashboard-reads';
import { DashboardSessions } from './dashboard/dashboard-sessions';
import { PageAssets } from './page-assets';
import { PageAssetsController } from './page-assets.controller';
import { PageErrorsFilter } from './page-errors.filter';

/**
 * The pages (API.md "Operations", Pages): the hosted checkout page, the operator dashboard and
 * the files they load. Outside the OpenAPI document: they answer HTML to people, not JSON to clients.
 */
@Module({
  imports: [AccountsModule, CatalogModule, CheckoutSessionsModule, PaymentsModule, AnalyticsModule, EventsApiModule],
  controllers: [CheckoutPageController, DashboardController, PageAssetsController],
  providers: [PageAssets, PageErrorsFilter, DashboardSessions, DashboardReads],
})
export class PagesModule {}
