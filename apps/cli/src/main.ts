import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
// The settings module alone: the library's barrel would load every Nest module and slow each command.
import { Settings, SettingsError, loadSettings } from '@payments/orchestration/settings';
import { allProjections } from '@payments/read-models/projections/all-projections';
import type { ExportFormat } from './commands/export-events';
import { SetupError, UsageError, WriteLine, lineWriter } from './output';
import { ProgressSink } from './progress';
import { EventLog, openEventLog, openReadModels } from './stores';

// Each command's module is loaded by its action alone, so that --help and every other command
// start without what one command needs (backtest checks a route with the API's DTOs).
const EXPORT_FORMATS: readonly ExportFormat[] = ['ndjson', 'csv'];

export interface CliContext {
  /** stdout, a line at a time: what the command answers. */
  out: WriteLine;
  /** stderr: errors, help after a mistake, progress. */
  err: ProgressSink;
  env: NodeJS.ProcessEnv;
}

/** Exit codes: 0 done, 1 failed (or, for replay, a difference found), 2 bad command line, settings or input. */
export async function run(argv: string[], context: CliContext): Promise<number> {
  let exitCode = 0;
  const program = operatorCli(context, (code) => (exitCode = code));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof UsageError || error instanceof SetupError || error instanceof SettingsError) {
      context.err.write(`error: ${error instanceof SettingsError ? `invalid setting ${error.message}` : error.message}\n`);
      return 2;
    }
    context.err.write(`error: ${describe(error)}\n`);
    return 1;
  }
}

/**
 * The commands, on commander: subcommands each with their own --help, options parsed and
 * checked before anything is opened, and a parse error answered with the command's usage.
 */
function operatorCli(context: CliContext, exit: (code: number) => void): Command {
  const settings = () => loadSettings(context.env);
  const program = new Command('npm run -s cli --')
    .description('Operator commands on the service\'s stores. Settings come from the environment as for the service (DATA_DIR, EVENTSTORE_CONNECTION_STRING, REDIS_URL, REDIS_KEY_PREFIX).')
    .exitOverride()
    .configureOutput({ writeOut: (text) => void context.out(text.replace(/\n$/, '')), writeErr: (text) => void context.err.write(text) })
    .showHelpAfterError()
    .helpCommand(false);

  program
    .command('rebuild')
    .description(
      'Replays projections from position 0 into new read models beside the served ones, and swaps each in when it has caught up: ' +
        'until then the service serves the old one, and a rebuild stopped halfway leaves it serving. Safe while the service runs.',
    )
    .argument('<projection>', `a projection name, or all: ${allProjections.map((projection) => projection.name).join(', ')}`)
    .action(async (target: string) => {
      const config = settings();
      const log = await openEventLog(config);
      try {
        const stores = await openReadModels(config);
        try {
          await context.out(`events: ${log.where}; read models: ${stores.where}`);
          const { rebuild } = await import('./commands/rebuild');
          await rebuild(target, { events: log.events, readModels: stores.readModels, projections: allProjections, out: context.out, progress: context.err, head: log.head() });
        } finally {
          await stores.close();
        }
      } finally {
        await log.close();
      }
    });

  const replay = program.command('replay').description("A payment's timeline with its routing decisions derived again (payment), or any stream event by event (stream).");
  replay
    .command('payment')
    .description(
      "A payment's timeline (tiers, routes, candidate order, skips, calls and their outcomes), with every routing decision " +
        'derived again from the route revision and processor settings the payment recorded; exits with 1 if any differs.',
    )
    .argument('<id>', 'the payment id (pay_…)')
    .option('--json', 'the timeline and the decisions as one JSON document')
    .action(async (id: string, options: { json?: boolean }) => {
      const { replayPayment } = await import('./commands/replay-payment');
      exit(await withEventLog(settings(), (log) => replayPayment(log.events, id, { out: context.out, json: options.json === true })));
    });
  replay
    .command('stream')
    .description('Any stream, event by event as stored (secrets redacted).')
    .argument('<name>', 'the stream name, e.g. payment-pay_stg_… or route-proute_stg_…')
    .action(async (name: string) => {
      const { replayStream } = await import('./commands/replay-stream');
      await withEventLog(settings(), (log) => replayStream(log.events, name, context.out));
    });

  program
    .command('backtest')
    .description(
      "Replays past payments' card, amount, currency and recorded processor outcomes through a candidate route, and prints the " +
        'approval rates it would have had next to what happened; processors history never tried for a payment count as unknown.',
    )
    .requiredOption('--route <file.json>', 'the candidate route, as the body of POST /v1/processor-routes')
    .option('--from <time>', 'only payments started at or after this ISO 8601 time', isoTime('--from'))
    .option('--to <time>', 'only payments started before this ISO 8601 time', isoTime('--to'))
    .action(async (options: { route: string; from?: Date; to?: Date }) => {
      const { backtest } = await import('./commands/backtest');
      await withEventLog(settings(), (log) => backtest(log.events, { ...options, out: context.out, progress: context.err, head: log.head() }));
    });

  const exportCommand = program.command('export').description('Writes stored data out.');
  exportCommand
    .command('events')
    .description('Every event in global order (secrets redacted): positions and revisions as strings, data and metadata as JSON.')
    .option('--after <position>', 'only events after this global position', position)
    .addOption(new Option('--type <type>', 'only events of this type; repeat or separate with commas for several').argParser(types).default([], 'every type'))
    .option('--limit <n>', 'at most this many events', positive('--limit'))
    .addOption(new Option('--format <format>', 'one JSON object per line, or CSV with a header row').choices(EXPORT_FORMATS).default('ndjson'))
    .action(async (options: { after?: bigint; type: string[]; limit?: number; format: ExportFormat }) => {
      const { exportEvents } = await import('./commands/export-events');
      await withEventLog(settings(), (log) =>
        exportEvents(log.events, { after: options.after, types: options.type, limit: options.limit, format: options.format }, { out: context.out, progress: context.err, head: log.head() }),
      );
    });

  const bins = program.command('bins').description('The BIN table: the issuing country and card type of card number prefixes, for the card summary and bin_country rules.');
  bins
    .command('import')
    .description(
      'Replaces the BIN table with a CSV file (header bin_prefix,country,network,type; prefixes of 6 to 8 digits, the longest prefix of a ' +
        'card number wins) in one step, in the store the service reads (REDIS_URL, else POSTGRES_URL, else DATA_DIR/bins.db): a running service uses the new table ' +
        'from then on, without a restart. Every line is checked first; a file with any invalid line imports nothing and names each with its line number.',
    )
    .argument('<file.csv>', 'the table, with its header row')
    .action(async (file: string) => {
      const config = settings();
      const [{ importBins }, { openBinTableWriter }] = await Promise.all([import('./commands/bins-import'), import('./commands/bins-table')]);
      const writer = await openBinTableWriter(config);
      try {
        await importBins(file, { writer, out: context.out, progress: context.err, now: new Date() });
      } finally {
        await writer.close();
      }
    });

  return program;
}

