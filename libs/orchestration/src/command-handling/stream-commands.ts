import { Decider, DomainEvent } from '@payments/domain';
import { EventStore } from '@payments/event-store';
import { AggregateCache } from './aggregate-cache';
import { HandleOptions, HandleResult, StreamCommand, handleCommands } from './handle-command';

interface Waiting extends StreamCommand<unknown, unknown> {
  decider: Decider<unknown, DomainEvent, unknown, unknown>;
  resolve(result: HandleResult<DomainEvent, unknown>): void;
  reject(error: unknown): void;
}

/**
 * Runs the commands of one stream in batches, and different streams side by side. Commands on
 * one stream that ran at once in this process would only race on its expected revision: under
 * group commit all but one lose every round, so n of them cost n² reads, decisions and appends,
 * and queued one by one they would cost a commit each. Instead, the commands given together, and
 * those that arrive while a batch runs, run as one batch (handleCommands): one read, each decided
 * on what the ones before it decided, one append. Other processes still race on the revision,
 * which stays the fence.
 */
export class StreamCommands {
  /** The commands waiting per stream; a stream is here while a batch of it runs. */
  private readonly waiting = new Map<string, Waiting[]>();

  constructor(
    private readonly store: EventStore,
    private readonly cache?: AggregateCache,
  ) {}

  run<Command, Event extends DomainEvent, State, Context>(
    stream: string,
    decider: Decider<Command, Event, State, Context>,
    command: Command,
    options: HandleOptions<Context>,
  ): Promise<HandleResult<Event, State>> {
    return new Promise((resolve, reject) => {
      const entry = { decider, command, options, resolve, reject } as unknown as Waiting;
      const queue = this.waiting.get(stream);
      if (queue) {
        queue.push(entry);
        return;
      }
      this.waiting.set(stream, [entry]);
      // The commands given in the same task (before its microtasks run out) make the first batch.
      queueMicrotask(() => void this.drain(stream));
    });
  }

  private async drain(stream: string): Promise<void> {
    const queue = this.waiting.get(stream)!;
    try {
      while (queue.length > 0) {
        // Commands of one stream share its decider; a batch stops at one that does not (its fold is another).
        const decider = queue[0].decider;
        const end = queue.findIndex((entry) => entry.decider !== decider);
        const batch = queue.splice(0, end === -1 ? queue.length : end);
        // handleCommands answers every failure as an outcome; a throw would be a bug, and must not strand the batch.
        const outcomes = await handleCommands(this.store, stream, decider, batch, this.cache).catch((error: unknown) => batch.map(() => ({ error })));
        outcomes.forEach((outcome, index) => ('error' in outcome ? batch[index].reject(outcome.error) : batch[index].resolve(outcome.result)));
      }
    } finally {
      this.waiting.delete(stream);
    }
  }
}
