import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { BinRange } from '@payments/domain';
import { RedisBinTableMirror, RedisBinTableWriter } from './redis-bin-table';

const GB: BinRange = { bin_prefix: '40000082', country: 'GB', network: 'visa', funding: 'credit' };
const US: BinRange = { bin_prefix: '400000', country: 'US', network: 'visa', funding: 'debit' };

describe('the BIN table on Redis', () => {
  let redis: Redis;
  let mirror: RedisBinTableMirror;
  let loaded: ((message: string) => void) | undefined;
  const nextLoad = () => new Promise<string>((resolve) => (loaded = resolve));

  beforeAll(async () => {
    redis = new Redis('redis://127.0.0.1:6379', { keyPrefix: `test:${randomBytes(6).toString('hex')}:` });
    mirror = new RedisBinTableMirror(redis, { log: (message) => loaded?.(message), warn: (message) => loaded?.(message) });
    await mirror.start();
  });
  afterAll(async () => {
    await mirror.close();
    const keys = await redis.keys(`${redis.options.keyPrefix}*`);
    if (keys.length > 0) await redis.unlink(...keys.map((key) => key.slice(redis.options.keyPrefix!.length)));
    await redis.quit();
  });

  it('knows no BIN before the first import', () => {
    expect(mirror.lookup('4000008260000000')).toBeUndefined();
  });

  it("reloads a running service's copy on the import's notice, longest prefix first", async () => {
    const load = nextLoad();
    const version = await new RedisBinTableWriter(redis).replace([US, GB], { source: 'a.csv', importedAt: new Date('2026-01-01T00:00:00Z') });

    expect(await load).toContain('2 ranges');
    expect(mirror.servedId).toBe(version.id);
    expect(mirror.lookup('4000008260000000')).toEqual(GB);
    expect(mirror.lookup('4000001111111111')).toEqual(US);
  });

  it('replaces the whole table, deleting the old one', async () => {
    const writer = new RedisBinTableWriter(redis);
    const old = await writer.version();
    const load = nextLoad();
    await writer.replace([US], { source: 'b.csv', importedAt: new Date('2026-01-02T00:00:00Z') });

    expect(await load).toContain('1 ranges');
    expect(mirror.lookup('4000008260000000')).toEqual(US);
    expect(await redis.exists(`bins:ranges:${old!.id}`)).toBe(0);
    expect(await writer.version()).toMatchObject({ source: 'b.csv', ranges: 1 });
  });
});
