import { deepStrictEqual } from 'node:assert';
import { Decider, DomainEvent, DomainError, DomainErrorKind } from '@payments/domain';

/**
 * Given/when/then for deciders (after Emmett's DeciderSpecification):
 * `spec.given([...events]).when(command).then([...events])` or `.thenThrows('invalid', /text/)`.
 */
export function deciderSpecification<Command, Event extends DomainEvent, State, Context>(
  decider: Decider<Command, Event, State, Context>,
  context: Context,
) {
  return {
    given(events: Event[]) {
      return {
        when(command: Command) {
          const decide = () => decider.decide(command, events.reduce(decider.evolve, decider.initialState()), context);
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
