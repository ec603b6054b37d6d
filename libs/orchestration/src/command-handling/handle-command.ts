import { Decider, DomainEvent, EventMetadata, evolveStored } from '@payments/domain';
import {
  AppendResult,
  EventStore,
  RecordedEvent,
  WrongExpectedRevision,
  deterministicUuid,
  randomEventId,
} from '@payments/event-store';
import { AggregateCache, FoldedStream } from './aggregate-cache';

/** Who asked for a command: copied into every event's metadata. */
export interface CommandMetadata {
  accountId?: string;
  /** The id of the whole business flow (a request, a payment); defaults to the command id. */
  correlationId?: string;
  /** The id of the message (request or event) that caused this command. */
  causationId?: string;
  requestId?: string;
}

export interface HandleOptions<Context> {
  /** Builds the decision context (clock reading, generated ids) once per attempt. */
  context: () => Context;
  metadata?: CommandMetadata;
  /**
   * Makes event ids deterministic (`<commandId>:<stream>:<revision>:<index>`), so that a command
   * re-run after a lost acknowledgement appends nothing new. Omitted: random ids.
   */
  commandId?: string;
  /** How many times to re-read and re-decide after a WrongExpectedRevision. 0: fail at once. */
  retries?: number;
  /** Event type -> schema version stored in metadata; types not listed are version 1. */
  schemaVersions?: Readonly<Record<string, number>>;
  /** Folds kept between commands, so the stream is read from the cached revision on. Omitted: read whole. */
  cache?: AggregateCache;
  /**
   * The stream as the caller has just read it (for a stream it knows to be new: the decider's
   * initial state at -1n): the first decision is made on it without reading the stream again.
   * A write since makes the append fail on its expected revision, and a retry reads.
   */
  current?: FoldedStream<unknown>;
}

export interface HandleResult<Event extends DomainEvent, State> {
  /** State after the new events. */
  state: State;
  /** The events this command appended (empty when the decision was to do nothing). */
  events: Event[];
  /** Revision of the stream after the command, -1n when it still does not exist. */
  revision: bigint;
  /** Global position of the last appended event, undefined when nothing was appended. */
  position?: bigint;
}

/**
 * The one command handler every aggregate uses: read the stream (after the cached fold, given a
 * cache), fold it, decide purely, append with the revision that was read as the expected revision.
 * A concurrent writer makes the append fail with WrongExpectedRevision; commands that allow it
 * re-read (the tail after the cached fold) and decide again.
 */
export async function handleCommand<Command, Event extends DomainEvent, State, Context>(
  store: EventStore,
  stream: string,
  decider: Decider<Command, Event, State, Context>,
  command: Command,
  options: HandleOptions<Context>,
): Promise<HandleResult<Event, State>> {
  const [outcome] = await handleCommands(store, stream, decider, [{ command, options }], options.cache);
  if ('error' in outcome) throw outcome.error;
  return outcome.result;
}

/** A command waiting its turn on a stream, with its own options (metadata, retries, ids). */
export interface StreamCommand<Command, Context> {
  command: Command;
  options: HandleOptions<Context>;
}

export type CommandOutcome<Event extends DomainEvent, State> = { result: HandleResult<Event, State> } | { error: unknown };

interface Decided<Command, Event extends DomainEvent, State, Context> {
  entry: StreamCommand<Command, Context> & { index: number; conflicts: number };
  events: Event[];
  state: State;
  /** Revision of the stream before this command's events. */
  revision: bigint;
}

/**
 * handleCommand for several commands on one stream at once, as if run one after another but
 * with one read and one append: each is decided on the state the ones before it left, and all
 * their events are appended together with the revision that was read. A command whose decision
 * throws fails alone. After a concurrent writer (WrongExpectedRevision) the commands are read
 * and decided again, except those that wrote and have no retry left, which fail with it; a
 * command that decided to do nothing, or refused after others of the batch had decided events,
 * is settled only once their append succeeded, since its decision rested on those events.
 * Answers an outcome per command, in order; the position each result carries is that of the
 * batch's last event.
 */
