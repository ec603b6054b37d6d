import { randomBytes } from 'node:crypto';
import { Client, Pool } from 'pg';
import { BinRange, longestPrefixMatch } from '@payments/domain';
import { Migration, migrate } from '@payments/event-store/postgres-migrations';
import { inTransaction } from '@payments/event-store/postgres-transaction';
import { describeError } from '../describe-error';
import { BinTableVersion, BinTableWriter, ReplaceOptions, ServedBinTable } from './bin-table-store';
import { BinTableLog } from './redis-bin-table';

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'ranges and the version served',
    sql: `
      CREATE TABLE bin_ranges (
        bin_prefix text PRIMARY KEY,
        country text NOT NULL,
        network text NOT NULL,
        funding text NOT NULL);
      CREATE TABLE bin_table_version (
        singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
        id text NOT NULL,
        imported_at text NOT NULL,
        source text NOT NULL,
        ranges integer NOT NULL);`,
  },
];

/** On which every service process reloads its copy; sent by the import's transaction, so delivered at its commit only. */
const CHANNEL = 'bin_table_imported';

/** Ranges per INSERT while importing. */
const INSERT_CHUNK = 5000;

/** Pauses before listening again after the listening connection was lost: growing to 5 s, so a database that returns is found soon. */
const relistenDelay = (tries: number) => Math.min(250 * 2 ** (tries - 1), 5000);

function migrateBinTable(pool: Pool): Promise<void> {
  return migrate(pool, 'bin-table', MIGRATIONS);
}

/**
 * The import's side (the CLI) on the deployment's PostgreSQL (POSTGRES_URL without REDIS_URL):
 * the whole table replaced in one transaction, so every process reads the old table or the new
 * one and an import stopped halfway leaves the old one. A lock that does not stop readers makes
 * two imports at once take turns. The pool is the caller's.
 */
export class PostgresBinTableWriter implements BinTableWriter {
  readonly where = 'PostgreSQL (POSTGRES_URL), tables bin_ranges and bin_table_version';

  private constructor(private readonly pool: Pool) {}

  static async open(pool: Pool): Promise<PostgresBinTableWriter> {
    await migrateBinTable(pool);
    return new PostgresBinTableWriter(pool);
  }

  async replace(ranges: readonly BinRange[], { source, importedAt, onProgress }: ReplaceOptions): Promise<BinTableVersion> {
    const version: BinTableVersion = { id: `bins_${importedAt.getTime()}_${randomBytes(4).toString('hex')}`, imported_at: importedAt.toISOString(), source, ranges: ranges.length };
    await inTransaction(this.pool, async (client) => {
      await client.query('LOCK TABLE bin_ranges IN SHARE ROW EXCLUSIVE MODE');
      await client.query('DELETE FROM bin_ranges');
      for (let start = 0; start < ranges.length; start += INSERT_CHUNK) {
        const chunk = ranges.slice(start, start + INSERT_CHUNK);
        await client.query('INSERT INTO bin_ranges (bin_prefix, country, network, funding) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])', [
          chunk.map((range) => range.bin_prefix),
          chunk.map((range) => range.country),
          chunk.map((range) => range.network),
          chunk.map((range) => range.funding),
        ]);
        onProgress?.(start + chunk.length);
      }
      await client.query(
        `INSERT INTO bin_table_version (singleton, id, imported_at, source, ranges) VALUES (true, $1, $2, $3, $4)
         ON CONFLICT (singleton) DO UPDATE SET id = EXCLUDED.id, imported_at = EXCLUDED.imported_at, source = EXCLUDED.source, ranges = EXCLUDED.ranges`,
        [version.id, version.imported_at, version.source, version.ranges],
      );
      await client.query('SELECT pg_notify($1, $2)', [CHANNEL, version.id]);
    });
    return version;
  }

  async version(): Promise<BinTableVersion | null> {
    const { rows } = await this.pool.query<BinTableVersion>('SELECT id, imported_at, source, ranges FROM bin_table_version');
    return rows[0] ?? null;
  }

  /** Opened nothing of its own: the pool is the caller's. */
  async close(): Promise<void> {}
}

/**
 * The service's side: a copy of the table in memory, so that a lookup is synchronous. It is
 * loaded at start, again on every import's notice, and again whenever the connection that
 * listens for notices is made again (a notice sent while it was down is lost). That connection
 * is one of its own beside the pool, since a listening connection cannot go back to a pool.
 * While the table cannot be read the copy it has is used (none at first: every BIN unknown).
 */
export class PostgresBinTableMirror implements ServedBinTable {
  private ranges = new Map<string, BinRange>();
  private loadedId: string | null = null;
  private loading: Promise<void> = Promise.resolve();
  private listener: Client | undefined;
  private relisten: NodeJS.Timeout | undefined;
  private closed = false;
  private listenedBefore = false;

  constructor(
    private readonly pool: Pool,
    private readonly logger: BinTableLog,
  ) {}

  lookup(digits: string): BinRange | undefined {
    return longestPrefixMatch(digits, (prefix) => this.ranges.get(prefix));
  }

  /** The id of the table the copy holds; null: none loaded. */
  get servedId(): string | null {
    return this.loadedId;
  }

  async start(): Promise<void> {
    await migrateBinTable(this.pool);
    await this.listen(0);
  }

  /** Loads the served table unless the copy already is it; loads run one at a time. */
  reload(): Promise<void> {
    this.loading = this.loading.then(() => this.load());
    return this.loading;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.relisten);
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
    await this.loading;
  }

  /** `failures`: tries in a row that did not get to listen, which lengthen the pause before the next. */
  private async listen(failures: number): Promise<void> {
    const client = new Client(this.pool.options);
    let lost = false;
    const onLost = (error: unknown) => {
      if (lost || this.closed) return;
      lost = true;
      const wasListening = this.listener === client;
      if (wasListening) this.listener = undefined;
      client.end().catch(() => undefined);
      const next = wasListening ? 0 : failures + 1;
      const delay = relistenDelay(next + 1);
      this.logger.warn(`not listening for BIN table imports (${describeError(error)}); trying again in ${delay} ms`);
      this.relisten = setTimeout(() => void this.listen(next), delay);
    };
    client.on('error', onLost);
    client.on('end', () => onLost(new Error('the connection ended')));
    client.on('notification', () => void this.reload());
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      onLost(error);
      // The pool may still answer: a copy as fresh as it can be while no notice can arrive.
      return this.reload();
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
    if (this.listenedBefore) this.logger.log('listening for BIN table imports again');
    this.listenedBefore = true;
    await this.reload();
  }

  private async load(): Promise<void> {
    try {
      // One snapshot for the version and its ranges, so no import's commit falls between the two reads.
      await inTransaction(
        this.pool,
        async (client) => {
          const { rows: versions } = await client.query<{ id: string }>('SELECT id FROM bin_table_version');
          const id = versions[0]?.id ?? null;
          if (id === this.loadedId) return;
          const { rows } = await client.query<BinRange>('SELECT bin_prefix, country, network, funding FROM bin_ranges');
          this.ranges = new Map(rows.map((range) => [range.bin_prefix, range]));
          this.loadedId = id;
          this.logger.log(`BIN table ${id ?? '(none)'} loaded: ${rows.length} ranges`);
        },
        'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
      );
    } catch (error) {
      this.logger.warn(`cannot load the BIN table from PostgreSQL, keeping the copy held (${this.ranges.size} ranges): ${describeError(error)}`);
    }
  }
}