async function withEventLog<T>(settings: Settings, use: (log: EventLog) => Promise<T>): Promise<T> {
  const log = await openEventLog(settings);
  try {
    return await use(log);
  } finally {
    await log.close();
  }
}

function position(raw: string): bigint {
  if (!/^\d+$/.test(raw)) throw new InvalidArgumentError(`--after must be a whole number, got "${raw}"`);
  return BigInt(raw);
}

function positive(option: string) {
  return (raw: string): number => {
    if (!/^\d+$/.test(raw)) throw new InvalidArgumentError(`${option} must be a whole number, got "${raw}"`);
    const value = Number(raw);
    if (value < 1 || !Number.isSafeInteger(value)) throw new InvalidArgumentError(`${option} must be at least 1, got "${raw}"`);
    return value;
  };
}

function types(raw: string, previous: string[]): string[] {
  const named = raw.split(',').map((type) => type.trim());
  if (named.some((type) => !/^[A-Za-z][A-Za-z0-9]*$/.test(type))) throw new InvalidArgumentError('an event type is a PascalCase name such as PaymentStarted');
  return [...previous, ...named];
}

function isoTime(option: string) {
  return (raw: string): Date => {
    const time = new Date(raw);
    if (!/^\d{4}-\d\d-\d\d/.test(raw) || Number.isNaN(time.getTime())) throw new InvalidArgumentError(`${option} must be an ISO 8601 time such as 2026-01-31 or 2026-01-31T12:00:00Z`);
    return time;
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'SQLITE_BUSY') return `${error.message}: another process (the service) held the read-model file's write lock too long; run the command again`;
    return error.message;
  }
  return String(error);
}

async function main(): Promise<void> {
  process.exitCode = await run(process.argv.slice(2), { out: lineWriter(process.stdout), err: process.stderr, env: process.env });
}

if (require.main === module) void main();
