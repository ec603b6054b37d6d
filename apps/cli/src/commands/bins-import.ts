import { CsvError, parse } from 'csv-parse';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { BIN_TABLE_COLUMNS, BinRange, parseBinRow } from '@payments/domain';
import { BinTableVersion, BinTableWriter } from '@payments/read-models/bin-table/bin-table-store';
import { SetupError, WriteLine } from '../output';
import { ProgressSink, startProgress } from '../progress';

/** Lines with errors named one by one before the rest are only counted. */
const ERRORS_NAMED = 20;

export interface BinsImportOptions {
  writer: BinTableWriter;
  out: WriteLine;
  progress?: ProgressSink;
  now: Date;
  progressEveryMs?: number;
}

/**
 * Replaces the BIN table with a CSV file (API.md "BIN table"): a header `bin_prefix,country,network,type`,
 * then one range per line. Every line is checked before anything is written, and a file with any
 * invalid line, or a prefix listed twice, imports nothing: the operator gets every error with its
 * line number, and the service keeps the table it had.
 */
export async function importBins(file: string, { writer, out, progress, now, progressEveryMs }: BinsImportOptions): Promise<BinTableVersion> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (error) {
    throw new SetupError(`cannot read ${file}: ${(error as Error).message}`);
  }
  const started = Date.now();
  const ranges = await checkedRanges(file, size, progress && { sink: progress, everyMs: progressEveryMs });
  const before = await writer.version();
  const bar = progress && startProgress(progress, { label: 'bins import', total: BigInt(ranges.length), unit: 'ranges', positionName: 'range', everyMs: progressEveryMs });
  let version: BinTableVersion;
  try {
    version = await writer.replace(ranges, { source: file, importedAt: now, onProgress: (written) => bar?.update(BigInt(written), written) });
  } finally {
    bar?.stop();
  }
  const seconds = (Date.now() - started) / 1000;
  const replaced = before === null ? 'there was no table before' : `replacing ${before.ranges} ranges imported at ${before.imported_at} from ${before.source}`;
  await out(`imported ${version.ranges} ranges from ${file} into ${writer.where} in ${seconds.toFixed(2)} s (${Math.round(version.ranges / Math.max(seconds, 0.001))} ranges/s), ${replaced}`);
  return version;
}

/** The file's ranges, read as a stream (the bar counts bytes), once every line is known to be valid. */
async function checkedRanges(file: string, size: number, progress: { sink: ProgressSink; everyMs?: number } | undefined): Promise<BinRange[]> {
  const bar = progress && startProgress(progress.sink, { label: 'bins check', total: BigInt(size), unit: 'rows', positionName: 'byte', everyMs: progress.everyMs });
  const errors: string[] = [];
  const ranges: BinRange[] = [];
  const lineOfPrefix = new Map<string, number>();
  const parser = createReadStream(file).pipe(parse({ bom: true, info: true, relax_column_count: true, skip_empty_lines: true }));
  let rows = 0;
  try {
    let header = true;
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number; bytes: number } }>) {
      const line = info.lines;
      const fields = record.map((field) => field.trim());
      if (header) {
        header = false;
        if (fields.join(',') !== BIN_TABLE_COLUMNS.join(',')) {
          throw invalidFile(file, [`line ${line}: the header must be ${BIN_TABLE_COLUMNS.join(',')}, not ${fields.join(',')}`]);
        }
        continue;
      }
      bar?.update(BigInt(info.bytes), ++rows);
      if (fields.length !== BIN_TABLE_COLUMNS.length) {
        errors.push(`line ${line}: has ${fields.length} fields, not ${BIN_TABLE_COLUMNS.length} (${BIN_TABLE_COLUMNS.join(',')})`);
        continue;
      }
      const [bin_prefix, country, network, type] = fields;
      const parsed = parseBinRow({ bin_prefix, country, network, type });
      if ('errors' in parsed) {
        errors.push(`line ${line}: ${parsed.errors.join('; ')}`);
        continue;
      }
      const earlier = lineOfPrefix.get(parsed.range.bin_prefix);
      if (earlier !== undefined) {
        errors.push(`line ${line}: bin_prefix ${parsed.range.bin_prefix} is already on line ${earlier}`);
        continue;
      }
      lineOfPrefix.set(parsed.range.bin_prefix, line);
      ranges.push(parsed.range);
    }
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    // A quote left open or the like: what follows cannot be read as rows at all.
    throw invalidFile(file, [...errors, `line ${(error as CsvError & { lines?: number }).lines ?? '?'}: ${error.message}`]);
  } finally {
    bar?.stop();
  }
  if (errors.length > 0) throw invalidFile(file, errors);
  if (ranges.length === 0) throw new SetupError(`${file} holds no ranges: nothing imported, the BIN table is unchanged`);
  return ranges;
}

function invalidFile(file: string, errors: readonly string[]): SetupError {
  const named = errors.slice(0, ERRORS_NAMED).map((error) => `  ${error}`);
  const more = errors.length > ERRORS_NAMED ? [`  and ${errors.length - ERRORS_NAMED} more lines with errors`] : [];
  return new SetupError(`${file} is not a valid BIN table; nothing imported, the BIN table is unchanged:\n${[...named, ...more].join('\n')}`);
}
