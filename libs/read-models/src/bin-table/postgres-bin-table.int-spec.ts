import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'pg';
import { BinRange } from '@payments/domain';
import { TestDatabase, createTestDatabase, describeWithPostgres, openTestPool } from '../../../../test/support/test-postgres';
import { PostgresBinTableMirror, PostgresBinTableWriter } from './postgres-bin-table';

const GB: BinRange = { bin_prefix: '40000082', country: 'GB', network: 'visa', funding: 'credit' };
const US: BinRange = { bin_prefix: '400000', country: 'US', network: 'visa', funding: 'debit' };
const FR: BinRange = { bin_prefix: '51000000', country: 'FR', network: 'mastercard', funding: 'debit' };

const silent = { log: () => undefined, warn: () => undefined };

describeWithPostgres('the BIN table on PostgreSQL', () => {
  let database: TestDatabase;
  /** The CLI's pool and a service process's, apart as they are in a deployment. */
  let cli: Pool;
  let service: Pool;
  let mirror: PostgresBinTableMirror;
  let writer: PostgresBinTableWriter;

  beforeAll(async () => {
    database = await createTestDatabase();
    cli = openTestPool(database.url);
    service = openTestPool(database.url);
    mirror = new PostgresBinTableMirror(service, silent);
    await mirror.start();
    writer = await PostgresBinTableWriter.open(cli);
  });
  afterAll(async () => {
    await mirror.close();
    await Promise.all([cli.end(), service.end()]);
    await database.drop();
  });

  it('knows no BIN before the first import', async () => {
    expect(mirror.lookup('4000008260000000')).toBeUndefined();
    expect(await writer.version()).toBeNull();
  });

  it("reloads a running service's copy on the import's notice, longest prefix first", async () => {
    const version = await writer.replace([US, GB], { source: 'a.csv', importedAt: new Date('2026-01-01T00:00:00Z') });

    await until(() => mirror.servedId === version.id);
    expect(mirror.lookup('4000008260000000')).toEqual(GB);
    expect(mirror.lookup('4000001111111111')).toEqual(US);
    expect(await writer.version()).toEqual({ id: version.id, imported_at: '2026-01-01T00:00:00.000Z', source: 'a.csv', ranges: 2 });
  });

  it('replaces the whole table', async () => {
    const version = await writer.replace([US], { source: 'b.csv', importedAt: new Date('2026-01-02T00:00:00Z') });

    await until(() => mirror.servedId === version.id);
    expect(mirror.lookup('4000008260000000')).toEqual(US);
    expect(await writer.version()).toMatchObject({ source: 'b.csv', ranges: 1 });
  });

  it('keeps serving the old table when an import fails halfway', async () => {
    const before = await writer.version();
    const ranges = [FR, ...Array.from({ length: 6000 }, (_, i) => ({ ...US, bin_prefix: String(60000000 + i) })), FR];

    await expect(writer.replace(ranges, { source: 'twice.csv', importedAt: new Date('2026-01-03T00:00:00Z') })).rejects.toThrow(/duplicate key/);

    expect(await writer.version()).toEqual(before);
    await mirror.reload();
    expect(mirror.servedId).toBe(before!.id);
    expect(mirror.lookup('5100000012345678')).toBeUndefined();
    expect(mirror.lookup('4000001111111111')).toEqual(US);
  });

  it('listens again after its connection is cut, and loads what was imported meanwhile', async () => {
    await service.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'");
    const version = await writer.replace([FR], { source: 'c.csv', importedAt: new Date('2026-01-04T00:00:00Z') });

    await until(() => mirror.servedId === version.id);
    expect(mirror.lookup('5100000012345678')).toEqual(FR);
    // And it hears the next import's notice on the new connection.
    const next = await writer.replace([GB], { source: 'd.csv', importedAt: new Date('2026-01-05T00:00:00Z') });
    await until(() => mirror.servedId === next.id);
  });
});

async function until(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('not within the time');
    await sleep(10);
  }
}
