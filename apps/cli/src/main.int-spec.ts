import { SqliteEventStore, randomEventId } from '@payments/event-store';
import { SqliteReadModelStore, listAccounts } from '@payments/read-models';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '../../..');

/** Runs the CLI as `npm run cli` does, with only DATA_DIR set. */
export async function cli(dataDir: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      join(ROOT, 'node_modules/.bin/ts-node'),
      ['-r', 'tsconfig-paths/register', '--swc', 'apps/cli/src/main.ts', ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH, DATA_DIR: dataDir } },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('the operator CLI', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'cli-'));
    const events = new SqliteEventStore({ dataDir });
    for (const id of ['acc_stg_a', 'acc_stg_b']) {
      const data = { account_id: id, name: id, sandbox: false, opened_at: `2024-01-0${id === 'acc_stg_a' ? 1 : 2}T00:00:00.000Z` };
      await events.appendToStream(`account-${id}`, [{ id: randomEventId(), type: 'AccountOpened', data, metadata: { schema_version: 1 } }], { expectedRevision: 'no_stream' });
    }
    await events.close();
  });

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('exports the events after a position as JSON lines', async () => {
    const { code, stdout } = await cli(dataDir, 'export', 'events', '--after', '1');

    expect(code).toBe(0);
    expect(stdout.trim().split('\n').map((line) => JSON.parse(line).stream)).toEqual(['account-acc_stg_b']);
  });

  it('rebuilds all projections into the read-model store the service uses', async () => {
    const { code, stdout } = await cli(dataDir, 'rebuild', 'all');

    expect(code).toBe(0);
    expect(stdout).toMatch(/rebuilt accounts_listing: 2 events/);
    const readModels = new SqliteReadModelStore({ dataDir });
    expect((await listAccounts(readModels, { limit: 10, offset: 0 })).items.map((account) => account.id)).toEqual(['acc_stg_b', 'acc_stg_a']);
    await readModels.close();
  });

  it('prints a stream event by event', async () => {
    const { code, stdout } = await cli(dataDir, 'replay', 'stream', 'account-acc_stg_a');

    expect(code).toBe(0);
    expect(stdout).toMatch(/^#0 AccountOpened \(position 1, /);
  });

  it('exits with 2 and the usage on a bad command line', async () => {
    const { code, stderr } = await cli(dataDir, 'export', 'events', '--limit', '0');

    expect(code).toBe(2);
    expect(stderr).toMatch(/--limit must be at least 1[\s\S]*Usage: npm run -s cli -- export events \[options\]/);
  });

  it('exits with 1 when the command fails', async () => {
    const { code, stderr } = await cli(dataDir, 'replay', 'stream', 'account-acc_stg_missing');

    expect(code).toBe(1);
    expect(stderr).toBe('error: stream account-acc_stg_missing has no events\n');
  });

  it.each([
    [['rebuild', 'all']],
    [['export', 'events']],
    [['replay', 'stream', 'account-acc_stg_a']],
    [['replay', 'payment', 'pay_stg_0123456789abcdef']],
  ])('says there is no store in a DATA_DIR without one, exits with 2 and creates nothing: %j', async (args) => {
    const empty = mkdtempSync(join(tmpdir(), 'cli-empty-'));
    try {
      const { code, stdout, stderr } = await cli(empty, ...args);

      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(/^error: no event store in DATA_DIR .*cli-empty-.*events\.db does not exist/);
      expect(readdirSync(empty)).toEqual([]);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it.each([[[]], [['rebuild']], [['replay']], [['replay', 'payment']], [['replay', 'stream']], [['backtest']], [['export']], [['export', 'events']]])(
    'prints the usage of %j with --help',
    async (args) => {
      const { code, stdout } = await cli(dataDir, ...args, '--help');

      expect(code).toBe(0);
      expect(stdout).toMatch(new RegExp(`^Usage: npm run -s cli -- ${args.join(' ')}`.replace(/ +$/, '')));
      expect(stdout).toMatch(/-h, --help +display help for command/);
    },
  );
});
