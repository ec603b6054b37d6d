import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { AppendSignal, startModuleWorker } from '@payments/event-store';
import { AppliedPosition } from '../applied-position';
import { FromProjectionThread, ProjectionGroupSettings, ProjectionProgress, ToProjectionThread } from './messages';

export type { ProjectionGroupSettings, ProjectionProgress } from './messages';

/** After the thread died, how long before it is started again (a thread that dies at once must not spin). */
const RESTART_DELAY_MS = 1000;

export interface ProjectionThreadOptions extends ProjectionGroupSettings {
  /** Signals the service's appends, which the thread then reads at once rather than at its next poll of the file. */
  appends: AppendSignal;
  /** A projection failed and retries from its checkpoint (or the thread died and starts again). */
  onError(projection: string, error: string): void;
}

/**
 * Every projection of the service (allProjections), run in a worker thread on stores of their
 * own, so that applying events and committing read models take none of the time of the thread
 * that answers requests. The thread follows the events file as any other reader does: the runners,
 * checkpoints and feed are the ones of the in-process mode; the service tells it of each of its
 * appends and hears how far each projection has got, which is what `waitFor` answers from.
 *
 * One thread serves every service of the process (tests start many); each is a group of its own.
 */
export class ProjectionThread {
  private readonly applied = new Map<string, AppliedPosition>();
  private progress: ProjectionProgress[] = [];
  private readonly forwarding = new AbortController();
  private stopped: (() => void) | undefined;
  private stopping: Promise<void> | undefined;

  private constructor(
    readonly id: number,
    readonly options: ProjectionThreadOptions,
  ) {}

  static start(options: ProjectionThreadOptions): ProjectionThread {
    const thread = sharedWorker().start((id) => new ProjectionThread(id, options));
    void thread.forwardAppends();
    return thread;
  }

  /** True once the projection has applied every event up to `position`; false after `timeoutMs`. */
  waitFor(projection: string, position: bigint, timeoutMs: number): Promise<boolean> {
    return this.appliedOf(projection).waitFor(position, timeoutMs);
  }

  /** As last reported; empty before the thread's first report. */
  status(): ProjectionProgress[] {
    return this.progress;
  }

  /** Resolves once the thread has stopped the runners and closed their stores; every call answers the same. */
  stop(): Promise<void> {
    this.forwarding.abort();
    this.stopping ??= sharedWorker().stop(this, new Promise<void>((resolve) => (this.stopped = resolve)));
    return this.stopping;
  }

  /** @internal from the shared worker */
  hear(message: FromProjectionThread): void {
    switch (message.kind) {
      case 'progress':
        this.progress = message.progress;
        for (const { projection, position } of message.progress) this.appliedOf(projection).set(position);
        return;
      case 'failed':
        this.options.onError(message.projection, message.error);
        return;
      case 'not-started':
        this.options.onError('all', `${message.error}; starting the projections again in ${RESTART_DELAY_MS} ms`);
        void sharedWorker().startAgain(this);
        return;
      case 'stopped':
        this.stopped?.();
        return;
    }
  }

  private appliedOf(projection: string): AppliedPosition {
    let applied = this.applied.get(projection);
    if (!applied) this.applied.set(projection, (applied = new AppliedPosition()));
    return applied;
  }

  private async forwardAppends(): Promise<void> {
    const { appends } = this.options;
    const signal = this.forwarding.signal;
    for (let seen = appends.appendCount; !signal.aborted; ) {
      await appends.waitForAppend(seen, undefined, signal);
      if (signal.aborted) return;
      seen = appends.appendCount;
      sharedWorker().send({ kind: 'appended', group: this.id });
    }
  }
}

let shared: SharedWorker | undefined;

/**
 * Stops the projection thread as a crash would (worker.terminate), for fault tests of the running
 * service (apps/api/src/ops/thread-fault-signal.ts); it is started again as after any death.
 * Resolves once it is gone; false when no thread was running.
 */
export async function terminateProjectionThread(): Promise<boolean> {
  return (await shared?.terminate()) ?? false;
}

function sharedWorker(): SharedWorker {
  shared ??= new SharedWorker();
  return shared;
}

class SharedWorker {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly groups = new Map<number, ProjectionThread>();
  /** Groups asked to stop that the thread has not yet reported stopped. */
  private readonly stopping = new Set<number>();

  start(create: (id: number) => ProjectionThread): ProjectionThread {
    const thread = create(this.nextId++);
    this.groups.set(thread.id, thread);
    this.send(startMessage(thread));
    return thread;
  }

  async stop(thread: ProjectionThread, stopped: Promise<void>): Promise<void> {
    if (!this.groups.has(thread.id) || this.stopping.has(thread.id)) return;
    this.stopping.add(thread.id);
    try {
      this.send({ kind: 'stop', group: thread.id });
      // Stopping keeps the process alive until the thread has closed the group's stores.
      if (this.stopping.size === 1) this.worker?.ref();
      await stopped;
    } finally {
      this.groups.delete(thread.id);
      this.stopping.delete(thread.id);
      if (this.stopping.size === 0) this.worker?.unref();
    }
  }

  async terminate(): Promise<boolean> {
    if (!this.worker) return false;
    await this.worker.terminate();
    return true;
  }

  send(message: ToProjectionThread): void {
    this.running().postMessage(message);
  }

  private running(): Worker {
    if (this.worker) return this.worker;
    const worker = startModuleWorker(join(__dirname, 'projection-thread-host'), { pathAliases: true });
    worker.unref();
    worker.on('message', (message: FromProjectionThread) => this.groups.get(message.group)?.hear(message));
    worker.on('error', (error) => this.died(worker, error.stack ?? error.message));
    worker.on('exit', (code) => this.died(worker, `the projection thread exited with code ${code}`));
    this.worker = worker;
    return worker;
  }

  /** After a pause, starts again a group the thread lost or could not start, unless it is stopping by then. */
  async startAgain(group: ProjectionThread): Promise<void> {
    await sleep(RESTART_DELAY_MS, undefined, { ref: false });
    if (this.groups.get(group.id) === group && !this.stopping.has(group.id)) this.send(startMessage(group));
  }

  /** Starts the groups again on a new thread, each runner from its checkpoint; a group that was stopping has stopped. */
  private died(worker: Worker, reason: string): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    const groups = [...this.groups.values()];
    for (const group of groups) {
      if (this.stopping.has(group.id)) {
        group.hear({ kind: 'stopped', group: group.id });
        continue;
      }
      group.options.onError('all', `${reason}; starting the projections again in ${RESTART_DELAY_MS} ms`);
      void this.startAgain(group);
    }
  }
}

function startMessage(thread: ProjectionThread): ToProjectionThread {
  const { dataDir, redis, postgres } = thread.options;
  return { kind: 'start', group: thread.id, settings: { dataDir, redis, postgres } };
}
