import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Processor } from '@payments/domain';
import { AccountsReader, CommandMetadata, ConnectProcessor, ConnectedProcessor, UpdateProcessor } from '@payments/orchestration';
import { RequestMetadata } from '../http/command-metadata';
import { ApiProblems } from '../http/api-problems';
import { PaginationQuery, toPage } from '../http/pagination';
import { CurrentPrincipal, Principal, accountOf } from '../http/principal';
import { CreateProcessorDto, UpdateProcessorDto } from './processor.dto';
import { presentProcessor, settingsFromCreate, settingsPatch } from './processor.presenter';
import * as schema from './processor.schema';

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
  @ApiOperation({ operationId: 'createProcessor', summary: 'Connect a payment processor. The first one becomes the account default processor.' })
  @ApiBody({ type: CreateProcessorDto, examples: { simulator: { summary: 'A simulator that declines with 51', value: schema.CONNECT_PROCESSOR_EXAMPLE } } })
  @ApiCreatedResponse({ type: schema.Processor, description: 'The connected processor', example: schema.PROCESSOR_EXAMPLE })
  @ApiProblems({ 422: 'A value breaks a rule: timeout_ms outside 50..60000, fees out of range, an http connector without http, and so on.' })
  async create(@Body() body: CreateProcessorDto, @CurrentPrincipal() principal: Principal, @RequestMetadata() metadata: CommandMetadata) {
    const { processor, connectionOrder } = await this.commands.execute<ConnectProcessor, ConnectedProcessor>(
      new ConnectProcessor(accountOf(principal), body.connector, settingsFromCreate(body), metadata),
    );
    return presentProcessor(processor, connectionOrder);
  }

  @Get()
  @ApiOperation({ operationId: 'listProcessors', summary: 'Processors in connection order' })
  @ApiOkResponse({ type: schema.ProcessorPage })
  async list(@Query() query: PaginationQuery, @CurrentPrincipal() principal: Principal) {
    const { items, total } = await this.reader.processors(accountOf(principal), query);
    return toPage(
      items.map(({ processor, connectionOrder }) => presentProcessor(processor, connectionOrder)),
      total,
      query,
    );
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getProcessor', summary: 'One processor' })
  @ApiOkResponse({ type: schema.Processor })
  @ApiProblems(404)
  async get(@Param('id') id: string, @CurrentPrincipal() principal: Principal) {
    const { processor, connectionOrder } = await this.reader.processor(accountOf(principal), id);
    return presentProcessor(processor, connectionOrder);
  }

  @Patch(':id')
  @ApiOperation({ operationId: 'updateProcessor', summary: 'Change any field but the connector' })
  @ApiOkResponse({ type: schema.Processor, description: 'The processor as changed' })
  @ApiProblems(404, { 409: 'A concurrent change of the processor came first; read it again.' }, 422)
  async update(@Param('id') id: string, @Body() body: UpdateProcessorDto, @CurrentPrincipal() principal: Principal, @RequestMetadata() metadata: CommandMetadata) {
    const accountId = accountOf(principal);
    const processor = await this.commands.execute<UpdateProcessor, Processor>(new UpdateProcessor(accountId, id, settingsPatch(body), metadata));
    const { connectionOrder } = await this.reader.processor(accountId, processor.id);
    return presentProcessor(processor, connectionOrder);
  }
}
