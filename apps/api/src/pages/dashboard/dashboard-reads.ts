import { Inject, Injectable } from '@nestjs/common';
import { AccountsReader, AnalyticsReader, PaymentsReader, ProjectionsService, READ_MODEL_STORE, SETTINGS, Settings } from '@payments/orchestration';
import { ReadModelStore } from '@payments/read-models';
import { listRoutes } from '@payments/read-models/projections/route-listing';
import { findRouteReferences } from '@payments/read-models/projections/route-references';
import { listWebhookDeliveries } from '@payments/read-models/projections/webhook-deliveries';
import { listWebhookEndpoints } from '@payments/read-models/projections/webhook-endpoints';
import { presentEvent } from '../../events/event.presenter';
import { POSITION } from '../../events/events.dto';
import { CardTestingRefusalCounts } from '../../http/rate-limit/card-testing-refusal-counts';
import { presentPayment } from '../../payments/payment.presenter';
import { presentRouteWithReferences } from '../../routes/processor-route.presenter';
import { presentWebhookDelivery, presentWebhookEndpoint } from '../../webhooks/webhook-endpoint.presenter';
import { ProcessorRow, RouteRow, WebhookEndpointRow } from './account-pages.view';
import { PaymentTimeline, paymentTimeline } from './payment-timeline';
import { PaymentSummary, PaymentsPageData } from './payments.view';

/** The dashboard shows lists of a size an operator reads on one screen; the API pages through the rest. */
const ROUTES_SHOWN = 100;
const ENDPOINTS_SHOWN = 20;
const DELIVERIES_SHOWN = 10;
/** How long a live refresh waits for the read models; they are usually milliseconds behind. */
const CATCH_UP_WAIT_MS = 2000;
const NO_REFERENCES = { checkoutSessions: 0, accountDefault: false };

/**
 * What the dashboard's pages show, read through the same readers and presenters as the API
 * answers (so a page shows exactly what GET /v1/… would, and nothing the API withholds).
 */
@Injectable()
export class DashboardReads {
  constructor(
    private readonly accounts: AccountsReader,
    private readonly payments: PaymentsReader,
    private readonly analytics: AnalyticsReader,
    private readonly projections: ProjectionsService,
    @Inject(READ_MODEL_STORE) private readonly store: ReadModelStore,
    @Inject(SETTINGS) private readonly settings: Settings,
    private readonly refusals: CardTestingRefusalCounts,
  ) {}

  async accountName(accountId: string): Promise<string> {
    return (await this.accounts.account(accountId)).name;
  }

  /** A processor's name by its id, for every processor of the account; an id it does not know reads as itself. */
  async processorNames(accountId: string): Promise<(id: string) => string> {
    const { items } = await this.accounts.processors(accountId);
    const names = new Map(items.map(({ processor }) => [processor.id, processor.name]));
    return (id) => names.get(id) ?? id;
  }

  /**
   * The log position every read model has reached: what a page shows is as of it, so the live
   * stream resumes there and misses nothing the page does not show (an event the page already
   * shows may come again; the script's refresh is idempotent).
   */
  liveAfter(): bigint {
    const applied = this.projections.status().map(({ position }) => position ?? 0n);
    return applied.length === 0 ? 0n : applied.reduce((lowest, position) => (position < lowest ? position : lowest));
  }

  /**
   * Waits, briefly, until the read models hold the event at `asOf` (a position the live stream
   * gave the page's script), so a region the script fetches again shows at least what the feed
   * does. Anything but a position is ignored; a read model that is late past the wait is read
   * as it is, and the next event fetches again.
   */
  async caughtUpTo(asOf: string | undefined): Promise<void> {
    if (asOf !== undefined && POSITION.test(asOf)) await this.projections.waitFor(BigInt(asOf), CATCH_UP_WAIT_MS);
  }

  async paymentsPage(accountId: string, page: number, pageSize: number): Promise<PaymentsPageData> {
    const [{ items, total }, refusals] = await Promise.all([this.payments.list(accountId, { limit: pageSize, offset: (page - 1) * pageSize }), this.refusals.of(accountId)]);
    return { payments: items.map((view) => presentPayment(view)), total, page, pageSize, refusals };
  }

  /** One payment and its timeline, from its stream (404 for another account's). */
  async payment(accountId: string, paymentId: string, processorName: (id: string) => string): Promise<{ payment: PaymentSummary; timeline: PaymentTimeline }> {
    const [{ view }, events] = await Promise.all([this.payments.payment(accountId, paymentId), this.payments.events(accountId, paymentId)]);
    const presented = events.map((event) => presentEvent(event, this.settings.env));
    return { payment: presentPayment(view), timeline: paymentTimeline(presented, processorName) };
  }

  async routes(accountId: string): Promise<RouteRow[]> {
    const { items } = await listRoutes(this.store, accountId, { limit: ROUTES_SHOWN, offset: 0 });
    const references = await Promise.all(items.map((route) => findRouteReferences(this.store, route.id)));
    return items.map((route, index) => presentRouteWithReferences(route, references[index] ?? NO_REFERENCES));
  }

  /** Every processor with its numbers of the analytics' default window (the last 24 hours). */
  async processors(accountId: string): Promise<{ rows: ProcessorRow[]; window: { from: string; to: string } }> {
    const [{ items }, report] = await Promise.all([this.accounts.processors(accountId), this.analytics.processors(accountId, {})]);
    const numbers = new Map(report.items.map((item) => [item.processor_id, item]));
    const rows = items.map(({ processor }) => ({ id: processor.id, name: processor.name, status: processor.status, connector: processor.connector, analytics: numbers.get(processor.id) }));
    return { rows, window: { from: report.from, to: report.to } };
  }

  async webhooks(accountId: string): Promise<WebhookEndpointRow[]> {
    const { items } = await listWebhookEndpoints(this.store, accountId, { limit: ENDPOINTS_SHOWN, offset: 0 });
    return Promise.all(
      items.map(async (endpoint) => {
        const deliveries = await listWebhookDeliveries(this.store, endpoint.id, { limit: DELIVERIES_SHOWN, offset: 0 });
        return { ...presentWebhookEndpoint(endpoint), deliveries: deliveries.items.map(presentWebhookDelivery), deliveriesTotal: deliveries.total };
      }),
    );
  }
}
