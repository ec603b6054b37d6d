import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Processor } from '@payments/domain';
import { AccountsReader, CommandMetadata, ConnectProcessor, ConnectedProcessor, UpdateProcessor } from '@payments/orchestration';
import { RequestMetadata } from '../http/command-metadata';
import { PaginationQuery, toPage } from '../http/pagination';
import { CurrentPrincipal, Principal, accountOf } from '../http/principal';
import { CreateProcessorDto, UpdateProcessorDto } from './processor.dto';
import { presentProcessor, settingsFromCreate, settingsPatch } from './processor.presenter';

@ApiTags('Processors')
@ApiBearerAuth()
@Controller('v1/processors')
export class ProcessorsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly reader: AccountsReader,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Connect a payment processor. The first one becomes the account default processor.' })
  async create(@Body() body: CreateProcessorDto, @CurrentPrincipal() principal: Principal, @RequestMetadata() metadata: CommandMetadata) {
    const { processor, connectionOrder } = await this.commands.execute<ConnectProcessor, ConnectedProcessor>(
      new ConnectProcessor(accountOf(principal), body.connector, settingsFromCreate(body), metadata),
    );
    return presentProcessor(processor, connectionOrder);
  }

  @Get()
  @ApiOperation({ summary: 'Processors in connection order' })
  async list(@Query() query: PaginationQuery, @CurrentPrincipal() principal: Principal) {
    const { items, total } = await this.reader.processors(accountOf(principal), query);
    return toPage(
      items.map(({ processor, connectionOrder }) => presentProcessor(processor, connectionOrder)),
      total,
      query,
    );
  }

  @Get(':id')
  async get(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    const { processor, connectionOrder } = await this.reader.processor(accountOf(principal), id);
    return presentProcessor(processor, connectionOrder);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change any field but the connector' })
  async update(@Param('id') id: string, @Body() body: UpdateProcessorDto, @CurrentPrincipal() principal: Principal, @RequestMetadata() metadata: CommandMetadata) {
    const accountId = accountOf(principal);
    const processor = await this.commands.execute<UpdateProcessor, Processor>(new UpdateProcessor(accountId, id, settingsPatch(body), metadata));
    const { connectionOrder } = await this.reader.processor(accountId, processor.id);
    return presentProcessor(processor, connectionOrder);
  }
}
