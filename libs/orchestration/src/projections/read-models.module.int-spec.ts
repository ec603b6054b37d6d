import { Test, TestingModule } from '@nestjs/testing';
import { EventStore, randomEventId } from '@payments/event-store';
import { ReadModelStore, RedisReadModelStore, SqliteReadModelStore, accountsListing, listAccounts } from '@payments/read-models';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestRedis, openTestRedis } from '../../../read-models/test/test-redis';
import { InfrastructureModule } from '../infrastructure.module';
import { loadSettings } from '../settings';
import { EVENT_STORE } from '../tokens';
import { ProjectionsService } from './projections.service';
import { READ_MODEL_STORE } from './read-models.tokens';
import { ReadModelsModule } from './read-models.module';

describe('ReadModelsModule', () => {
  let dataDir: string;
  let app: TestingModule | undefined;
  let redis: TestRedis | undefined;

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'read-models-module-'));
  });

  afterEach(async () => {
    await app?.close();
    await redis?.dispose();
    app = redis = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(env: Record<string, string> = {}): Promise<TestingModule> {
    const settings = loadSettings({ DATA_DIR: dataDir, ...env });
    app = await Test.createTestingModule({ imports: [InfrastructureModule.forSettings(settings), ReadModelsModule.forRoot({ projections: [accountsListing] })] }).compile();
    await app.init();
    return app;
  }

  async function openAccount(events: EventStore, id: string): Promise<bigint> {
    const data = { account_id: id, name: 'Shop', sandbox: false, opened_at: '2024-05-01T00:00:00.000Z' };
    const appended = await events.appendToStream(`account-${id}`, [{ id: randomEventId(), type: 'AccountOpened', data, metadata: { schema_version: 1 } }], {
      expectedRevision: 'no_stream',
    });
    return appended.position;
  }

  it('keeps the read models in <DATA_DIR>/read-models.db without REDIS_URL', async () => {
    const module = await start();

    expect(module.get(READ_MODEL_STORE)).toBeInstanceOf(SqliteReadModelStore);
    expect(existsSync(join(dataDir, 'read-models.db'))).toBe(true);
  });

  it('keeps the read models in Redis under the key prefix with REDIS_URL', async () => {
    redis = await openTestRedis();
    const module = await start({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: redis.prefix });
    const store = module.get<ReadModelStore>(READ_MODEL_STORE);
    const projections = module.get(ProjectionsService);

    expect(await projections.waitFor(await openAccount(module.get(EVENT_STORE), 'acc_stg_r'), 5000)).toBe(true);
    expect(store).toBeInstanceOf(RedisReadModelStore);
    expect(await redis.keys()).toContain(`${redis.prefix}rm:doc:accounts`);
  });

  it('runs the projections from bootstrap, so a read after waitFor sees the write', async () => {
    const module = await start();
    const projections = module.get(ProjectionsService);

    const position = await openAccount(module.get(EVENT_STORE), 'acc_stg_one');

    expect(await projections.waitFor(position, 5000)).toBe(true);
    expect((await listAccounts(module.get(READ_MODEL_STORE), { limit: 10, offset: 0 })).items.map((account) => account.id)).toEqual(['acc_stg_one']);
    expect(projections.status()).toEqual([{ projection: 'accounts_listing', position, lag: 0n }]);
  });

  it('closes the read-model store on shutdown', async () => {
    const module = await start();
    const store = module.get<ReadModelStore>(READ_MODEL_STORE);

    await module.close();
    app = undefined;

    await expect(store.ping()).rejects.toThrow();
  });
});
