import { Decider, DomainEvent, evolveStored } from '@payments/domain';
import { EventStore, RecordedEvent } from '@payments/event-store';
import { AggregateCache, FoldedStream } from './aggregate-cache';

/**
 * Loading, the first part of handling a command: a stream read and folded into its decider's
 * state, each stored event read through domainEventOf (where upcasting lives).
 */

/**
 * Folds a stream into the decider's state from the cached fold on, reading only the events after
 * it, and caches the result; revision is -1n for a stream that does not exist.
 */
export async function loadState<Event extends DomainEvent, State>(
  store: EventStore,
  stream: string,
  decider: Pick<Decider<unknown, Event, State, unknown>, 'evolve' | 'initialState'>,
  cache?: AggregateCache,
): Promise<FoldedStream<State>> {
  let { state, revision } = cache?.get<State>(stream, decider) ?? { state: decider.initialState(), revision: -1n };
  for await (const event of store.readStream(stream, { fromRevision: revision + 1n })) {
    state = evolveStored(decider, state, event);
    revision = event.revision;
  }
  // A missing stream has nothing worth keeping, and lookups of unknown ids would churn the cache.
  if (revision >= 0n) cache?.set(stream, decider, { state, revision });
  return { state, revision };
}

/**
 * Folds a stream up to and including `revision` (a past version of its aggregate), from the
 * cached fold when that is the one; revision is -1n when the stream does not reach that far.
 */
export async function loadStateAt<Event extends DomainEvent, State>(
  store: EventStore,
  stream: string,
  decider: Pick<Decider<unknown, Event, State, unknown>, 'evolve' | 'initialState'>,
  revision: bigint,
  cache?: AggregateCache,
): Promise<FoldedStream<State>> {
  const cached = cache?.get<State>(stream, decider);
  if (cached?.revision === revision) return cached;
  let state = decider.initialState();
  let at = -1n;
  for await (const event of store.readStream(stream, { maxCount: Number(revision) + 1 })) {
    state = evolveStored(decider, state, event);
    at = event.revision;
  }
  return at === revision ? { state, revision } : { state: decider.initialState(), revision: -1n };
}

/** A stream folded with its recorded events, up to `revision` (-1n: the stream does not exist). */
export interface LoadedAggregate<State> {
  state: State;
  revision: bigint;
  recorded: RecordedEvent[];
}

/**
 * Folds the whole stream, uncached, for callers that need the recorded events themselves (their
 * metadata). Given what an earlier load of the stream gave, reads only the events after it:
 * streams only grow, so that load is still a prefix of the stream.
 */
export async function loadAggregate<Event extends DomainEvent, State>(
  store: EventStore,
  stream: string,
  decider: Pick<Decider<unknown, Event, State, unknown>, 'evolve' | 'initialState'>,
  earlier?: LoadedAggregate<State>,
): Promise<LoadedAggregate<State>> {
  let state = earlier?.state ?? decider.initialState();
  let revision = earlier?.revision ?? -1n;
  const recorded = earlier ? [...earlier.recorded] : [];
  for await (const event of store.readStream(stream, { fromRevision: revision + 1n })) {
    state = evolveStored(decider, state, event);
    revision = event.revision;
    recorded.push(event);
  }
  return { state, revision, recorded };
}
