import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PostgresBinTableMirror } from '@payments/read-models/bin-table/postgres-bin-table';
import { SqliteBinTable } from '@payments/read-models/bin-table/sqlite-bin-table';
import { TestDatabase, createTestDatabase, describeWithPostgres, openTestPool } from '../../../../test/support/test-postgres';

const ROOT = join(__dirname, '../../../..');
const SAMPLE = join(ROOT, 'bins/sample-bins.csv');
const GB_CARD = '4000008260000000';
const BR_CARD = '4000000760000002';

/** `npm run cli -- bins import <file>` as a child process, with only DATA_DIR set (and `env`). */
async function importBins(dataDir: string, file: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(join(ROOT, 'node_modules/.bin/ts-node'), ['-r', 'tsconfig-paths/register', '--swc', 'apps/cli/src/main.ts', 'bins', 'import', file], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, DATA_DIR: dataDir, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('npm run cli -- bins import', () => {
  let dataDir: string;
  let table: SqliteBinTable;
  const file = (name: string, lines: string[]) => {
    const path = join(dataDir, name);
    writeFileSync(path, `${lines.join('\n')}\n`);
    return path;
  };

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'bins-'));
    // Opened before the imports, as the running service holds it: it must see each import without reopening.
    table = new SqliteBinTable({ dataDir });
  });
  afterAll(async () => {
    await table.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('imports the sample table into DATA_DIR, where the longest prefix of a card number wins', async () => {
    const { code, stdout } = await importBins(dataDir, SAMPLE);

    expect(code).toBe(0);
    expect(stdout).toMatch(/^imported 15 ranges from .*sample-bins\.csv into .*bins\.db .*there was no table before/);
    expect(table.lookup(GB_CARD)).toEqual({ bin_prefix: '40000082', country: 'GB', network: 'visa', funding: 'credit' });
    expect(table.lookup(BR_CARD)).toMatchObject({ bin_prefix: '4000000', country: 'BR' });
    expect(table.lookup('4000009000000000')).toMatchObject({ bin_prefix: '400000', country: 'US' });
    expect(table.lookup('4111111111111111')).toBeUndefined();
  });

  it('refuses a file with invalid lines, naming each by its line number, and keeps the table it had', async () => {
    const invalid = file('invalid.csv', [
      'bin_prefix,country,network,type',
      '555555,CA,mastercard,credit',
      '12345,GB,visa,credit',
      '411111,gb,visa,charge',
      '555555,US,mastercard,debit',
      '601111,US',
    ]);

    const { code, stdout, stderr } = await importBins(dataDir, invalid);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('nothing imported, the BIN table is unchanged');
    expect(stderr.split('\n').filter((line) => line.startsWith('  line')).map((line) => line.trim().split(':')[0])).toEqual(['line 3', 'line 4', 'line 5', 'line 6']);
    expect(stderr).toContain('line 5: bin_prefix 555555 is already on line 2');
    expect(table.lookup(GB_CARD)?.country).toBe('GB');
  });

  it('refuses a file whose header is not bin_prefix,country,network,type', async () => {
    const { code, stderr } = await importBins(dataDir, file('header.csv', ['prefix,country,network,type', '424242,US,visa,credit']));

    expect(code).toBe(2);
    expect(stderr).toContain('line 1: the header must be bin_prefix,country,network,type');
  });

  it('replaces the whole table on a re-import, so ranges the new file leaves out are gone', async () => {
    const { code, stdout } = await importBins(dataDir, file('replacement.csv', ['bin_prefix,country,network,type', '400008,CA,visa,prepaid']));

    expect(code).toBe(0);
    expect(stdout).toMatch(/imported 1 ranges .*replacing 15 ranges imported at .* from .*sample-bins\.csv/);
    expect(table.lookup(GB_CARD)).toBeUndefined();
    expect(table.lookup('4000082600000004')).toMatchObject({ country: 'CA', funding: 'prepaid' });
  });
});

describeWithPostgres('npm run cli -- bins import, with POSTGRES_URL', () => {
  let database: TestDatabase;
  let dataDir: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'bins-'));
  });
  afterAll(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await database.drop();
  });

  it("imports into the deployment's PostgreSQL, where a running service process reads it without a restart, and writes no file", async () => {
    const pool = openTestPool(database.url);
    const served = new PostgresBinTableMirror(pool, { log: () => undefined, warn: () => undefined });
    await served.start();
    try {
      const env = { POSTGRES_URL: database.url, CARD_FINGERPRINT_SECRET: 'cli-fingerprint-secret-0123', SECRETS_KEY: randomBytes(32).toString('base64') };
      const { code, stdout, stderr } = await importBins(dataDir, SAMPLE, env);

      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(stdout).toMatch(/^imported 15 ranges from .*sample-bins\.csv into PostgreSQL \(POSTGRES_URL\).*there was no table before/);
      const deadline = Date.now() + 5000;
      while (served.lookup(GB_CARD) === undefined && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(served.lookup(GB_CARD)).toEqual({ bin_prefix: '40000082', country: 'GB', network: 'visa', funding: 'credit' });
      expect(existsSync(join(dataDir, 'bins.db'))).toBe(false);
    } finally {
      await served.close();
      await pool.end();
    }
  }, 60_000);
});
