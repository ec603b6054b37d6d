import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CommandMetadata, ProjectionsService, RetriedWebhookDelivery, RetryWebhookDelivery } from '@payments/orchestration';
import { webhookDeliveries } from '@payments/read-models/projections/webhook-deliveries';
import { ApiProblems } from '../http/api-problems';
import { RequestMetadata } from '../http/command-metadata';
import { CurrentPrincipal, Principal, accountOf } from '../http/principal';
import { presentWebhookDelivery } from './webhook-endpoint.presenter';
import { WebhookDelivery } from './webhook-endpoint.schema';

@ApiTags('Webhooks')
@ApiBearerAuth()
@Controller('v1/webhook-deliveries')
export class WebhookDeliveriesController {
  constructor(
    private readonly commands: CommandBus,
    private readonly projections: ProjectionsService,
  ) {}

  @Post(':id/retry')
  @HttpCode(200)
  @ApiOperation({
    operationId: 'createWebhookDeliveryRetry',
    summary: 'Try a pending or failed delivery again now',
    description:
      'Answers the delivery due now; the try follows at once, in the background. A failed delivery gets one more try (failing again if it fails); ' +
      'a pending one is brought forward and keeps its schedule. An acknowledged delivery is 409: receivers already have it.',
  })
  @ApiOkResponse({ type: WebhookDelivery, description: 'The delivery, pending and due now' })
  @ApiProblems({
    404: 'No webhook delivery with this id in the account, or its endpoint was deleted.',
    409: 'The delivery was acknowledged already (a 2xx), or its endpoint is disabled.',
  })
  async retry(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @RequestMetadata() metadata: CommandMetadata) {
    const { delivery, position } = await this.commands.execute<RetryWebhookDelivery, RetriedWebhookDelivery>(new RetryWebhookDelivery(accountOf(principal), id, metadata));
    if (position !== undefined) await this.projections.waitFor(position, undefined, [webhookDeliveries]);
    return presentWebhookDelivery(delivery);
  }
}
