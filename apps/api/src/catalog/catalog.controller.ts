import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Type } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CatalogItem, CatalogKind, notFound } from '@payments/domain';
import {
  CatalogInputs,
  CatalogItemCreated,
  CatalogItemInput,
  CatalogReader,
  CommandMetadata,
  CreateCatalogItem,
  ProjectionsService,
  READ_MODEL_STORE,
} from '@payments/orchestration';
import { ReadModelStore } from '@payments/read-models';
import { catalogListing, listCatalogItems } from '@payments/read-models/projections/catalog-listing';
import { RequestMetadata } from '../http/command-metadata';
import { ApiProblems, ProblemStatus } from '../http/api-problems';
import { PaginationQuery, toPage } from '../http/pagination';
import { CurrentPrincipal, Principal, accountOf } from '../http/principal';
import { presentCatalogItem } from './catalog.presenter';
import { CATALOG_SCHEMAS } from './catalog.schema';

/** What creating each kind can break beyond its body's shape. */
const CREATE_PROBLEMS: { [Kind in CatalogKind]: Partial<Record<ProblemStatus, string>> } = {
  product: { 422: 'The name is blank or too long.' },
  price: { 422: 'The product is unknown or of another account, unit_amount is out of range, or currency is not an upper-case ISO 4217 code.' },
  customer: { 422: 'The email is not an email address, or the name is blank or too long.' },
  coupon: { 422: 'Not exactly one of percent_off and amount_off, percent_off out of range, amount_off without a currency, or a blank name.' },
  promotion_code: { 409: 'The account already has this code, in any case.', 422: 'The code is not 1 to 50 letters or digits, or the coupon is unknown.' },
};

/**
 * The controller of one catalog kind at `/v1/<path>`: create, list newest first, get one. The
 * kinds differ only in their body, so one class serves them all; secret tokens only.
 */
export function catalogController<Kind extends CatalogKind>(kind: Kind, path: string, body: Type<CatalogInputs[Kind]>): Type<unknown> {
  const noun = kind.replace('_', ' ');
  const { item: itemSchema, page: pageSchema } = CATALOG_SCHEMAS[kind];
  const singular = pascalCase(kind.replace('_', '-'));

  @ApiTags('Catalog')
  @ApiBearerAuth()
  @Controller(`v1/${path}`)
  class CatalogController {
    constructor(
      private readonly commands: CommandBus,
      private readonly reader: CatalogReader,
      @Inject(READ_MODEL_STORE) private readonly readModels: ReadModelStore,
      private readonly projections: ProjectionsService,
    ) {}

    @Post()
    @HttpCode(201)
    @ApiOperation({ operationId: `create${singular}`, summary: `Create a ${noun}` })
    @ApiCreatedResponse({ type: itemSchema, description: `The ${noun}` })
    @ApiProblems(CREATE_PROBLEMS[kind])
    async create(@Body() input: CatalogInputs[Kind], @CurrentPrincipal() principal: Principal, @RequestMetadata() metadata: CommandMetadata) {
      // TypeScript cannot see that a kind and its own input make one member of the union.
      const command = new CreateCatalogItem(accountOf(principal), { ...input, kind } as CatalogItemInput, metadata);
      const { item, position } = await this.commands.execute<CreateCatalogItem, CatalogItemCreated<Kind>>(command);
      await this.projections.waitFor(position, undefined, [catalogListing]);
      return presentCatalogItem(kind, item);
    }

    @Get()
    @ApiOperation({ operationId: `list${pascalCase(path)}`, summary: `The account's ${noun}s, newest first` })
    @ApiOkResponse({ type: pageSchema })
    async list(@Query() query: PaginationQuery, @CurrentPrincipal() principal: Principal) {
      const { items, total } = await listCatalogItems(this.readModels, accountOf(principal), kind, query);
      return toPage(
        items.map((item) => presentCatalogItem(kind, item)),
        total,
        query,
      );
    }

    @Get(':id')
    @ApiOperation({ operationId: `get${singular}`, summary: `One ${noun}` })
    @ApiOkResponse({ type: itemSchema })
    @ApiProblems(404)
    async get(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
      const item: CatalogItem<Kind> | undefined = await this.reader.item(kind, accountOf(principal), id);
      if (!item) throw notFound(`no ${noun} ${id}`);
      return presentCatalogItem(kind, item);
    }
  }

  // `body` is a value here, so TypeScript emits Object as the type of `create`'s body; the
  // validation pipe and the OpenAPI document read the real class from this metadata.
  Reflect.defineMetadata('design:paramtypes', [body, Object, Object], CatalogController.prototype, 'create');
  // Nest's route log and error messages name controllers by class: each kind gets a name of its own.
  Object.defineProperty(CatalogController, 'name', { value: `${pascalCase(path)}Controller` });
  return CatalogController;
}

function pascalCase(path: string): string {
  return path.replace(/(^|-)([a-z])/g, (_, _dash: string, letter: string) => letter.toUpperCase());
}
