import { createHash } from 'node:crypto';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap, Optional } from '@nestjs/common';
import { PaymentsEnv, WebhookTrigger, apiEventId, streamName, webhookDeliveryDecider } from '@payments/domain';
import { EventStore, RecordedEvent } from '@payments/event-store';
import { ProjectionRunner, ReadModelStore, describeError } from '@payments/read-models';
import { webhookScheduling } from '@payments/read-models/projections/webhook-subscriptions';
import { CommandRunner } from '../command-handling/command-runner';
import { READ_MODEL_STORE } from '../projections/read-models.tokens';
import { Settings } from '../settings';
import { EVENT_STORE, SETTINGS } from '../tokens';
import { WebhookDispatcher } from './webhook-dispatcher';
import { WEBHOOK_METRICS, WebhookMetrics } from './webhook-ports';

/** One delivery per endpoint and stored event, whoever schedules it and however often. */
export function webhookDeliveryId(env: PaymentsEnv, endpointId: string, storedEventId: string): string {
  return `whd_${env}_${createHash('sha256').update(`${endpointId}:${storedEventId}`).digest('hex').slice(0, 32)}`;
}

/**
 * The subscriber of DESIGN.md "Consumers of the log": follows the global log from its stored
 * checkpoint and turns each event that makes a webhook into a delivery of its own stream
 * (`webhook_delivery-<id>`, WebhookDeliveryScheduled), one per endpoint listening then. The
 * delivery id derives from the endpoint and the event, and scheduling an existing delivery
 * records nothing, so reading the log again (after a crash between the append and the
 * checkpoint, or from an older checkpoint) creates none twice. It then tells the dispatcher,
 * which makes the first try at once.
 */
@Injectable()
export class WebhookDeliveryScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookDeliveryScheduler.name);
  private readonly runner: ProjectionRunner;

  constructor(
    @Inject(EVENT_STORE) events: EventStore,
    @Inject(READ_MODEL_STORE) store: ReadModelStore,
    private readonly commands: CommandRunner,
    private readonly dispatcher: WebhookDispatcher,
    @Inject(SETTINGS) private readonly settings: Settings,
    @Optional() @Inject(WEBHOOK_METRICS) private readonly metrics?: WebhookMetrics,
  ) {
    const projection = webhookScheduling((event, trigger, endpointIds) => this.schedule(event, trigger, endpointIds));
    this.runner = new ProjectionRunner(projection, events, store, {
      onError: (error) => this.logger.error(`could not schedule webhook deliveries, retrying from the checkpoint: ${describeError(error)}`),
    });
  }

  onApplicationBootstrap(): void {
    this.runner.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }

  /** True once every event up to `position` has had its deliveries scheduled; false after `timeoutMs`. */
  waitFor(position: bigint, timeoutMs: number): Promise<boolean> {
    return this.runner.waitFor(position, timeoutMs);
  }

  private async schedule(event: RecordedEvent, trigger: WebhookTrigger, endpointIds: readonly string[]): Promise<void> {
    const accountId = event.metadata.account_id!;
    await Promise.all(
      endpointIds.map(async (endpointId) => {
        const deliveryId = webhookDeliveryId(this.settings.env, endpointId, event.id);
        const { events } = await this.commands.run(
          streamName('webhook_delivery', deliveryId),
          webhookDeliveryDecider,
          {
            type: 'ScheduleWebhookDelivery',
            deliveryId,
            accountId,
            endpointId,
            eventId: apiEventId(event.id, this.settings.env),
            webhookType: trigger.type,
            source: { stream: event.streamId, revision: Number(event.revision), type: event.type },
            createdAt: event.createdAt.toISOString(),
          },
          // Deterministic event ids: an append repeated after a lost acknowledgement is a no-op.
          { commandId: deliveryId, metadata: { accountId, correlationId: event.metadata.correlation_id ?? event.id, causationId: event.id } },
        );
        if (events.length === 0) return;
        this.metrics?.recordWebhookDelivery('scheduled');
        this.dispatcher.deliverSoon(deliveryId, endpointId);
      }),
    );
  }
}
