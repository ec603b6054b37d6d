import { stringify } from 'csv-stringify/sync';
import { redactSecrets, redactStreamName } from '@payments/domain';
import { EventStore, RecordedEvent } from '@payments/event-store/event-store';
import { WriteLine } from '../output';
import { ProgressSink, startProgress } from '../progress';

export type ExportFormat = 'ndjson' | 'csv';

export interface ExportOptions {
  /** Only events after this global position. */
  after?: bigint;
  /** Only events of these types; empty or left out: every type. */
  types?: readonly string[];
  /** At most this many events (of the chosen types). */
  limit?: number;
  format?: ExportFormat;
}

/** The CSV columns, always these and in this order; `data` and `metadata` hold JSON. */
export const CSV_COLUMNS = ['position', 'id', 'stream', 'revision', 'type', 'created_at', 'data', 'metadata'] as const;

/**
 * An event as it may leave the service: the domain's redactSecrets and redactStreamName remove
 * the secrets stored with it (processor and webhook signing secrets, an account token's hash,
 * which also names its stream). Positions and revisions are strings: they are 64-bit and JSON
 * numbers are not exact beyond 2^53; `--after` takes them back as they are.
 */
function exported(event: RecordedEvent) {
  return {
    id: event.id,
    stream: redactStreamName(event.streamId),
    type: event.type,
    revision: event.revision.toString(),
    position: event.position.toString(),
    created_at: event.createdAt.toISOString(),
    data: redactSecrets(event.type, event.data),
    metadata: event.metadata,
  };
}

export function eventAsJson(event: RecordedEvent): string {
  return JSON.stringify(exported(event));
}

/** One CSV record (RFC 4180 quoting, by csv-stringify), without its line end. */
export function eventAsCsv(event: RecordedEvent): string {
  const shown = exported(event);
  const row = CSV_COLUMNS.map((column) => (column === 'data' || column === 'metadata' ? JSON.stringify(shown[column]) : shown[column]));
  return csvLine(row);
}

function csvLine(values: readonly string[]): string {
  return stringify([values], { record_delimiter: 'unix' }).replace(/\n$/, '');
}

/** Events in global order, one per line, with a progress bar on stderr for a long export. */
export async function exportEvents(
  events: EventStore,
  options: ExportOptions,
  io: { out: WriteLine; progress?: ProgressSink; head?: bigint },
): Promise<void> {
  const types = options.types && options.types.length > 0 ? new Set(options.types) : undefined;
  const format = options.format ?? 'ndjson';
  const progress = io.progress && startProgress(io.progress, { label: 'export', total: io.head });
  let read = 0;
  let written = 0;
  try {
    if (format === 'csv') await io.out(csvLine(CSV_COLUMNS));
    for await (const event of events.readAll({ fromPosition: options.after, maxCount: types ? undefined : options.limit })) {
      progress?.update(event.position, ++read);
      if (types && !types.has(event.type)) continue;
      await io.out(format === 'csv' ? eventAsCsv(event) : eventAsJson(event));
      if (options.limit !== undefined && ++written >= options.limit) break;
    }
  } finally {
    progress?.stop();
  }
}
