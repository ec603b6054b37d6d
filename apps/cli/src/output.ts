import { once } from 'node:events';

/** Writes one line; the promise waits while the destination is full, so a large export does not pile up in memory. */
export type WriteLine = (line: string) => Promise<void>;

export function lineWriter(stream: NodeJS.WritableStream): WriteLine {
  return async (line) => {
    if (!stream.write(`${line}\n`)) await once(stream, 'drain');
  };
}

/** A mistake in the command line: the CLI prints it with the usage and exits with 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
