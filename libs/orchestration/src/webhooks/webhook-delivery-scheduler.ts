import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { apiEventId, streamName, webhookDeliveryDecider } from '@payments/domain';
import { ReadModelStore } from '@payments/read-models';
import { WebhookOutboxEntry, unscheduledWebhookDeliveries } from '@payments/read-models/projections/webhook-outbox';
import { CommandRunner } from '../command-handling/command-runner';
import { errorMessage } from '../error-message';
import { READ_MODEL_STORE } from '../projections/read-models.tokens';
import { Settings } from '../settings';
import { SETTINGS } from '../tokens';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WEBHOOK_METRICS, WebhookMetrics } from './webhook-ports';

/** How often the outbox is read: the delay a webhook's first try may have after its event. */
const TICK_MS = 200;
/** Most entries scheduled in one go; a backlog drains over several. */
const BATCH = 200;

/**
 * Turns the webhook outbox (the webhook_outbox projection: each stored event that makes a
 * webhook, per endpoint listening when it was stored) into deliveries: a WebhookDeliveryScheduled
 * in the delivery's own stream `webhook_delivery-<id>`, then tells the dispatcher, which makes
 * the first try at once. The projection follows the log from its checkpoint off this thread, and
 * drops an entry when its WebhookDeliveryScheduled comes by. Scheduling is idempotent (a
 * delivery that exists records nothing, and its event id derives from the delivery id), so an
 * entry read again before the projection has dropped it, or a second process, creates nothing twice.
 * It schedules in the process that sends webhooks (the holder of the dispatcher's lease
 * `webhooks`), so the first try follows at once there.
 */
@Injectable()
export class WebhookDeliveryScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookDeliveryScheduler.name);
  private timer: NodeJS.Timeout | undefined;
  private scheduling: Promise<void> | undefined;
  private stopped = false;

  constructor(
    @Inject(READ_MODEL_STORE) private readonly store: ReadModelStore,
    private readonly commands: CommandRunner,
    private readonly dispatcher: WebhookDispatcher,
    @Inject(SETTINGS) private readonly settings: Settings,
    @Optional() @Inject(WEBHOOK_METRICS) private readonly metrics?: WebhookMetrics,
  ) {}

  onApplicationBootstrap(): void {
    this.scheduleTick();
  }

  /** Waits for scheduling in progress, so that nothing is appended while the stores close. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.scheduling;
  }

  /** Schedules what the outbox holds now. */
  async scheduleOutbox(): Promise<void> {
    const entries = await unscheduledWebhookDeliveries(this.store, BATCH);
    await Promise.all(entries.map((entry) => this.schedule(entry).catch((error: unknown) => this.failed(entry, error))));
  }

  private scheduleTick(): void {
    this.timer = setTimeout(() => {
      this.scheduling = (this.dispatcher.sending ? this.scheduleOutbox() : Promise.resolve())
        .catch((error: unknown) => this.logger.error(`could not read the webhook outbox, trying again: ${errorMessage(error)}`))
        .finally(() => {
          this.scheduling = undefined;
          if (!this.stopped) this.scheduleTick();
        });
    }, TICK_MS);
  }

  private async schedule(entry: WebhookOutboxEntry): Promise<void> {
    const deliveryId = `whd_${this.settings.env}_${entry.key}`;
    const { event } = entry;
    const { events } = await this.commands.run(
      streamName('webhook_delivery', deliveryId),
      webhookDeliveryDecider,
      {
        type: 'ScheduleWebhookDelivery',
        deliveryId,
        accountId: entry.account_id,
        endpointId: entry.endpoint_id,
        eventId: apiEventId(event.id, this.settings.env),
        webhookType: entry.type,
        source: { stream: event.stream, revision: event.revision, type: event.type },
        createdAt: event.created_at,
      },
      // Deterministic event ids: an append repeated after a lost acknowledgement is a no-op.
      { commandId: deliveryId, metadata: { accountId: entry.account_id, correlationId: event.correlation_id ?? event.id, causationId: event.id } },
    );
    if (events.length === 0) return;
    this.metrics?.recordWebhookDelivery('scheduled');
    this.dispatcher.deliverSoon(deliveryId, entry.endpoint_id);
  }

  private failed(entry: WebhookOutboxEntry, error: unknown): void {
    this.logger.error(`could not schedule the webhook of event ${entry.event.id} to endpoint ${entry.endpoint_id}, trying again: ${errorMessage(error)}`);
  }
}
