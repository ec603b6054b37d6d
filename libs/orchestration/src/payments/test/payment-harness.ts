import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Global, Module } from '@nestjs/common';
import { CqrsModule, CommandBus } from '@nestjs/cqrs';
import { Test, TestingModule } from '@nestjs/testing';
import { CardInput, CardSummary, Clock, PaymentEvent, ProcessorSettings, RouteDefinitionInput, RoutingAttemptInput, checkoutSessionDecider, streamName } from '@payments/domain';
import { readStreamToArray } from '@payments/event-store';
import { SimulatorLedger } from '@payments/processors';
import { CatalogItemCreated, CreateCatalogItem } from '../../catalog/catalog.commands';
import { CreateCheckoutSession, CreatedCheckoutSession } from '../../checkout-sessions/create-checkout-session';
import { ConnectProcessor, ConnectedProcessor, OpenAccount, OpenedAccount } from '../../accounts/accounts.commands';
import { CommandRunner } from '../../command-handling/command-runner';
import { InfrastructureModule } from '../../infrastructure.module';
import { LEASE_STORE, LeaseStore } from '../../leases/lease-store';
import { ReadModelsModule } from '../../projections/read-models.module';
import { CreateRoute } from '../../routes/route.commands';
import { RouteChange } from '../../routes/route-stream';
import { loadSettings } from '../../settings';
import { CLOCK } from '../../tokens';
import { AttemptPayment, AttemptedPayment, PayCheckoutSession } from '../pay-checkout-session';
import { PaymentCards } from '../payment-cards';
import { PAYMENT_METRICS, PaymentMetrics } from '../payment-metrics';
import { PaymentsModule } from '../payments.module';
import { paymentEventsOf } from '../payment-stream';
import { SIMULATOR_LEDGER } from '../processor-connectors.module';

export const VISA = '4242424242424242';

/** Every count the cascade reported, as `payments:<status>` and `<processor>:<outcome>`. */
export class RecordedMetrics implements PaymentMetrics {
  readonly counts = new Map<string, number>();

  recordPayment(status: string): void {
    this.add(`payments:${status}`);
  }

  recordProcessorOutcome(processorId: string, outcome: string): void {
    this.add(`${processorId}:${outcome}`);
  }

  recordStepRetry(step: string): void {
    this.add(`retry:${step}`);
  }

  /** The last count of unresolved attempts the resolver reported (a gauge, not in `counts`). */
  unresolvedAttempts: number | undefined;

  setUnresolvedAttempts(count: number): void {
    this.unresolvedAttempts = count;
  }

  recordAttemptResolution(outcome: string): void {
    this.add(`resolution:${outcome}`);
  }

  recordLateApprovalUndo(method: string, outcome: string): void {
    this.add(`undo:${method}:${outcome}`);
  }

  recordResolutionRetry(): void {
    this.add('resolution:retry');
  }

  private add(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
}

/** One tier of a test session: its amount (a price of that amount, quantity 1) and its own route. */
export interface TierSpec {
  amount: number;
  currency?: string;
  routeId?: string | null;
}

/**
 * The orchestration modules a pay needs, on a temporary data directory (SQLite event store,
 * read models and simulator ledger), with one account opened. Several harnesses on one data
 * directory behave like several processes of the service on one machine.
 */
export class PaymentHarness {
  private constructor(
    readonly module: TestingModule,
    readonly dataDir: string,
    readonly accountId: string,
    readonly metrics: RecordedMetrics,
    private readonly ownsDataDir: boolean,
  ) {}

  /**
   * `env`: settings beside DATA_DIR (ATTEMPT_RESOLUTION_BACKOFF, say). `leases`: a lease store
   * shared with other harnesses, which then behave as processes of one deployment (by default
   * each has its own, as a one-process deployment does).
   */
  static async start(options: { dataDir?: string; accountId?: string; clock?: Clock; env?: Record<string, string>; leases?: LeaseStore } = {}): Promise<PaymentHarness> {
    const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'payments-int-'));
    const metrics = new RecordedMetrics();

    @Global()
    @Module({ providers: [{ provide: PAYMENT_METRICS, useValue: metrics }], exports: [PAYMENT_METRICS] })
    class RecordedMetricsModule {}