export async function handleCommands<Command, Event extends DomainEvent, State, Context>(
  store: EventStore,
  stream: string,
  decider: Decider<Command, Event, State, Context>,
  commands: readonly StreamCommand<Command, Context>[],
  cache?: AggregateCache,
): Promise<CommandOutcome<Event, State>[]> {
  const outcomes: CommandOutcome<Event, State>[] = new Array(commands.length);
  let remaining = commands.map((entry, index) => ({ ...entry, index, conflicts: 0 }));
  for (let attempt = 0; remaining.length > 0; attempt++) {
    let loaded: FoldedStream<State>;
    try {
      loaded = (attempt === 0 && currentOfAll<State>(remaining)) || (await loadState(store, stream, decider, cache));
    } catch (error) {
      for (const entry of remaining) outcomes[entry.index] = { error };
      break;
    }
    const decided: Decided<Command, Event, State, Context>[] = [];
    /** Refusals that rested on events of the batch not yet appended: they stand only once those are. */
    const refused: { entry: (typeof remaining)[number]; error: unknown }[] = [];
    let { state, revision } = loaded;
    for (const entry of remaining) {
      try {
        const events = decider.decide(entry.command, state, entry.options.context());
        const before = revision;
        for (const event of events) state = decider.evolve(state, event);
        revision += BigInt(events.length);
        decided.push({ entry, events, state, revision: before });
      } catch (error) {
        if (revision === loaded.revision) outcomes[entry.index] = { error };
        else refused.push({ entry, error });
      }
    }
    const toAppend = decided.flatMap(({ entry, events, revision: before }) => events.map((event, index) => eventToAppend(stream, entry.options, before, event, index)));
    if (toAppend.length === 0) {
      for (const { entry, state: after, revision: before } of decided) outcomes[entry.index] = { result: { state: after, events: [], revision: before } };
      break;
    }
    const settleRefused = () => refused.forEach(({ entry, error }) => (outcomes[entry.index] = { error }));
    let appended: AppendResult;
    try {
      appended = await store.appendToStream(stream, toAppend, { expectedRevision: loaded.revision < 0n ? 'no_stream' : loaded.revision });
    } catch (error) {
      if (!(error instanceof WrongExpectedRevision)) settleRefused();
      remaining = error instanceof WrongExpectedRevision ? refused.map(({ entry }) => entry) : [];
      for (const { entry, events } of decided) {
        const retry = error instanceof WrongExpectedRevision && (events.length === 0 || entry.conflicts < (entry.options.retries ?? 0));
        if (retry) remaining.push({ ...entry, conflicts: entry.conflicts + (events.length > 0 ? 1 : 0) });
        else outcomes[entry.index] = { error };
      }
      remaining.sort((a, b) => a.index - b.index);
      continue;
    }
    settleRefused();
    // The store's revisions, which differ from the ones decided on when the append was a repeat.
    let after = appended.nextRevision - BigInt(toAppend.length);
    for (const { entry, events, state: folded } of decided) {
      after += BigInt(events.length);
      // The cache is not given these states: they are folded from the decided events, which need
      // not be what the store holds (JSON turns a Date into a string; a repeated append with
      // deterministic ids keeps the first attempt's events). The next load folds the stored events.
      outcomes[entry.index] = { result: { state: folded, events, revision: after, ...(events.length > 0 && { position: appended.position }) } };
    }
    break;
  }
  return outcomes;
}

/** The fold every command of the batch was given as current, if they all were given the same one. */
function currentOfAll<State>(commands: readonly StreamCommand<unknown, unknown>[]): FoldedStream<State> | undefined {
  const current = commands[0].options.current;
  if (!current || commands.some(({ options }) => options.current?.revision !== current.revision)) return undefined;
  return current as FoldedStream<State>;
}

function eventToAppend<Context>(stream: string, options: HandleOptions<Context>, revision: bigint, event: DomainEvent, index: number) {
  return {
    id: options.commandId ? deterministicUuid(`${options.commandId}:${stream}:${revision}:${index}`) : randomEventId(),
    type: event.type,
    data: event.data,
    metadata: metadataFor(event, options),
  };
}

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

function metadataFor<Context>(event: DomainEvent, options: HandleOptions<Context>): EventMetadata {
  const m = options.metadata ?? {};
  const metadata: EventMetadata = { schema_version: options.schemaVersions?.[event.type] ?? 1 };
  if (m.accountId) metadata.account_id = m.accountId;
  const correlation = m.correlationId ?? options.commandId;
  if (correlation) metadata.correlation_id = correlation;
  if (m.causationId) metadata.causation_id = m.causationId;
  if (m.requestId) metadata.request_id = m.requestId;
  return metadata;
}
