import { setTimeout as sleep } from 'node:timers/promises';
import { EventStore, RecordedEvent } from '@payments/event-store';
import { AppliedPosition } from './applied-position';
import { CommittedDocuments } from './committed-documents';
import { EventBuffer } from './event-buffer';
import { EventFeed } from './event-feed';
import { PendingWrites } from './pending-writes';
import { Projection, ProjectionReader } from './projection';
import { ProjectionStore } from './read-model-store';

export interface ProjectionRunnerOptions {
  /** Most events projected into one commit; a caught-up runner commits what has arrived. Default 500. */
  batchSize?: number;
  /** Pause after a failure before following again from the stored checkpoint. Default 1000 ms. */
  retryDelayMs?: number;
  /** Hears every failure (a projection that throws, a store that is down); the runner retries. */
  onError?(error: unknown): void;
  /** A subscription shared with the other runners of the service; by default the runner reads the log alone. */
  feed?: EventFeed;
  /** Hears every change of `position`. */
  onApplied?(position: bigint | undefined): void;
  /**
   * Stores the checkpoint at most this long after the applied position moved, also over events
   * that gave no writes, so that processes which do not run the projection see from the store
   * how far it got (read-your-writes in a deployment of several processes). Default: only with
   * writes, and every STORE_CHECKPOINT_EVERY_EVENTS events.
   */
  storeCheckpointWithinMs?: number;
}

interface Projected {
  writes: PendingWrites;
  events: number;
  last: bigint;
}

export interface CatchUpProgress {
  projection: string;
  /** Global position of the last event applied. */
  position: bigint;
  /** Events applied by this catch-up so far. */
  events: number;
}

/**
 * Events that give no writes move the checkpoint only in memory (replaying them writes nothing),
 * but at least this often it is stored, so a restart does not re-read a long quiet stretch.
 */
const STORE_CHECKPOINT_EVERY_EVENTS = 1000;

/** Events per read when several runners share one read of the log (catchUpTogether). */
const SHARED_PAGE_EVENTS = 1000;

/**
 * Feeds one projection from the global log. Each batch of events is committed together with
 * the position of its last event, compare-and-set against the checkpoint the batch started
 * from, so after a crash, a lost acknowledgement or a competing runner every event is applied
 * exactly once: a refused commit means someone else applied these events, and the runner
 * resumes after the checkpoint it then reads.
 *
 * While following, its events come from an EventFeed, which may be shared: then the runner
 * still keeps its own buffer, position and checkpoint, and a failure stays its own.
 */
export class ProjectionRunner {
  private readonly batchSize: number;
  private readonly retryDelayMs: number;
  /** The checkpoint as stored: what the next commit expects. */
  private stored: bigint | undefined;
  /** The generation of the read model `stored` belongs to: a published rebuild refuses the next commit even at the same position. */
  private generation = 0;
  /** Up to where the read model is exact: the stored checkpoint or beyond, over events that gave no writes. */
  private readonly applied = new AppliedPosition();
  private eventsSinceStored = 0;
  /** When the checkpoint was last stored (performance.now()), for storeCheckpointWithinMs. */
  private storedAt = 0;
  private lastSeen = 0n;
  private following: { stopping: AbortController; done: Promise<void> } | undefined;
  private readonly feed: EventFeed;
  private readonly committed: CommittedDocuments;
  /** Events projected and not committed yet (catchUpTogether commits every batchSize events, however it reads them). */
  private projected: Projected | undefined;
  /** The batch catchUpTogether is committing while it projects the next one. */
  private committing: { writes: PendingWrites; done: Promise<void> } | undefined;
  /** What a batch reads below its own writes: the batch being committed, then what was committed. */
  private readonly below: ProjectionReader = {
    get: <T>(collection: string, id: string) => {
      const committing = this.committing?.writes;
      return committing?.holds(collection, id) ? committing.get<T>(collection, id) : this.committed.get<T>(collection, id);
    },
    getMany: async <T>(collection: string, ids: readonly string[]) => {
      const committing = this.committing?.writes;
      if (!committing) return this.committed.getMany<T>(collection, ids);
      const elsewhere = ids.filter((id) => !committing.holds(collection, id));
      const found = new Map((await this.committed.getMany<T>(collection, elsewhere)).map((document, index) => [elsewhere[index], document]));
      return Promise.all(ids.map((id) => (committing.holds(collection, id) ? committing.get<T>(collection, id) : found.get(id))));
    },
  };