    const builder = Test.createTestingModule({
      imports: [InfrastructureModule.forSettings(loadSettings({ ...options.env, DATA_DIR: dataDir })), ReadModelsModule.forRoot(), CqrsModule.forRoot(), RecordedMetricsModule, PaymentsModule],
    });
    if (options.clock) builder.overrideProvider(CLOCK).useValue(options.clock);
    if (options.leases) builder.overrideProvider(LEASE_STORE).useValue(options.leases);
    const module = await builder.compile();
    await module.init();
    const commands = module.get(CommandBus);
    const accountId = options.accountId ?? (await commands.execute<OpenAccount, OpenedAccount>(new OpenAccount('Shop', {}))).account.id;
    return new PaymentHarness(module, dataDir, accountId, metrics, options.dataDir === undefined);
  }

  get commands(): CommandBus {
    return this.module.get(CommandBus);
  }

  get ledger(): SimulatorLedger {
    return this.module.get(SIMULATOR_LEDGER);
  }

  get runner(): CommandRunner {
    return this.module.get(CommandRunner);
  }

  /** A simulated processor; `simulator` and the other settings override an always-approving one. */
  async processor(name: string, over: Partial<Omit<ProcessorSettings, 'simulator'>> & { simulator?: Partial<NonNullable<ProcessorSettings['simulator']>> } = {}): Promise<string> {
    const { simulator, ...settings } = over;
    const { processor } = await this.commands.execute<ConnectProcessor, ConnectedProcessor>(
      new ConnectProcessor(
        this.accountId,
        'simulator',
        {
          name,
          supported_currencies: [],
          supported_networks: [],
          fees: { percent: 0, fixed: 0 },
          status: 'active',
          timeout_ms: 5000,
          http: null,
          ...settings,
          simulator: { outcome: 'approve', decline_code: '05', latency_ms: 0, approve_optimized_retry: false, ...simulator },
        },
        {},
      ),
    );
    return processor.id;
  }

  async route(definition: Partial<RouteDefinitionInput> & Pick<RouteDefinitionInput, 'processors'>): Promise<string> {
    const { route } = await this.commands.execute<CreateRoute, RouteChange>(new CreateRoute(this.accountId, { name: 'Route', ...definition }, {}));
    return route.id;
  }

  /** A checkout session whose tiers cost the given amounts. */
  async session(tiers: readonly TierSpec[], processorRouteId: string | null = null): Promise<string> {
    const { item: product } = await this.commands.execute<CreateCatalogItem, CatalogItemCreated>(new CreateCatalogItem(this.accountId, { kind: 'product', name: 'Plan' }, {}));
    const lineItems = await Promise.all(
      tiers.map(async ({ amount, currency = 'USD' }) => {
        const { item } = await this.commands.execute<CreateCatalogItem, CatalogItemCreated>(
          new CreateCatalogItem(this.accountId, { kind: 'price', product_id: product.id, unit_amount: amount, currency }, {}),
        );
        return [{ price_id: item.id, quantity: 1 }];
      }),
    );
    const [first, ...cascade] = lineItems;
    const { session } = await this.commands.execute<CreateCheckoutSession, CreatedCheckoutSession>(
      new CreateCheckoutSession(
        this.accountId,
        {
          line_items: first,
          cascade_line_items: cascade.map((line_items, index) => ({ line_items, processor_route_id: tiers[index + 1].routeId ?? null })),
          processor_route_id: tiers[0].routeId ?? processorRouteId,
          success_url: 'https://shop.example/ok',
        },
        {},
      ),
    );
    return session.id;
  }

  /** Pays the session and waits until the payment has finished and the session knows. */
  async pay(sessionId: string, options: { card?: Partial<CardInput>; attempts?: RoutingAttemptInput[] } = {}): Promise<string> {
    const { paymentId, finished } = await this.attempt(sessionId, options);
    await finished;
    return paymentId;
  }

  attempt(sessionId: string, options: { card?: Partial<CardInput>; attempts?: RoutingAttemptInput[] } = {}): Promise<AttemptedPayment> {
    return this.module.get(PayCheckoutSession).start(new AttemptPayment(this.accountId, sessionId, this.card(options.card), options.attempts, {}));
  }

  /** The test card (VISA, 12/2040), `over` changing any of its fields, summarised as the API edge does. */
  card(over: Partial<CardInput> = {}): CardSummary {
    return this.module.get(PaymentCards).summarise({ number: VISA, exp_month: 12, exp_year: 2040, cvc: '123', ...over });
  }

  async events(paymentId: string): Promise<PaymentEvent[]> {
    const recorded = await readStreamToArray(this.runner.store, streamName('payment', paymentId));
    return paymentEventsOf(recorded);
  }

  async eventTypes(paymentId: string): Promise<string[]> {
    return (await this.events(paymentId)).map((event) => event.type);
  }

  async checkoutSession(sessionId: string) {
    const state = await this.runner.load(streamName('checkout_session', sessionId), checkoutSessionDecider);
    if (state.status === 'none') throw new Error(`no session ${sessionId}`);
    return state.session;
  }

  async close(): Promise<void> {
    await this.module.close();
    if (this.ownsDataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }
}
