import { Body, Controller, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { invalid, notFound } from '@payments/domain';
import { AccountsReader, CommandMetadata, OpenAccount, OpenedAccount, ProjectionsService, READ_MODEL_STORE, SetAccountDefaults } from '@payments/orchestration';
import { ReadModelStore, listAccounts } from '@payments/read-models';
import { PaginationQuery, toPage } from '../http/pagination';
import { RequestMetadata } from '../http/command-metadata';
import { OneTimeSecrets } from '../http/idempotency/one-time-secrets';
import { Auth, CurrentPrincipal, Principal, accountOf } from '../http/principal';
import { presentAccount, presentAccountSummary, presentOpenedAccount } from './account.presenter';
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
    summary: 'Open an account (admin token). The tokens in the answer are shown once.',
    description: 'Only hashes of the tokens are kept, so a retry with the same Idempotency-Key answers 409 instead of replaying them.',
  })
  async create(@Body() body: CreateAccountDto, @RequestMetadata() metadata: CommandMetadata) {
    const opened = await this.commands.execute<OpenAccount, OpenedAccount>(new OpenAccount(body.name, metadata));
    await this.projections.waitFor(opened.position);
    return presentOpenedAccount(opened);
  }

  @Get()
  @Auth('admin')
  @ApiOperation({ summary: 'All accounts, newest first (admin token)' })
  async list(@Query() query: PaginationQuery) {
    const { items, total } = await listAccounts(this.readModels, query);
    return toPage(items.map(presentAccountSummary), total, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'The account of the secret token, without tokens' })
  async get(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    return presentAccount(await this.reader.account(ownAccount(principal, id)));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Set or clear the default processor and default route' })
  async update(@Param('id') id: string, @Body() body: UpdateAccountDto, @CurrentPrincipal() principal: Principal, @RequestMetadata() metadata: CommandMetadata) {
    const accountId = ownAccount(principal, id);
    if (typeof body.default_processor_route_id === 'string') {
      throw invalid(`no processor route ${body.default_processor_route_id}`, [
        { field: 'default_processor_route_id', message: `unknown processor route ${body.default_processor_route_id}` },
      ]);
    }
    const account = await this.commands.execute(new SetAccountDefaults(accountId, body.default_processor_id, metadata));
    return presentAccount(account);
  }
}

/** A token reaches only its own account; any other id reads as missing. */
function ownAccount(principal: Principal, id: string): string {
  const accountId = accountOf(principal);
  if (id !== accountId) throw notFound(`no account ${id}`);
  return accountId;
}
