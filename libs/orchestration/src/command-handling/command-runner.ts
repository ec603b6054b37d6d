import { Inject, Injectable } from '@nestjs/common';
import { Clock, Decider, DecisionContext, DomainEvent } from '@payments/domain';
import { EventStore } from '@payments/event-store';
import { CLOCK, EVENT_STORE } from '../tokens';
import { CommandMetadata, HandleResult, handleCommand, loadAggregate } from './handle-command';

export interface RunOptions {
  metadata?: CommandMetadata;
  retries?: number;
  commandId?: string;
}

/** handleCommand with the service's store and clock, for deciders whose context is the time. */
@Injectable()
export class CommandRunner {
  constructor(
    @Inject(EVENT_STORE) readonly store: EventStore,
    @Inject(CLOCK) readonly clock: Clock,
  ) {}

  run<Command, Event extends DomainEvent, State>(
    stream: string,
    decider: Decider<Command, Event, State, DecisionContext>,
    command: Command,
    options: RunOptions = {},
  ): Promise<HandleResult<Event, State>> {
    return handleCommand(this.store, stream, decider, command, { ...options, context: () => ({ now: this.clock.now() }) });
  }

  async load<Event extends DomainEvent, State>(stream: string, decider: Decider<unknown, Event, State, DecisionContext>): Promise<State> {
    return (await loadAggregate(this.store, stream, decider)).state;
  }
}