  constructor(
    readonly projection: Projection,
    private readonly events: EventStore,
    private readonly store: ProjectionStore,
    private readonly options: ProjectionRunnerOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.feed = options.feed ?? new EventFeed(events);
    this.committed = new CommittedDocuments(store);
  }

  /** Global position of the last event reflected in the read model; undefined before any. */
  get position(): bigint | undefined {
    return this.applied.position;
  }

  /**
   * Last global position seen minus the last applied (0 when caught up). What a following runner
   * has seen is bounded by its read-ahead buffer, so a long backlog shows as at most a few batches.
   */
  get lag(): bigint {
    const applied = this.applied.position ?? 0n;
    return this.lastSeen > applied ? this.lastSeen - applied : 0n;
  }

  /** Follows the log from the stored checkpoint until stop(): catch-up, then live. */
  start(): void {
    if (this.following) return;
    const stopping = new AbortController();
    this.following = { stopping, done: this.follow(stopping.signal) };
  }

  /** Resolves once no commit is in flight and none will follow. */
  async stop(): Promise<void> {
    const following = this.following;
    if (!following) return;
    this.following = undefined;
    following.stopping.abort();
    await following.done;
  }

  /** Applies every event stored now, then returns: the CLI's way to run a projection to the end. */
  async catchUp(onProgress?: (progress: CatchUpProgress) => void): Promise<void> {
    if (this.following) throw new Error(`projection ${this.projection.name} is following the log; stop it first`);
    await this.loadCheckpoint();
    await this.catchUpFromApplied(onProgress);
  }

  /** catchUp from the position applied in memory, which may be ahead of the stored checkpoint. */
  private async catchUpFromApplied(onProgress?: (progress: CatchUpProgress) => void): Promise<void> {
    let events = 0;
    const report = (batch: readonly RecordedEvent[]) => {
      events += batch.length;
      onProgress?.({ projection: this.projection.name, position: batch[batch.length - 1].position, events });
    };
    for (;;) {
      await this.applyStoredEvents(report);
      // Store the checkpoint of a quiet tail too, so the service does not re-read it at start.
      const applied = this.applied.position;
      if (applied === undefined || applied === this.stored) return;
      if (await this.store.commit(this.projection.name, this.stored, applied, [], this.generation)) return;
      await this.loadCheckpoint();
    }
  }

