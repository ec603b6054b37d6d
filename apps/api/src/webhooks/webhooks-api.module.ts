import { Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { WebhooksModule } from '@payments/orchestration';
import { WebhookDeliveriesController } from './webhook-deliveries.controller';
import { WebhookEndpointsController } from './webhook-endpoints.controller';
import { ApiWebhookPayloads } from './webhook-payloads';

/** Webhook endpoints and deliveries over HTTP; deliveries show their objects with the API's presenters. */
@Module({
  imports: [CqrsModule, WebhooksModule.withPayloads(ApiWebhookPayloads)],
  controllers: [WebhookEndpointsController, WebhookDeliveriesController],
})
export class WebhooksApiModule {}
