/** A stream folded up to and including `revision`. */
export interface FoldedStream<State> {
  state: State;
  revision: bigint;
}

interface Entry extends FoldedStream<unknown> {
  /** The decider (by identity) whose evolve folded `state`: another decider's fold is no use. */
  decider: object;
}

export interface AggregateCacheOptions {
  /** How many streams are kept; reading one more drops the least recently read. */
  maxStreams?: number;
}

/**
 * A load wants the fold of a stream it was handed moments ago (the same payment, session or
 * route, within one request or saga); a command hours later reads its stream, a few events. A
 * folded payment or session is about 1.8 KB of heap, and V8 lets the heap grow to a few times
 * what is live, so 10,000 streams (as this was) cost the soak 18 MB live and ~70 MB of RSS as
 * they filled, for hits 2,000 also give: that is the streams of 1,000 payments in flight.
 */
export const DEFAULT_MAX_STREAMS = 2_000;

/**
 * Folded states of streams, so that a load reads only the events after the cached revision. A
 * cached fold never goes stale: streams only grow and their events never change, so it is a
 * prefix of the stream, and the caller always reads the tail after it (which brings in the
 * writes of other processes). That holds only while no one mutates a cached state: deciders'
 * evolve and decide, and every caller of a load, treat states as immutable.
 *
 * One cache belongs to one event store: it is keyed by stream name alone.
 */
export class AggregateCache {
  private readonly maxStreams: number;
  /** Map keeps insertion order: the first key is the least recently used stream. */
  private readonly entries = new Map<string, Entry>();

  constructor(options: AggregateCacheOptions = {}) {
    this.maxStreams = options.maxStreams ?? DEFAULT_MAX_STREAMS;
    if (!Number.isInteger(this.maxStreams) || this.maxStreams < 1) throw new Error(`maxStreams must be a positive integer, got ${this.maxStreams}`);
  }

  get<State>(stream: string, decider: object): FoldedStream<State> | undefined {
    const entry = this.entries.get(stream);
    if (!entry || entry.decider !== decider) return undefined;
    this.touch(stream, entry);
    return { state: entry.state as State, revision: entry.revision };
  }

  /**
   * Keeps the fold unless the cache already holds a further one of the same decider: loads of
   * one stream run concurrently, and the one that read less may finish last.
   */
  set<State>(stream: string, decider: object, folded: FoldedStream<State>): void {
    const current = this.entries.get(stream);
    const kept = current && current.decider === decider && current.revision > folded.revision ? current : { decider, ...folded };
    this.touch(stream, kept);
    if (this.entries.size > this.maxStreams) this.entries.delete(this.entries.keys().next().value as string);
  }

  private touch(stream: string, entry: Entry): void {
    this.entries.delete(stream);
    this.entries.set(stream, entry);
  }
}
