import { Decider, DomainEvent } from '@payments/domain';
import { FoldedStream } from './aggregate-cache';

/**
 * Deciding, the pure part of handling commands: each command of a batch decided on the state the
 * ones before it left. No I/O, no clock (the context comes with each command).
 */

export interface Decided<Entry, Event extends DomainEvent, State> {
  entry: Entry;
  events: Event[];
  /** State after this command's events. */
  state: State;
  /** Revision of the stream before this command's events. */
  revision: bigint;
}

export interface Decisions<Entry, Event extends DomainEvent, State> {
  decided: Decided<Entry, Event, State>[];
  /** Refusals on the stream as loaded, before any event of the batch: they stand whatever the append does. */
  refusedOnLoaded: { entry: Entry; error: unknown }[];
  /** Refusals that rested on events of the batch not yet appended: they stand only once those are. */
  refusedOnBatch: { entry: Entry; error: unknown }[];
}

/**
 * Decides the commands in order on `loaded`, each on the state the ones before it decided; a
 * command whose decision throws is refused alone, and the ones after it are decided as if it
 * had not been given.
 */
export function decideInTurn<Command, Event extends DomainEvent, State, Context, Entry extends { command: Command }>(
  decider: Decider<Command, Event, State, Context>,
  loaded: FoldedStream<State>,
  entries: readonly Entry[],
  contextOf: (entry: Entry) => Context,
): Decisions<Entry, Event, State> {
  const decisions: Decisions<Entry, Event, State> = { decided: [], refusedOnLoaded: [], refusedOnBatch: [] };
  let { state, revision } = loaded;
  for (const entry of entries) {
    try {
      const events = decider.decide(entry.command, state, contextOf(entry));
      const before = revision;
      for (const event of events) state = decider.evolve(state, event);
      revision += BigInt(events.length);
      decisions.decided.push({ entry, events, state, revision: before });
    } catch (error) {
      (revision === loaded.revision ? decisions.refusedOnLoaded : decisions.refusedOnBatch).push({ entry, error });
    }
  }
  return decisions;
}
