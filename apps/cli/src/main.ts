import { parseArgs } from 'node:util';
// The settings module alone: the library's barrel would load every Nest module and slow each command.
import { SettingsError, loadSettings } from '@payments/orchestration/settings';
import { allProjections } from '@payments/read-models';
import { exportEvents } from './commands/export-events';
import { rebuild } from './commands/rebuild';
import { replayStream } from './commands/replay';
import { UsageError, WriteLine, lineWriter } from './output';
import { CliStores, openStores } from './stores';

const USAGE = `usage: npm run -s cli -- <command>
  rebuild <projection|all>                replay projections from position 0 into the read-model store
  export-events [--after N] [--limit N]   events in global order after position N, as JSON lines
  replay <stream>                         a stream's events, one by one
Settings come from the environment as for the service (DATA_DIR, EVENTSTORE_CONNECTION_STRING, REDIS_URL, ...).`;

export async function run(argv: string[], out: WriteLine): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help') {
    await out(USAGE);
    return;
  }
  if (!isCommand(command)) throw new UsageError(`unknown command "${command}"`);
  const { values, positionals } = parseCommandLine(rest);
  const stores = openStores(loadSettings());
  try {
    await runCommand(command, values, positionals, stores, out);
  } finally {
    await stores.close();
  }
}

const COMMANDS = ['rebuild', 'export-events', 'replay'] as const;
type Command = (typeof COMMANDS)[number];

function isCommand(command: string): command is Command {
  return (COMMANDS as readonly string[]).includes(command);
}

async function runCommand(
  command: Command,
  options: { after?: string; limit?: string },
  positionals: string[],
  { events, readModels }: CliStores,
  out: WriteLine,
): Promise<void> {
  switch (command) {
    case 'rebuild':
      return rebuild(single(positionals, 'a projection name or all'), { events, readModels, projections: allProjections, out });
    case 'export-events':
      if (positionals.length > 0) throw new UsageError(`export-events takes no arguments, got ${positionals.join(' ')}`);
      return exportEvents(
        events,
        { after: options.after === undefined ? undefined : BigInt(wholeNumber(options.after, '--after')), limit: options.limit === undefined ? undefined : positive(options.limit) },
        out,
      );
    case 'replay':
      return replayStream(events, single(positionals, 'a stream name'), out);
  }
}

function parseCommandLine(args: string[]) {
  try {
    return parseArgs({ args, options: { after: { type: 'string' }, limit: { type: 'string' } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function single(positionals: string[], what: string): string {
  if (positionals.length !== 1) throw new UsageError(`expected ${what}`);
  return positionals[0];
}

function wholeNumber(raw: string, option: string): string {
  if (!/^\d+$/.test(raw)) throw new UsageError(`${option} must be a whole number, got "${raw}"`);
  return raw;
}

function positive(raw: string): number {
  const limit = Number(wholeNumber(raw, '--limit'));
  if (limit < 1 || !Number.isSafeInteger(limit)) throw new UsageError(`--limit must be at least 1, got "${raw}"`);
  return limit;
}

/** Exit codes: 0 done, 1 failed, 2 bad command line or settings. */
async function main(): Promise<void> {
  try {
    await run(process.argv.slice(2), lineWriter(process.stdout));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n\n${USAGE}\n`);
      process.exitCode = 2;
    } else if (error instanceof SettingsError) {
      process.stderr.write(`invalid setting ${error.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    }
  }
}

if (require.main === module) void main();
