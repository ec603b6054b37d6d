import { Inject, Injectable } from '@nestjs/common';
import { WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint, notFound, webhookEndpointDecider } from '@payments/domain';
import { Page, ReadModelStore } from '@payments/read-models';
import { listWebhookDeliveries } from '@payments/read-models/projections/webhook-deliveries';
import { WebhookEndpointView, listWebhookEndpoints } from '@payments/read-models/projections/webhook-endpoints';
import { CommandRunner } from '../command-handling/command-runner';
import { READ_MODEL_STORE } from '../projections/read-models.tokens';
import { webhookEndpointStream } from './webhook-endpoint-stream';

/** Reads of webhook endpoints: one from its stream, the source of truth; lists and delivery logs from the read models. */
@Injectable()
export class WebhookEndpointsReader {
  constructor(
    private readonly runner: CommandRunner,
    @Inject(READ_MODEL_STORE) private readonly store: ReadModelStore,
  ) {}

  /** A deleted endpoint, or another account's, reads as missing. */
  async endpoint(accountId: string, endpointId: string): Promise<WebhookEndpoint> {
    const state = await this.runner.load(webhookEndpointStream(endpointId), webhookEndpointDecider);
    if (state.status !== 'live' || state.endpoint.accountId !== accountId) throw notFound(`no webhook endpoint ${endpointId}`);
    return state.endpoint;
  }

  list(accountId: string, page: { limit: number; offset: number }): Promise<Page<WebhookEndpointView>> {
    return listWebhookEndpoints(this.store, accountId, page);
  }

  /** The endpoint's delivery log, newest first; the endpoint must be the account's and not deleted. */
  async deliveries(accountId: string, endpointId: string, query: { status?: WebhookDeliveryStatus; limit: number; offset: number }): Promise<Page<WebhookDelivery>> {
    await this.endpoint(accountId, endpointId);
    return listWebhookDeliveries(this.store, endpointId, query);
  }
}
