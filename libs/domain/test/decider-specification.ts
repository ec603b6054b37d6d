import { deepStrictEqual } from 'node:assert';
import { Decider, DomainEvent, DomainError, DomainErrorKind } from '@payments/domain';

/**
 * Given/when/then for deciders (after Emmett's DeciderSpecification):
 * `spec.given([...events]).when(command).then([...events])` or `.thenThrows('invalid', /text/)`.
 * The given events and every state folded from them are frozen, so a decider whose evolve or
 * decide mutates a state or an event throws: the command handler caches states between commands.
 */
export function deciderSpecification<Command, Event extends DomainEvent, State, Context>(
  decider: Decider<Command, Event, State, Context>,
  context: Context,
) {
  return {
    given(events: Event[]) {
      return {
        when(command: Command) {
          const decide = () => decider.decide(command, foldFrozen(decider, events), context);
          return {
            then(expected: Event[]) {
              deepStrictEqual(decide(), expected);
            },
            thenThrows(kind: DomainErrorKind, message?: RegExp) {
              try {
                decide();
              } catch (error) {
                if (!(error instanceof DomainError)) throw error;
                deepStrictEqual(error.kind, kind, `expected a ${kind} error, got ${error.kind}: ${error.message}`);
                if (message && !message.test(error.message)) throw new Error(`error message "${error.message}" does not match ${message}`);
                return error;
              }
              throw new Error(`expected a ${kind} error, but the command was accepted`);
            },
          };
        },
      };
    },
  };
}

function foldFrozen<Event extends DomainEvent, State>(decider: Pick<Decider<unknown, Event, State, unknown>, 'evolve' | 'initialState'>, events: Event[]): State {
  return events.reduce((state, event) => deepFreeze(decider.evolve(state, deepFreeze(event))), deepFreeze(decider.initialState()));
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
