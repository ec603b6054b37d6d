import { BinRange } from '@payments/domain';

/** Which table is loaded: when it was imported, from which file, and how many ranges it holds. */
export interface BinTableVersion {
  id: string;
  imported_at: string;
  source: string;
  ranges: number;
}

export interface ReplaceOptions {
  /** The file imported, as the operator named it. */
  source: string;
  importedAt: Date;
  /** Called as ranges are written, with how many are written so far. */
  onProgress?: (written: number) => void;
}

/**
 * The BIN table as the operator's import writes it. The table is not part of the event log: it
 * is reference data an operator loads, and each payment records what it read from it
 * (PaymentStarted's card country and funding), so no replay or audit reads it again.
 */
export interface BinTableWriter {
  /**
   * Replaces the whole table in one step: a reader sees the old table or the new one, never a
   * mix of the two or an empty table in between, and an import that fails or is stopped halfway
   * leaves the old table served.
   */
  replace(ranges: readonly BinRange[], options: ReplaceOptions): Promise<BinTableVersion>;
  /** The table served now; null before the first import. */
  version(): Promise<BinTableVersion | null>;
  /** Where the table is, for the operator. */
  readonly where: string;
  close(): Promise<void>;
}

/** The BIN table as the service reads it. */
export interface BinLookup {
  /**
   * The range with the longest prefix of the card number (`longestPrefixMatch`), or undefined
   * when the table holds none. Synchronous, since a card is summarised as the request is read.
   */
  lookup(digits: string): BinRange | undefined;
}

/** What the service holds: the lookup, started before the first request and closed at shutdown. */
export interface ServedBinTable extends BinLookup {
  start(): Promise<void>;
  close(): Promise<void>;
}
