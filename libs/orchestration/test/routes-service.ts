import { CommandBus, CqrsModule } from '@nestjs/cqrs';
import { Test, TestingModule } from '@nestjs/testing';
import { EventStore } from '@payments/event-store';
import { ReadModelStore } from '@payments/read-models';
import { routeListing } from '@payments/read-models/projections/route-listing';
import { routeReferences } from '@payments/read-models/projections/route-references';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AccountsModule,
  CheckoutSessionsModule,
  CommandMetadata,
  CommandRunner,
  ConnectProcessor,
  ConnectedProcessor,
  EVENT_STORE,
  InfrastructureModule,
  OpenAccount,
  OpenedAccount,
  ProjectionsService,
  READ_MODEL_STORE,
  ReadModelsModule,
  RoutesModule,
  loadSettings,
} from '@payments/orchestration';

export interface RoutesService {
  module: TestingModule;
  commands: CommandBus;
  /** For steps of a command run alone, as a crash in the middle of it would leave them. */
  runner: CommandRunner;
  events: EventStore;
  readModels: ReadModelStore;
  projections: ProjectionsService;
  close(): Promise<void>;
}

/** The route, account and session command handlers (a route delete first expires overdue sessions) with the real SQLite event store and read models, in a temporary directory. */
export async function startRoutesService(): Promise<RoutesService> {
  const dataDir = mkdtempSync(join(tmpdir(), 'routes-'));
  const settings = loadSettings({ DATA_DIR: dataDir, PAYMENTS_SANDBOX: 'false', LOG_LEVEL: 'silent' });
  const module: TestingModule = await Test.createTestingModule({
    imports: [InfrastructureModule.forSettings(settings), ReadModelsModule.forRoot({ projections: [routeListing, routeReferences] }), CqrsModule.forRoot(), AccountsModule, RoutesModule, CheckoutSessionsModule],
  }).compile();
  await module.init();
  return {
    module,
    commands: module.get(CommandBus),
    runner: module.get(CommandRunner),
    events: module.get(EVENT_STORE),
    readModels: module.get(READ_MODEL_STORE),
    projections: module.get(ProjectionsService),
    async close() {
      await module.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const metadata: CommandMetadata = { requestId: 'req_test', correlationId: 'req_test' };

/** An account with `count` simulated processors; answers its id and the processor ids in connection order. */
export async function openAccountWithProcessors(commands: CommandBus, count: number): Promise<{ accountId: string; processorIds: string[] }> {
  const { account } = await commands.execute<OpenAccount, OpenedAccount>(new OpenAccount('Shop', metadata));
  const processorIds: string[] = [];
  for (let i = 0; i < count; i++) {
    const settings = { name: `P${i}`, supported_currencies: [], supported_networks: [], fees: { percent: 0, fixed: 0 }, status: 'active' as const, timeout_ms: 5000, simulator: null, http: null };
    const { processor } = await commands.execute<ConnectProcessor, ConnectedProcessor>(new ConnectProcessor(account.id, 'simulator', settings, metadata));
    processorIds.push(processor.id);
  }
  return { accountId: account.id, processorIds };
}

/** Event types of a stream, in order. */
export async function streamTypes(events: EventStore, stream: string): Promise<string[]> {
  const types: string[] = [];
  for await (const event of events.readStream(stream)) types.push(event.type);
  return types;
}
