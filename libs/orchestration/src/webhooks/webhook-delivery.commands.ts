import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { WebhookDelivery, notFound, streamName, webhookDeliveryDecider, webhookEndpointDecider } from '@payments/domain';
import { CommandRunner } from '../command-handling/command-runner';
import { CommandMetadata } from '../command-handling/handle-command';
import { WebhookDispatcher } from './webhook-dispatcher';
import { webhookDeliveryStream } from './webhook-endpoint-stream';

export class RetryWebhookDelivery {
  constructor(
    readonly accountId: string,
    readonly deliveryId: string,
    readonly metadata: CommandMetadata,
  ) {}
}

export interface RetriedWebhookDelivery {
  delivery: WebhookDelivery;
  position: bigint | undefined;
}

/**
 * `POST /v1/webhook-deliveries/{id}/retry`: a pending or failed delivery is due now, and the
 * dispatcher is told at once. Its endpoint must be enabled; an acknowledged one is a conflict.
 */
@CommandHandler(RetryWebhookDelivery)
export class RetryWebhookDeliveryHandler implements ICommandHandler<RetryWebhookDelivery, RetriedWebhookDelivery> {
  constructor(
    private readonly runner: CommandRunner,
    private readonly dispatcher: WebhookDispatcher,
  ) {}

  async execute({ accountId, deliveryId, metadata }: RetryWebhookDelivery): Promise<RetriedWebhookDelivery> {
    const stream = webhookDeliveryStream(deliveryId);
    const current = await this.runner.load(stream, webhookDeliveryDecider);
    if (current.status === 'none') throw notFound(`no webhook delivery ${deliveryId}`);
    const endpoint = await this.runner.load(streamName('webhook_endpoint', current.delivery.endpointId), webhookEndpointDecider);
    const endpointStatus = endpoint.status === 'live' ? endpoint.endpoint.status : 'missing';
    const result = await this.runner.run(stream, webhookDeliveryDecider, { type: 'RetryWebhookDelivery', deliveryId, accountId, endpoint: endpointStatus }, { metadata, retries: 3 });
    if (result.state.status === 'none') throw notFound(`no webhook delivery ${deliveryId}`);
    this.dispatcher.deliverSoon(deliveryId, result.state.delivery.endpointId);
    return { delivery: result.state.delivery, position: result.position };
  }
}
