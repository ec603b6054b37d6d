import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { BinRange, longestPrefixMatch } from '@payments/domain';
import { BinTableVersion, BinTableWriter, ReplaceOptions, ServedBinTable } from './bin-table-store';

/** Ranges inserted between two turns of the event loop, so that a progress bar redraws. */
const INSERT_CHUNK = 5000;

export function binTableFile(dataDir: string): string {
  return join(dataDir, 'bins.db');
}

/**
 * The embedded BIN table: `<DATA_DIR>/bins.db`, a file of its own beside the events and the read
 * models, because it is neither: it cannot be rebuilt from the log (back it up, or keep the CSV),
 * and an import's long write transaction must not hold the read models' write lock.
 * WAL: the service reads while an import writes, and sees the new table from the import's commit
 * on, with no restart and no notice: every lookup reads the file as last committed.
 */
export class SqliteBinTable implements BinTableWriter, ServedBinTable {
  readonly where: string;
  private readonly db: Database.Database;
  private readonly get: Database.Statement<[string], BinRange>;

  constructor(options: { dataDir: string }) {
    mkdirSync(options.dataDir, { recursive: true });
    this.where = resolve(binTableFile(options.dataDir));
    this.db = new Database(this.where);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS bin_ranges (
        bin_prefix TEXT PRIMARY KEY,
        country    TEXT NOT NULL,
        network    TEXT NOT NULL,
        funding    TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS bin_table_version (
        singleton   INTEGER PRIMARY KEY CHECK (singleton = 1),
        id          TEXT NOT NULL,
        imported_at TEXT NOT NULL,
        source      TEXT NOT NULL,
        ranges      INTEGER NOT NULL
      );
    `);
    this.get = this.db.prepare('SELECT bin_prefix, country, network, funding FROM bin_ranges WHERE bin_prefix = ?');
  }

  async start(): Promise<void> {}

  lookup(digits: string): BinRange | undefined {
    return longestPrefixMatch(digits, (prefix) => this.get.get(prefix));
  }

  async replace(ranges: readonly BinRange[], { source, importedAt, onProgress }: ReplaceOptions): Promise<BinTableVersion> {
    const version: BinTableVersion = { id: `bins_${importedAt.getTime()}`, imported_at: importedAt.toISOString(), source, ranges: ranges.length };
    const insert = this.db.prepare('INSERT INTO bin_ranges (bin_prefix, country, network, funding) VALUES (@bin_prefix, @country, @network, @funding)');
    // One transaction across the chunks: nothing else writes on this connection meanwhile, and
    // readers on other connections see the old table until COMMIT.
    this.db.exec('BEGIN IMMEDIATE');
    try {
      this.db.exec('DELETE FROM bin_ranges');
      for (let start = 0; start < ranges.length; start += INSERT_CHUNK) {
        for (const range of ranges.slice(start, start + INSERT_CHUNK)) insert.run(range);
        onProgress?.(Math.min(start + INSERT_CHUNK, ranges.length));
        await yieldToEventLoop();
      }
      this.db.prepare('INSERT OR REPLACE INTO bin_table_version (singleton, id, imported_at, source, ranges) VALUES (1, @id, @imported_at, @source, @ranges)').run(version);
      this.db.exec('COMMIT');
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
    return version;
  }

  async version(): Promise<BinTableVersion | null> {
    return (this.db.prepare('SELECT id, imported_at, source, ranges FROM bin_table_version').get() as BinTableVersion | undefined) ?? null;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
