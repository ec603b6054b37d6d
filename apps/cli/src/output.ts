import { once } from 'node:events';

/** Writes one line; the promise waits while the destination is full, so a large export does not pile up in memory. */
export type WriteLine = (line: string) => Promise<void>;

export function lineWriter(stream: NodeJS.WritableStream): WriteLine {
  return async (line) => {
    if (!stream.write(`${line}\n`)) await once(stream, 'drain');
  };
}

/** A mistake in the command line: the CLI prints it with the command's usage and exits with 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The command cannot run with these settings or inputs (no store there, a route file that is not valid): exit 2. */
export class SetupError extends Error {
  override name = 'SetupError';
}

/**
 * Rows as aligned columns, each as wide as its widest cell, two spaces apart; the last column
 * is not padded, so no line ends in spaces.
 */
export function columns(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index]))).join('  ').trimEnd());
}
