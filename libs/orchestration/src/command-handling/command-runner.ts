import { Inject, Injectable } from '@nestjs/common';
import { Clock, Decider, DecisionContext, DomainEvent } from '@payments/domain';
import { EventStore, RecordedEvent } from '@payments/event-store';
import { CLOCK, EVENT_STORE } from '../tokens';
import { AggregateCache } from './aggregate-cache';
import { StreamCommands } from './stream-commands';
import { HandleOptions, HandleResult } from './handle-command';
import { LoadedAggregate, loadAggregate, loadState, loadStateAt } from './load-stream';
import { FoldedStream } from './aggregate-cache';

export type RunOptions = Pick<HandleOptions<unknown>, 'metadata' | 'retries' | 'commandId' | 'current'>;

/**
 * handleCommand with the service's store, clock and aggregate cache, for deciders whose context
 * is the time; the commands of one stream that arrive together run as one batch (StreamCommands).
 * Without a cache (a runner built by hand in a test) every load reads whole streams.
 */
@Injectable()
export class CommandRunner {
  private readonly commands: StreamCommands;

  constructor(
    @Inject(EVENT_STORE) readonly store: EventStore,
    @Inject(CLOCK) readonly clock: Clock,
    private readonly cache?: AggregateCache,
  ) {
    this.commands = new StreamCommands(store, cache);
  }

  run<Command, Event extends DomainEvent, State>(
    stream: string,
    decider: Decider<Command, Event, State, DecisionContext>,
    command: Command,
    options: RunOptions = {},
  ): Promise<HandleResult<Event, State>> {
    return this.commands.run(stream, decider, command, { ...options, context: () => ({ now: this.clock.now() }) });
  }

  async load<Event extends DomainEvent, State>(stream: string, decider: Decider<unknown, Event, State, DecisionContext>): Promise<State> {
    return (await loadState(this.store, stream, decider, this.cache)).state;
  }

  /** The state with the revision it was folded to (-1n: no stream). */
  loadFolded<Event extends DomainEvent, State>(stream: string, decider: Decider<unknown, Event, State, DecisionContext>): Promise<FoldedStream<State>> {
    return loadState(this.store, stream, decider, this.cache);
  }

  /** The state as it stood at `revision` (revision -1n when the stream never reached it). */
  loadAt<Event extends DomainEvent, State>(stream: string, decider: Decider<unknown, Event, State, DecisionContext>, revision: bigint): Promise<FoldedStream<State>> {
    return loadStateAt(this.store, stream, decider, revision, this.cache);
  }

  /**
   * Folds the whole stream for callers that need the recorded events themselves (their
   * metadata), or only the events after `earlier` (an earlier load of it), and caches the fold,
   * so that a command run on the stream next reads only the tail.
   */
  async loadRecorded<Event extends DomainEvent, State>(
    stream: string,
    decider: Decider<unknown, Event, State, DecisionContext>,
    earlier?: LoadedAggregate<State>,
  ): Promise<LoadedAggregate<State>> {
    const loaded = await loadAggregate(this.store, stream, decider, earlier);
    if (loaded.revision >= 0n) this.cache?.set(stream, decider, { state: loaded.state, revision: loaded.revision });
    return loaded;
  }
}