  /**
   * Catches several runners up with one read of the log (a rebuild of many projections): each
   * page read is projected by every runner in turn, so the log is read and parsed once, not once
   * per projection, and each runner commits every batchSize events. Pages are small (a page of
   * events dies young, which the garbage collector handles cheaply) however large the batches.
   * Then each catches up alone with what was appended meanwhile.
   * `onProgress` hears the position and count of the events read so far.
   */
  static async catchUpTogether(runners: readonly ProjectionRunner[], onProgress?: (progress: { position: bigint; events: number }) => void): Promise<void> {
    if (runners.length === 0) return;
    const busy = runners.find((runner) => runner.following);
    if (busy) throw new Error(`projection ${busy.projection.name} is following the log; stop it first`);
    for (const runner of runners) await runner.loadCheckpoint();
    const refused = (runner: ProjectionRunner) => new Error(`projection ${runner.projection.name}: its checkpoint moved while it caught up with the others`);
    const commit = async (runner: ProjectionRunner) => {
      await runner.settleCommitting();
      if (!(await runner.commitProjected())) throw refused(runner);
    };
    const [reader] = runners;
    const through = new Map(runners.map((runner) => [runner, runner.position ?? 0n]));
    let events = 0;
    let from = [...through.values()].reduce((lowest, position) => (position < lowest ? position : lowest));
    for (;;) {
      const page = await reader.readAfter(from, Math.min(reader.batchSize, SHARED_PAGE_EVENTS));
      if (page.length === 0) break;
      for (const runner of runners) {
        const projected = through.get(runner)!;
        const unseen = projected < page[0].position ? page : page.filter((event) => event.position > projected);
        if (unseen.length === 0) continue;
        await runner.project(unseen);
        through.set(runner, unseen[unseen.length - 1].position);
        if (runner.projected!.events >= runner.batchSize) await runner.commitBehind(refused(runner));
      }
      events += page.length;
      from = page[page.length - 1].position;
      onProgress?.({ position: from, events });
    }
    for (const runner of runners) await commit(runner);
    for (const runner of runners) {
      await runner.catchUpFromApplied((progress) => onProgress?.({ position: progress.position, events: events + progress.events }));
    }
  }

  /** True once every event up to `position` is reflected in the read model; false after `timeoutMs`. */
  waitFor(position: bigint, timeoutMs: number): Promise<boolean> {
    return this.applied.waitFor(position, timeoutMs);
  }

  private async follow(signal: AbortSignal): Promise<void> {
    for (let rejoining = false; !signal.aborted; rejoining = true) {
      try {
        await this.followFromCheckpoint(signal, rejoining);
      } catch (error) {
        if (signal.aborted) return;
        this.options.onError?.(error);
        await sleep(this.retryDelayMs, undefined, { signal }).catch(() => undefined);
      }
    }
  }

  /**
   * Returns when stopped or when a commit was refused (to follow again from the new checkpoint).
   * Rejoining after a failure or a refused commit, the runner first reads the log alone up to
   * its end: the feed would go back for it, holding back every other runner while this one
   * replays what it missed.
   */
  private async followFromCheckpoint(signal: AbortSignal, rejoining: boolean): Promise<void> {
    await this.loadCheckpoint();
    if (rejoining) await this.applyStoredEvents(undefined, signal);
    if (signal.aborted) return;
    const buffer = new EventBuffer(this.batchSize * 2);
    const membership = this.feed.join(this.applied.position, {
      push: (event) => {
        this.see(event.position);
        return buffer.push(event);
      },
      fail: (error) => buffer.fail(error),
    });
    const close = () => buffer.close();
    signal.addEventListener('abort', close);
    const within = this.options.storeCheckpointWithinMs;
    try {
      for (let taking = buffer.take(this.batchSize); ; taking = buffer.take(this.batchSize)) {
        // Quiet with a position not stored yet: store it once no event has come for `within`.
        while (within !== undefined && this.applied.position !== this.stored) {
          const quiet = new AbortController();
          const batch = await Promise.race([taking, sleep(within, 'quiet' as const, { signal: quiet.signal }).catch(() => undefined)]);
          quiet.abort();
          if (batch !== 'quiet') break;
          if (!(await this.storeApplied())) return;
        }
        const batch = await taking;
        if (batch.length === 0 || !(await this.apply(batch))) return;
      }
    } finally {
      signal.removeEventListener('abort', close);
      buffer.close();
      await membership.leave();
    }
  }

  /** Reads and applies batches after the applied position until none is left; a refused commit re-reads the checkpoint. */
  private async applyStoredEvents(onApplied?: (batch: readonly RecordedEvent[]) => void, signal?: AbortSignal): Promise<void> {
    while (!signal?.aborted) {
      const batch = await this.readAfter(this.applied.position);
      if (batch.length === 0) return;
      if (await this.apply(batch)) onApplied?.(batch);
      else await this.loadCheckpoint();
    }
  }

