import { DomainEvent } from './event';

/**
 * The decider pattern (Emmett / Jérémie Chassaing): everything an aggregate knows is the fold
 * of its events, and every decision is a pure function of command, state and context.
 * `context` carries time, generated ids and random draws so a replay decides identically.
 */
export interface Decider<Command, Event extends DomainEvent, State, Context = DecisionContext> {
  decide(command: Command, state: State, context: Context): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

export interface DecisionContext {
  /** Time of the decision, from the injected clock. */
  readonly now: Date;
}

export function fold<Event extends DomainEvent, State>(
  decider: Pick<Decider<unknown, Event, State, unknown>, 'evolve' | 'initialState'>,
  events: Iterable<Event>,
): State {
  let state = decider.initialState();
  for (const event of events) state = decider.evolve(state, event);
  return state;
}
