import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CommandMetadata, CreateRoute, DeleteRoute, ProjectionsService, READ_MODEL_STORE, RouteChange, UpdateRoute } from '@payments/orchestration';
import { ReadModelStore } from '@payments/read-models';
import { RouteView, findRoute, listRoutes, routeListing } from '@payments/read-models/projections/route-listing';
import { findRouteReferences, routeReferences } from '@payments/read-models/projections/route-references';
import { RequestMetadata } from '../http/command-metadata';
import { ApiProblems } from '../http/api-problems';
import { PaginationQuery, toPage } from '../http/pagination';
import { CurrentPrincipal, Principal, accountOf, assertOwnedBy } from '../http/principal';
import { CreateProcessorRouteDto, UpdateProcessorRouteDto } from './processor-route.dto';
import { presentRoute, presentRouteWithReferences } from './processor-route.presenter';
import { CREATE_ROUTE_EXAMPLE, ProcessorRoute, ProcessorRoutePage, ProcessorRouteWithReferences, ROUTE_EXAMPLE } from './processor-route.schema';

const ROUTE_RULES =
  'A rule is broken, with a field error each, for example: 1 to 20 distinct processors of the account, splits only with volume_split and adding up to 100, ' +
  'rules only with rule_based, condition values that fit their field and operator, max_attempts 1 to 20, a blank or too long name.';

/** Shown while the reference-count projection has not yet seen a route the listing already has. */
const NO_REFERENCES = { checkoutSessions: 0, accountDefault: false };

@ApiTags('Processor routes')
@ApiBearerAuth()
@Controller('v1/processor-routes')
export class ProcessorRoutesController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(READ_MODEL_STORE) private readonly readModels: ReadModelStore,
    private readonly projections: ProjectionsService,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ operationId: 'createProcessorRoute', summary: 'Create a processor route at revision 1. Shape problems are 400, broken rules 422 with a field error each.' })
  @ApiBody({ type: CreateProcessorRouteDto, examples: { failover: { summary: 'Try one processor, fail over to another', value: CREATE_ROUTE_EXAMPLE } } })
  @ApiCreatedResponse({ type: ProcessorRoute, description: 'The route, every default filled in', example: ROUTE_EXAMPLE })
  @ApiProblems({ 422: ROUTE_RULES })
  async create(@Body() body: CreateProcessorRouteDto, @CurrentPrincipal() principal: Principal, @RequestMetadata() metadata: CommandMetadata) {
    const { route, position } = await this.commands.execute<CreateRoute, RouteChange>(new CreateRoute(accountOf(principal), body, metadata));
    await this.readYourWrite(position);
    return presentRoute(route);
  }

  @Get()
  @ApiOperation({ operationId: 'listProcessorRoutes', summary: 'Live routes, newest first; deleted routes are not listed' })
  @ApiOkResponse({ type: ProcessorRoutePage })
  async list(@Query() query: PaginationQuery, @CurrentPrincipal() principal: Principal) {
    const { items, total } = await listRoutes(this.readModels, accountOf(principal), query);
    return toPage(items.map(presentRoute), total, query);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getProcessorRoute', summary: 'A live route with `references: {checkout_sessions, account_default}`; a deleted route is 404' })
  @ApiOkResponse({ type: ProcessorRouteWithReferences })
  @ApiProblems({ 404: 'No live route with this id in the account (a deleted route too).' })
  async get(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    const [route, references] = await Promise.all([this.ownRoute(principal, id), findRouteReferences(this.readModels, id)]);
    return presentRouteWithReferences(route, references ?? NO_REFERENCES);
  }

  @Patch(':id')
  @ApiOperation({ operationId: 'updateProcessorRoute', summary: 'Change any field; `revision` increments when something changed. Payments record the revision they used.' })
  @ApiOkResponse({ type: ProcessorRoute, description: 'The route as changed' })
  @ApiProblems({ 404: 'No live route with this id in the account.', 409: 'A concurrent change of the route came first; read it again.', 422: ROUTE_RULES })
  async update(@Param('id') id: string, @Body() body: UpdateProcessorRouteDto, @CurrentPrincipal() principal: Principal, @RequestMetadata() metadata: CommandMetadata) {
    const { route, position } = await this.commands.execute<UpdateRoute, RouteChange>(new UpdateRoute(accountOf(principal), id, body, metadata));
    await this.readYourWrite(position);
    return presentRoute(route);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    operationId: 'deleteProcessorRoute',
    summary: 'Delete a route: 204. 409 while an open checkout session or the account default references it, naming them in `detail`. It stays in the event history.',
  })
  @ApiNoContentResponse({ description: 'Deleted: GET answers 404 from now on' })
  @ApiProblems({
    404: 'No live route with this id in the account.',
    409: 'An open checkout session or the account default references the route (named in `detail`), or a concurrent change came first.',
  })
  async remove(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @RequestMetadata() metadata: CommandMetadata): Promise<void> {
    const { position } = await this.commands.execute<DeleteRoute, RouteChange>(new DeleteRoute(accountOf(principal), id, metadata));
    await this.readYourWrite(position);
  }

  /** Another account's route reads as missing, like a deleted one. */
  private async ownRoute(principal: Principal, id: string): Promise<RouteView> {
    const route = await findRoute(this.readModels, id);
    assertOwnedBy(principal, route?.accountId, `no processor route ${id}`);
    return route!;
  }

  /** Lists and GET read projections: answer once they show this change. */
  private async readYourWrite(position: bigint | undefined): Promise<void> {
    if (position !== undefined) await this.projections.waitFor(position, undefined, [routeListing, routeReferences]);
  }
}
