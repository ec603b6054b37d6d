import { Test, TestingModule } from '@nestjs/testing';
import { PostgresSimulatorLedger, RedisSimulatorLedger, SimulatorConnector, SimulatorLedger, SqliteSimulatorLedger } from '@payments/processors';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulatorProfile, tryOnce, visaRequest } from '../../../processors/src/simulator/simulator-fixtures';
import { TestRedis, openTestRedis } from '../../../read-models/test/test-redis';
import { TestDatabase, createTestDatabase, describeWithPostgres } from '../../../../test/support/test-postgres';
import { InfrastructureModule } from '../infrastructure.module';
import { loadSettings } from '../settings';
import { ProcessorConnectorsModule, SIMULATOR_LEDGER } from './processor-connectors.module';

/** The keys every process of a deployment on a shared store must be given alike. */
const SHARED_KEYS = { CARD_FINGERPRINT_SECRET: 'processor-connectors-fingerprints', SECRETS_KEY: randomBytes(32).toString('base64') };

describe('ProcessorConnectorsModule', () => {
  const dataDirs: string[] = [];
  const apps: TestingModule[] = [];
  let redis: TestRedis | undefined;

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await redis?.dispose();
    redis = undefined;
    dataDirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  });

  /** One process of a deployment: its own DATA_DIR, the shared servers the env names. */
  async function start(env: Record<string, string> = {}): Promise<{ ledger: SimulatorLedger; dataDir: string }> {
    const dataDir = mkdtempSync(join(tmpdir(), 'processor-connectors-'));
    dataDirs.push(dataDir);
    const app = await Test.createTestingModule({
      imports: [InfrastructureModule.forSettings(loadSettings({ DATA_DIR: dataDir, ...env })), ProcessorConnectorsModule],
    }).compile();
    apps.push(app);
    await app.init();
    return { ledger: app.get<SimulatorLedger>(SIMULATOR_LEDGER), dataDir };
  }

  const approve = (ledger: SimulatorLedger) => new SimulatorConnector(ledger).authorize(simulatorProfile({ outcome: 'approve' }), visaRequest, tryOnce('key_1'));

  it('keeps the ledger in DATA_DIR/simulator.db without POSTGRES_URL or REDIS_URL', async () => {
    const { ledger, dataDir } = await start();

    expect(ledger).toBeInstanceOf(SqliteSimulatorLedger);
    expect(existsSync(join(dataDir, 'simulator.db'))).toBe(true);
  });

  it('keeps the ledger in Redis with REDIS_URL, one charge for a key sent to two processes', async () => {
    redis = await openTestRedis();
    const env = { ...SHARED_KEYS, REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: redis.prefix };
    const [one, other] = await Promise.all([start(env), start(env)]);

    expect(one.ledger).toBeInstanceOf(RedisSimulatorLedger);
    await approve(one.ledger);
    await approve(other.ledger);
    expect(await other.ledger.chargesFor('key_1')).toEqual([expect.objectContaining({ approved: true, requestCount: 2 })]);
    expect(existsSync(join(one.dataDir, 'simulator.db'))).toBe(false);
  });

  describeWithPostgres('with POSTGRES_URL', () => {
    let database: TestDatabase;

    beforeEach(async () => {
      database = await createTestDatabase();
    });

    afterEach(async () => {
      await Promise.all(apps.splice(0).map((app) => app.close()));
      await database.drop();
    });

    it('keeps the ledger in PostgreSQL even beside REDIS_URL', async () => {
      redis = await openTestRedis();
      const { ledger } = await start({ ...SHARED_KEYS, POSTGRES_URL: database.url, REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: redis.prefix });

      expect(ledger).toBeInstanceOf(PostgresSimulatorLedger);
      await approve(ledger);
      expect((await redis.keys()).filter((key) => key.startsWith(`${redis!.prefix}simulator:`))).toEqual([]);
    });
  });
});
