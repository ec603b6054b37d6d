import { Test, TestingModule } from '@nestjs/testing';
import { Clock } from '@payments/domain';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestRedis, openTestRedis } from '../../../read-models/test/test-redis';
import { TestDatabase, createTestDatabase, describeWithPostgres } from '../../../../test/support/test-postgres';
import { InfrastructureModule } from '../infrastructure.module';
import { loadSettings } from '../settings';
import { CLOCK } from '../tokens';
import { InProcessLeaseStore } from './in-process-lease-store';
import { LEASE_STORE, LeaseStore } from './lease-store';
import { PostgresLeaseStore } from './postgres-lease-store';
import { RedisLeaseStore } from './redis-lease-store';

class MovedClock implements Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

/** The keys every process of a deployment on a shared store must be given alike. */
const SHARED_KEYS = { CARD_FINGERPRINT_SECRET: 'leases-module-fingerprints', SECRETS_KEY: randomBytes(32).toString('base64') };

describe('LeasesModule', () => {
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
  async function start(env: Record<string, string> = {}, clock?: Clock): Promise<TestingModule> {
    const dataDir = mkdtempSync(join(tmpdir(), 'leases-module-'));
    dataDirs.push(dataDir);
    const builder = Test.createTestingModule({ imports: [InfrastructureModule.forSettings(loadSettings({ DATA_DIR: dataDir, ...env }))] });
    if (clock) builder.overrideProvider(CLOCK).useValue(clock);
    const app = await builder.compile();
    apps.push(app);
    await app.init();
    return app;
  }

  it('keeps the leases in the process, on its clock, without POSTGRES_URL or REDIS_URL', async () => {
    const clock = new MovedClock();
    const leases = (await start({}, clock)).get<LeaseStore>(LEASE_STORE);

    expect(leases).toBeInstanceOf(InProcessLeaseStore);
    await leases.acquire('saga:p1', 'process-a', 10_000);
    expect(await leases.acquire('saga:p1', 'process-b', 10_000)).toBe(false);
    clock.advance(10_000);
    expect(await leases.acquire('saga:p1', 'process-b', 10_000)).toBe(true);
  });

  it('keeps the leases in Redis under the key prefix with REDIS_URL', async () => {
    redis = await openTestRedis();
    const env = { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: redis.prefix };
    const [one, other] = await Promise.all([start(env), start(env)]);

    expect(one.get(LEASE_STORE)).toBeInstanceOf(RedisLeaseStore);
    expect(await one.get<LeaseStore>(LEASE_STORE).acquire('saga:p1', 'process-a', 10_000)).toBe(true);
    expect(await other.get<LeaseStore>(LEASE_STORE).acquire('saga:p1', 'process-b', 10_000)).toBe(false);
    expect(await redis.keys()).toEqual([`${redis.prefix}lease:saga:p1`]);
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

    it('keeps the leases in PostgreSQL, shared by the processes on it, even beside REDIS_URL', async () => {
      redis = await openTestRedis();
      const env = { ...SHARED_KEYS, POSTGRES_URL: database.url, REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: redis.prefix };
      const [one, other] = await Promise.all([start(env), start(env)]);

      expect(one.get(LEASE_STORE)).toBeInstanceOf(PostgresLeaseStore);
      expect(await one.get<LeaseStore>(LEASE_STORE).acquire('saga:p1', 'process-a', 10_000)).toBe(true);
      expect(await other.get<LeaseStore>(LEASE_STORE).acquire('saga:p1', 'process-b', 10_000)).toBe(false);
      expect(await redis.keys()).toEqual([]);
    });
  });
});
