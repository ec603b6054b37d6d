import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { startModuleWorker } from './module-worker';
import type { HostReply, HostRequest } from './sqlite-writer-host';

/**
 * SQLite writes off the event loop. better-sqlite3 is synchronous, so a COMMIT (its WAL writes
 * and, at synchronous=FULL, its fsync) would otherwise stop every request of the process for its
 * whole length. A store keeps its reads on a connection of its own in the calling thread (WAL
 * lets them run beside the writer) and sends its writes to a writer module loaded in one shared
 * worker thread, which opens a second connection to the same file.
 *
 * The thread starts with the first write and is shared by every writer of the process, so a
 * write waiting for another process's lock on one file holds back the writes to the others. It keeps
 * the process alive only while a write is in flight. If it dies, the writes in flight fail and
 * the next write starts a new thread, where each writer opens its connection again.
 */

/** What a writer module exports: `open(options)` gives the functions its writes run through, in the worker. */
export interface SqliteWriterModule<Request, Response> {
  open(options: unknown): SqliteWriterFunctions<Request, Response>;
}

export interface SqliteWriterFunctions<Request, Response> {
  /** Runs one write, synchronously; what it returns or throws is sent back to the caller. */
  write(request: Request): Response;
  close(): void;
}

/** A writer's handle in the calling thread. */
export interface SqliteWriter<Request, Response> {
  /** The writer's answer; rejects with the error it threw (name, message and SQLite `code` kept). */
  write(request: Request): Promise<Response>;
  /** Closes the writer's connection once the writes sent before have run. */
  close(): Promise<void>;
}

/**
 * Opens a writer: `module` is the path of a writer module without its extension (so that it
 * resolves to the .ts source under ts-node and jest and to the .js file once built), `options`
 * what its `open` receives (structured-cloneable).
 */
export function openSqliteWriter<Request, Response>(module: string, options: unknown): SqliteWriter<Request, Response> {
  return sharedThread().writer<Request, Response>(module, options);
}

/**
 * Runs a writer module in the calling thread instead: for a thread of its own (the projection
 * thread), where a write that blocks stops nothing else.
 */
export function openSqliteWriterInThisThread<Request, Response>(module: string, options: unknown): SqliteWriter<Request, Response> {
  const functions = (require(module) as SqliteWriterModule<Request, Response>).open(options);
  let closed = false;
  return {
    write: async (request) => {
      if (closed) throw new Error('the SQLite writer is closed');
      return functions.write(request);
    },
    close: async () => {
      if (closed) return;
      closed = true;
      functions.close();
    },
  };
}

/** The `code` of the error a write gets when the thread died under it (the store was briefly unavailable). */
export const WRITER_STOPPED = 'ERR_SQLITE_WRITER_STOPPED';

let shared: WriterThread | undefined;

/**
 * Stops the writer thread as a crash would (worker.terminate: whatever it was running is cut
 * off), for fault tests of the running service (apps/api/src/ops/thread-fault-signal.ts).
 * Resolves once it is gone; false when no thread was running.
 */
export async function terminateSqliteWriterThread(): Promise<boolean> {
  return (await shared?.terminate()) ?? false;
}

function sharedThread(): WriterThread {
  shared ??= new WriterThread();
  return shared;
}

interface Call {
  resolve(result: unknown): void;
  reject(error: unknown): void;
}

interface Registration {
  readonly id: number;
  readonly module: string;
  readonly options: unknown;
  /** The worker this writer's connection was opened on, if any: a new worker opens it again. */
  openedOn?: Worker;
}

class WriterThread {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly calls = new Map<number, Call>();

  writer<Request, Response>(module: string, options: unknown): SqliteWriter<Request, Response> {
    const registration: Registration = { id: this.nextId++, module, options };
    let closed = false;
    return {
      write: (request) => {
        if (closed) return Promise.reject(new Error('the SQLite writer is closed'));
        return this.call(registration, { kind: 'write', writer: registration.id, request }) as Promise<Response>;
      },
      close: async () => {
        if (closed) return;
        closed = true;
        // A writer never opened on the thread running now (or on none) has no connection to close.
        if (registration.openedOn === undefined || registration.openedOn !== this.worker) return;
        await this.call(registration, { kind: 'close', writer: registration.id });
      },
    };
  }

  private call(registration: Registration, request: { kind: 'write'; writer: number; request: unknown } | { kind: 'close'; writer: number }): Promise<unknown> {
    const worker = this.running();
    if (registration.openedOn !== worker) {
      // Messages are handled in the order sent, so the open needs no answer before the write.
      worker.postMessage({ kind: 'open', writer: registration.id, module: registration.module, options: registration.options } satisfies HostRequest);
      registration.openedOn = worker;
    }
    const call = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.calls.size === 0) worker.ref();
      this.calls.set(call, { resolve, reject });
      worker.postMessage({ ...request, call } satisfies HostRequest);
    });
  }

  private running(): Worker {
    if (this.worker) return this.worker;
    const worker = startModuleWorker(join(__dirname, 'sqlite-writer-host'));
    worker.unref();
    worker.on('message', (reply: HostReply) => this.settle(reply));
    worker.on('error', (error) => this.stopped(worker, error));
    worker.on('exit', (code) => this.stopped(worker, new Error(`the SQLite writer thread exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  async terminate(): Promise<boolean> {
    if (!this.worker) return false;
    await this.worker.terminate();
    return true;
  }

  private settle(reply: HostReply): void {
    const call = this.calls.get(reply.call);
    if (!call) return;
    this.calls.delete(reply.call);
    if (this.calls.size === 0) this.worker?.unref();
    if ('error' in reply) call.reject(errorFrom(reply.error));
    else call.resolve(reply.result);
  }

  /** Fails the writes in flight: as with a lost acknowledgement, each may or may not have been committed. */
  private stopped(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    const failed = [...this.calls.values()];
    this.calls.clear();
    for (const call of failed) call.reject(Object.assign(new Error(`the SQLite writer thread stopped: ${error.message}`), { code: WRITER_STOPPED }));
  }
}

/** An error as it crosses between threads (a structured clone would drop `code`). */
export interface WriterFailure {
  name: string;
  message: string;
  /** SQLite's error code (SQLITE_BUSY, ...), which callers map to answers. */
  code?: string;
}

export function failureOf(error: unknown): WriterFailure {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const code = (error as { code?: unknown }).code;
  return { name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}) };
}

export function errorFrom(failure: WriterFailure): Error {
  const error = new Error(failure.message);
  error.name = failure.name;
  if (failure.code !== undefined) Object.assign(error, { code: failure.code });
  return error;
}
