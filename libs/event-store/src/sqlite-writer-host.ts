import { parentPort } from 'node:worker_threads';
import { SqliteWriterFunctions, SqliteWriterModule, WriterFailure, failureOf } from './sqlite-writer-thread';

/** The worker side of sqlite-writer-thread.ts: runs each writer module's writes, one message at a time, in the order sent. */

export type HostRequest =
  | { kind: 'open'; writer: number; module: string; options: unknown }
  | { kind: 'write'; writer: number; call: number; request: unknown }
  | { kind: 'close'; writer: number; call: number };

export type HostReply = { call: number; result: unknown } | { call: number; error: WriterFailure };

type Opened = { functions: SqliteWriterFunctions<unknown, unknown> } | { failure: WriterFailure };

const writers = new Map<number, Opened>();

function handle(request: HostRequest): HostReply | undefined {
  switch (request.kind) {
    case 'open':
      writers.set(request.writer, open(request.module, request.options));
      return undefined;
    case 'write':
      return run(request.call, writers.get(request.writer), (functions) => functions.write(request.request));
    case 'close': {
      const opened = writers.get(request.writer);
      writers.delete(request.writer);
      // A writer that never opened has nothing to close.
      if (!opened || 'failure' in opened) return { call: request.call, result: undefined };
      return run(request.call, opened, (functions) => functions.close());
    }
  }
}

/** A writer that could not open answers each of its calls with the reason. */
function open(module: string, options: unknown): Opened {
  try {
    return { functions: (require(module) as SqliteWriterModule<unknown, unknown>).open(options) };
  } catch (error) {
    return { failure: failureOf(error) };
  }
}

function run(call: number, opened: Opened | undefined, action: (functions: SqliteWriterFunctions<unknown, unknown>) => unknown): HostReply {
  if (!opened) return { call, error: { name: 'Error', message: 'the SQLite writer is not open' } };
  if ('failure' in opened) return { call, error: opened.failure };
  try {
    return { call, result: action(opened.functions) };
  } catch (error) {
    return { call, error: failureOf(error) };
  }
}

parentPort?.on('message', (request: HostRequest) => {
  const reply = handle(request);
  if (reply) parentPort?.postMessage(reply);
});
