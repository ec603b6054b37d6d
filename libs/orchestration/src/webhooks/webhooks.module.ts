import { DynamicModule, Module, Type } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { CheckoutSessionsModule } from '../checkout-sessions/checkout-sessions.module';
import { CommandRunner } from '../command-handling/command-runner';
import { Settings } from '../settings';
import { SETTINGS } from '../tokens';
import { RetryWebhookDeliveryHandler } from './webhook-delivery.commands';
import { WebhookDeliveryScheduler } from './webhook-delivery-scheduler';
import { WebhookDispatcher } from './webhook-dispatcher';
import {
  CreateWebhookEndpointHandler,
  DeleteWebhookEndpointHandler,
  RotateWebhookEndpointSecretHandler,
  UpdateWebhookEndpointHandler,
} from './webhook-endpoint.commands';
import { WebhookEndpointsReader } from './webhook-endpoints.reader';
import { WEBHOOK_PAYLOADS, WebhookPayloads } from './webhook-ports';
import { WebhookSender } from './webhook-sender';
import { WebhookUrlChecker, webhookUrlPolicy } from './webhook-url-checker';

/**
 * Webhooks: endpoint commands and reads, the scheduler that turns stored events into deliveries,
 * and the dispatcher that sends them. `payloads` shows each delivered object as the API does;
 * it may inject what CheckoutSessionsModule exports (the session links). Metrics are counted
 * when a WEBHOOK_METRICS provider is global.
 */
@Module({})
export class WebhooksModule {
  static withPayloads(payloads: Type<WebhookPayloads>): DynamicModule {
    return {
      module: WebhooksModule,
      imports: [CqrsModule, CheckoutSessionsModule],
      providers: [
        CommandRunner,
        WebhookUrlChecker,
        { provide: WebhookSender, inject: [SETTINGS], useFactory: (settings: Settings) => new WebhookSender({ publicAddressesOnly: webhookUrlPolicy(settings).publicAddressesOnly }) },
        { provide: WEBHOOK_PAYLOADS, useClass: payloads },
        WebhookDispatcher,
        WebhookDeliveryScheduler,
        WebhookEndpointsReader,
        CreateWebhookEndpointHandler,
        UpdateWebhookEndpointHandler,
        RotateWebhookEndpointSecretHandler,
        DeleteWebhookEndpointHandler,
        RetryWebhookDeliveryHandler,
      ],
      exports: [WebhookEndpointsReader],
    };
  }
}
