import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  CommandMetadata,
  CreateWebhookEndpoint,
  DeleteWebhookEndpoint,
  ProjectionsService,
  RotateWebhookEndpointSecret,
  UpdateWebhookEndpoint,
  WebhookEndpointChange,
  WebhookEndpointsReader,
} from '@payments/orchestration';
import { webhookEndpointsListing } from '@payments/read-models/projections/webhook-endpoints';
import { ApiProblems } from '../http/api-problems';
import { RequestMetadata } from '../http/command-metadata';
import { OneTimeSecrets } from '../http/idempotency/one-time-secrets';
import { PaginationQuery, toPage } from '../http/pagination';
import { CurrentPrincipal, Principal, accountOf } from '../http/principal';
import { CreateWebhookEndpointDto, ListWebhookDeliveriesQuery, UpdateWebhookEndpointDto } from './webhook-endpoint.dto';
import { presentWebhookDelivery, presentWebhookEndpoint, presentWebhookEndpointWithSecret } from './webhook-endpoint.presenter';
import * as schema from './webhook-endpoint.schema';

const NO_ENDPOINT = 'No webhook endpoint with this id in the account (a deleted one too).';
const ENDPOINT_RULES = 'A rule is broken, with a field error each: the URL rule, an unknown or repeated event name, "*" with others, a blank or too long description.';
const SHOWN_ONCE = 'The request with this Idempotency-Key already completed: its secret is shown once, so it is not replayed.';

@ApiTags('Webhooks')
@ApiBearerAuth()
@Controller('v1/webhook-endpoints')
export class WebhookEndpointsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly reader: WebhookEndpointsReader,
    private readonly projections: ProjectionsService,
  ) {}

  @Post()
  @HttpCode(201)
  @OneTimeSecrets()
  @ApiOperation({
    operationId: 'createWebhookEndpoint',
    summary: 'Add a webhook endpoint; its signing secret is in this answer only',
    description:
      'Each stored event of a type the endpoint listens to is POSTed to it, signed with PaymentKit-Signature, and retried on anything but a 2xx within 10 s (docs/webhooks.md). ' +
      'The secret is never kept for an Idempotency-Key replay: a retry with the same key answers 409.',
  })
  @ApiBody({ type: CreateWebhookEndpointDto, examples: { fulfilment: { summary: 'Payments and completed sessions', value: schema.CREATE_WEBHOOK_ENDPOINT_EXAMPLE } } })
  @ApiCreatedResponse({ type: schema.WebhookEndpointWithSecret, description: 'The endpoint, enabled, with its secret', example: schema.WEBHOOK_ENDPOINT_EXAMPLE })
  @ApiProblems({ 409: SHOWN_ONCE, 422: ENDPOINT_RULES })
  async create(@Body() body: CreateWebhookEndpointDto, @CurrentPrincipal() principal: Principal, @RequestMetadata() metadata: CommandMetadata) {
    const settings = { url: body.url, events: body.events, description: body.description ?? null };
    const change = await this.commands.execute<CreateWebhookEndpoint, WebhookEndpointChange>(new CreateWebhookEndpoint(accountOf(principal), settings, metadata));
    await this.readYourWrite(change);
    return presentWebhookEndpointWithSecret(change);
  }

  @Get()
  @ApiOperation({ operationId: 'listWebhookEndpoints', summary: 'Webhook endpoints, newest first; deleted ones are not listed' })
  @ApiOkResponse({ type: schema.WebhookEndpointPage })
  async list(@Query() query: PaginationQuery, @CurrentPrincipal() principal: Principal) {
    const { items, total } = await this.reader.list(accountOf(principal), query);
    return toPage(items.map(presentWebhookEndpoint), total, query);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getWebhookEndpoint', summary: 'One webhook endpoint, without its secret' })
  @ApiOkResponse({ type: schema.WebhookEndpoint })
  @ApiProblems({ 404: NO_ENDPOINT })
  async get(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return presentWebhookEndpoint(await this.reader.endpoint(accountOf(principal), id));
  }

  @Patch(':id')
  @ApiOperation({ operationId: 'updateWebhookEndpoint', summary: 'Change the URL, the events, the status or the description' })
  @ApiOkResponse({ type: schema.WebhookEndpoint, description: 'The endpoint as changed' })
  @ApiProblems({ 404: NO_ENDPOINT, 409: 'A concurrent change of the endpoint came first; read it again.', 422: ENDPOINT_RULES })
  async update(@Param('id') id: string, @Body() body: UpdateWebhookEndpointDto, @CurrentPrincipal() principal: Principal, @RequestMetadata() metadata: CommandMetadata) {
    const change = await this.commands.execute<UpdateWebhookEndpoint, WebhookEndpointChange>(new UpdateWebhookEndpoint(accountOf(principal), id, body, metadata));
    await this.readYourWrite(change);
    return presentWebhookEndpoint(change.endpoint);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ operationId: 'deleteWebhookEndpoint', summary: 'Delete a webhook endpoint: no delivery is made to it again, pending ones included. It stays in the event history.' })
  @ApiNoContentResponse({ description: 'Deleted: GET answers 404 from now on' })
  @ApiProblems({ 404: NO_ENDPOINT, 409: 'A concurrent change of the endpoint came first; try again.' })
  async remove(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @RequestMetadata() metadata: CommandMetadata): Promise<void> {
    await this.readYourWrite(await this.commands.execute<DeleteWebhookEndpoint, WebhookEndpointChange>(new DeleteWebhookEndpoint(accountOf(principal), id, metadata)));
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @OneTimeSecrets()
  @ApiOperation({
    operationId: 'createWebhookEndpointSecret',
    summary: 'Rotate the signing secret: the new one is in this answer only, and the old one keeps signing beside it for 24 h',
    description:
      'Until the old secret expires every delivery carries two `v1=` values, the new secret\'s first; a second rotation in that time ends the older secret at once. ' +
      'A retry with the same Idempotency-Key answers 409.',
  })
  @ApiOkResponse({ type: schema.WebhookEndpointWithSecret, description: 'The endpoint with its new secret' })
  @ApiProblems({ 404: NO_ENDPOINT, 409: `${SHOWN_ONCE} Or a concurrent change of the endpoint came first.` })
  async rotateSecret(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @RequestMetadata() metadata: CommandMetadata) {
    const change = await this.commands.execute<RotateWebhookEndpointSecret, WebhookEndpointChange>(new RotateWebhookEndpointSecret(accountOf(principal), id, metadata));
    await this.readYourWrite(change);
    return presentWebhookEndpointWithSecret(change);
  }

  @Get(':id/deliveries')
  @ApiOperation({ operationId: 'listWebhookDeliveries', summary: "The endpoint's delivery log, newest first, with every try; filter status" })
  @ApiOkResponse({ type: schema.WebhookDeliveryPage })
  @ApiProblems({ 404: NO_ENDPOINT })
  async deliveries(@Param('id') id: string, @Query() query: ListWebhookDeliveriesQuery, @CurrentPrincipal() principal: Principal) {
    const { items, total } = await this.reader.deliveries(accountOf(principal), id, { status: query.status, limit: query.limit, offset: query.offset });
    return toPage(items.map(presentWebhookDelivery), total, query);
  }

  /** The list reads a projection: answer once it shows this change. */
  private async readYourWrite({ position }: WebhookEndpointChange): Promise<void> {
    if (position !== undefined) await this.projections.waitFor(position, undefined, [webhookEndpointsListing]);
  }
}
