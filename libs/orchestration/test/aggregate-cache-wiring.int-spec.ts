import { Type } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { Test, TestingModule } from '@nestjs/testing';
import { accountDecider, streamName } from '@payments/domain';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccountsModule, CatalogModule, CheckoutSessionsModule, CommandRunner, InfrastructureModule, ReadModelsModule, loadSettings } from '@payments/orchestration';
import { AggregateCache } from '../src/command-handling/aggregate-cache';

describe('aggregate cache wiring', () => {
  let dataDir: string;
  let module: TestingModule;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'aggregate-cache-wiring-'));
    const settings = loadSettings({ DATA_DIR: dataDir, PAYMENTS_SANDBOX: 'false', LOG_LEVEL: 'silent' });
    module = await Test.createTestingModule({
      imports: [InfrastructureModule.forSettings(settings), ReadModelsModule.forRoot({ projections: [] }), CqrsModule.forRoot(), AccountsModule, CatalogModule, CheckoutSessionsModule],
    }).compile();
  });

  afterEach(async () => {
    await module.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.each<[string, Type]>([
    ['accounts', AccountsModule],
    ['catalog', CatalogModule],
    ['checkout sessions', CheckoutSessionsModule],
  ])('makes the CommandRunner of the %s module keep its folds in the application cache', async (_name, owner) => {
    const runner = module.select(owner).get(CommandRunner, { strict: true });
    const stream = streamName('account', 'acc_stg_wiring');
    await runner.run(stream, accountDecider, { type: 'OpenAccount', accountId: 'acc_stg_wiring', name: 'Shop', sandbox: false });

    const state = await runner.load(stream, accountDecider);

    expect(module.get(AggregateCache).get(stream, accountDecider)).toEqual({ state, revision: 0n });
  });
});