  /** Projects a batch and commits it with its last position; false when the checkpoint had moved. */
  private async apply(batch: readonly RecordedEvent[]): Promise<boolean> {
    await this.project(batch);
    return this.commitProjected();
  }

  /**
   * Starts committing what was projected and goes on while the commit runs (in the SQLite
   * writer thread, or at Redis), so the next batch is projected meanwhile; the commit before it
   * is waited for first, so commits stay in order. Throws `refused` (at the next commit or
   * settle) if the commit is refused.
   */
  private async commitBehind(refused: Error): Promise<void> {
    await this.settleCommitting();
    const projected = this.projected;
    if (projected === undefined) return;
    this.projected = undefined;
    const done = this.commitBatch(projected).then((committed) => {
      if (!committed) throw refused;
    });
    // Rethrown by settleCommitting.
    done.catch(() => undefined);
    this.committing = { writes: projected.writes, done };
  }

  private async settleCommitting(): Promise<void> {
    const committing = this.committing;
    if (committing === undefined) return;
    try {
      await committing.done;
    } finally {
      this.committing = undefined;
    }
  }

  /** Projects a batch on top of what is projected and not committed yet, without committing it. */
  private async project(batch: readonly RecordedEvent[]): Promise<void> {
    const projected = (this.projected ??= { writes: new PendingWrites(this.below), events: 0, last: 0n });
    for (const event of batch) projected.writes.add(await this.projection.project(event, projected.writes));
    projected.events += batch.length;
    projected.last = batch[batch.length - 1].position;
  }

  /** Commits what was projected since the last commit, with the position of its last event; false when the checkpoint had moved. */
  private async commitProjected(): Promise<boolean> {
    const projected = this.projected;
    if (projected === undefined) return true;
    this.projected = undefined;
    return this.commitBatch(projected);
  }

  private async commitBatch(projected: Projected): Promise<boolean> {
    const writes = projected.writes.writes;
    this.eventsSinceStored += projected.events;
    const due = this.options.storeCheckpointWithinMs !== undefined && performance.now() - this.storedAt >= this.options.storeCheckpointWithinMs;
    if (writes.length > 0 || this.eventsSinceStored >= STORE_CHECKPOINT_EVERY_EVENTS || due) {
      if (!(await this.store.commit(this.projection.name, this.stored, projected.last, writes, this.generation))) return false;
      this.committed.remember(projected.writes.latest);
      this.markStored(projected.last);
    }
    this.advance(projected.last);
    return true;
  }

  /** Stores the applied position as the checkpoint, without writes; false when the checkpoint had moved. */
  private async storeApplied(): Promise<boolean> {
    const applied = this.applied.position;
    if (applied === undefined || applied === this.stored) return true;
    if (!(await this.store.commit(this.projection.name, this.stored, applied, [], this.generation))) return false;
    this.markStored(applied);
    return true;
  }

  private markStored(position: bigint): void {
    this.stored = position;
    this.eventsSinceStored = 0;
    this.storedAt = performance.now();
  }

  private async loadCheckpoint(): Promise<void> {
    this.projected = undefined;
    this.committing = undefined;
    this.committed.forget();
    ({ position: this.stored, generation: this.generation } = await this.store.readCheckpoint(this.projection.name));
    this.eventsSinceStored = 0;
    this.storedAt = performance.now();
    this.advance(this.stored);
  }

  private async readAfter(position: bigint | undefined, limit = this.batchSize): Promise<RecordedEvent[]> {
    const batch: RecordedEvent[] = [];
    for await (const event of this.events.readAll({ fromPosition: position, maxCount: limit })) batch.push(event);
    if (batch.length > 0) this.see(batch[batch.length - 1].position);
    return batch;
  }

  private see(position: bigint): void {
    if (position > this.lastSeen) this.lastSeen = position;
  }

  private advance(position: bigint | undefined): void {
    this.applied.set(position);
    this.options.onApplied?.(position);
  }
}
