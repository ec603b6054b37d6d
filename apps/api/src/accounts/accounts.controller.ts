import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AccountDefaultsSet, AccountsReader, CommandMetadata, OpenAccount, OpenedAccount, ProjectionsService, READ_MODEL_STORE, SetAccountDefaults } from '@payments/orchestration';
import { ReadModelStore, accountsListing, listAccounts } from '@payments/read-models';
import { routeReferences } from '@payments/read-models/projections/route-references';
import { ApiProblems } from '../http/api-problems';
import { PaginationQuery, toPage } from '../http/pagination';
import { RequestMetadata } from '../http/command-metadata';
import { OneTimeSecrets } from '../http/idempotency/one-time-secrets';
import { Auth, CurrentPrincipal, Principal, assertOwnedBy } from '../http/principal';
import { presentAccount, presentOpenedAccount } from './account.presenter';
import * as schema from './account.schema';
import { CreateAccountDto, UpdateAccountDto } from './account.dto';

@ApiTags('Accounts')
@ApiBearerAuth()
@Controller('v1/accounts')
export class AccountsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly reader: AccountsReader,
    @Inject(READ_MODEL_STORE) private readonly readModels: ReadModelStore,
    private readonly projections: ProjectionsService,
  ) {}

  @Post()
  @HttpCode(201)
  @Auth('admin')
  @OneTimeSecrets()
  @ApiOperation({
    operationId: 'createAccount',
    summary: 'Open an account (admin token). The tokens in the answer are shown once.',
    description: 'Only hashes of the tokens are kept, so a retry with the same Idempotency-Key answers 409 instead of replaying them.',
  })
  @ApiCreatedResponse({ type: schema.OpenedAccount, description: 'The account with its two tokens, shown only here' })
  @ApiProblems({ 409: 'The request with this Idempotency-Key already completed: its tokens are shown once, so it is not replayed.' })
  async create(@Body() body: CreateAccountDto, @RequestMetadata() metadata: CommandMetadata) {
    const opened = await this.commands.execute<OpenAccount, OpenedAccount>(new OpenAccount(body.name, metadata));
    await this.projections.waitFor(opened.position, undefined, [accountsListing]);
    return presentOpenedAccount(opened);
  }

  @Get()
  @Auth('admin')
  @ApiOperation({ operationId: 'listAccounts', summary: 'All accounts, newest first (admin token)' })
  @ApiOkResponse({ type: schema.AccountPage })
  async list(@Query() query: PaginationQuery) {
    const { items, total } = await listAccounts(this.readModels, query);
    return toPage(items.map(presentAccount), total, query);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getAccount', summary: 'The account of the secret token, without tokens' })
  @ApiOkResponse({ type: schema.Account })
  @ApiProblems({ 404: 'Not the account of the token.' })
  async get(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return presentAccount(await this.reader.account(ownAccount(principal, id)));
  }

  @Patch(':id')
  @ApiOperation({ operationId: 'updateAccount', summary: 'Set or clear the default processor and default route' })
  @ApiOkResponse({ type: schema.Account, description: 'The account as changed' })
  @ApiProblems({
    404: 'Not the account of the token.',
    409: 'The default route changed meanwhile, or a concurrent change came first; read the account again.',
    422: "The route or processor is unknown, deleted or another account's.",
  })
  async update(@Param('id') id: string, @Body() body: UpdateAccountDto, @CurrentPrincipal() principal: Principal, @RequestMetadata() metadata: CommandMetadata) {
    const defaults = { processorId: body.default_processor_id, routeId: body.default_processor_route_id };
    const { account, position } = await this.commands.execute<SetAccountDefaults, AccountDefaultsSet>(new SetAccountDefaults(ownAccount(principal, id), defaults, metadata));
    // The listing and the route's references (GET /v1/processor-routes/{id}) show the change at once.
    if (position !== undefined) await this.projections.waitFor(position, undefined, [accountsListing, routeReferences]);
    return presentAccount(account);
  }
}

/** A token reaches only its own account; any other id reads as missing. */
function ownAccount(principal: Principal, id: string): string {
  assertOwnedBy(principal, id, `no account ${id}`);
  return id;
}
