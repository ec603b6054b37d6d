import { Decider, DomainEvent } from '@payments/domain';
import { AppendResult, EventStore, WrongExpectedRevision } from '@payments/event-store';
import { AggregateCache, FoldedStream } from './aggregate-cache';
import { AppendOptions, appendDecided } from './append-decided';
import { decideInTurn } from './decide-in-turn';
import { loadState } from './load-stream';

export type { CommandMetadata } from './command-metadata';

/**
 * Handling commands on one stream: load (load-stream.ts), decide (decide-in-turn.ts, pure),
 * append (append-decided.ts), and again after a concurrent writer. The commands of one stream
 * that arrive together come here as one batch (stream-commands.ts).
 */

export interface HandleOptions<Context> extends AppendOptions {
  /** Builds the decision context (clock reading, generated ids) once per attempt. */
  context: () => Context;
  /** How many times to re-read and re-decide after a WrongExpectedRevision. 0: fail at once. */
  retries?: number;
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
    const { decided, refusedOnLoaded, refusedOnBatch: refused } = decideInTurn(decider, loaded, remaining, (entry) => entry.options.context());
    for (const { entry, error } of refusedOnLoaded) outcomes[entry.index] = { error };
    const appending = decided.reduce((count, { events }) => count + events.length, 0);
    if (appending === 0) {
      for (const { entry, state: after, revision: before } of decided) outcomes[entry.index] = { result: { state: after, events: [], revision: before } };
      break;
    }
    const settleRefused = () => refused.forEach(({ entry, error }) => (outcomes[entry.index] = { error }));
    let appended: AppendResult;
    try {
      appended = await appendDecided(store, stream, decided.map(({ entry, events, revision }) => ({ options: entry.options, events, revision })), loaded.revision);
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
    let after = appended.nextRevision - BigInt(appending);
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
