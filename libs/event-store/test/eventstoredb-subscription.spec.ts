import { ResolvedEvent, TimeoutError, UnavailableError } from '@eventstore/db-client';
import { Readable } from 'node:stream';
import { RecordedEvent } from '@payments/event-store';
import {
  MAX_RESUBSCRIPTIONS_WITHOUT_PROGRESS,
  ServerSubscription,
  SubscriptionEndedError,
  startResubscribingSubscription,
} from '@payments/event-store/eventstoredb-subscription';

// The EventStoreDB adapter's subscription loop, without a server: each server subscription is
// a stream of resolved events scripted the way the 6.x client's Subscription behaves (an object
// stream that errors with the server's status, ends, or waits).

type Step = bigint | Error | 'end';

/** A server subscription delivering events at the given positions, then erroring, ending, or waiting (no last step). */
function scripted(steps: Step[]): ServerSubscription {
  const stream = new Readable({ objectMode: true, read() {} });
  const fail = (error: Error) => Readable.prototype.destroy.call(stream, error);
  for (const step of steps) {
    if (step === 'end') stream.push(null);
    else if (step instanceof Error) setImmediate(() => fail(step));
    else stream.push(resolvedAt(step));
  }
  return Object.assign(stream as Readable & AsyncIterable<ResolvedEvent>, { unsubscribe: async () => undefined });
}

function resolvedAt(position: bigint): ResolvedEvent {
  return {
    event: {
      id: `event-${position}`,
      streamId: 'payment-1',
      type: 'T',
      revision: position,
      data: {},
      metadata: {},
      isJson: true,
      created: new Date(0),
      position: { commit: position, prepare: position },
    },
  };
}

function toEvent(resolved: ResolvedEvent, after: bigint): RecordedEvent | undefined {
  const position = resolved.event!.position!.commit;
  if (position <= after) return undefined;
  return { id: resolved.event!.id, streamId: 'payment-1', type: 'T', revision: position, position, data: {}, metadata: { schema_version: 1 }, createdAt: new Date(0) };
}

const tooSlow = () => new TimeoutError({ code: 10, message: '10 ABORTED: Operation timed out: Consumer too slow to handle event while live. Client resubscription required.' } as never);

/** Runs a subscription over scripted server subscriptions, one per (re)subscription. */
function run(scripts: Step[][], options: { fromPosition?: bigint; onEvent?: (event: RecordedEvent) => void } = {}) {
  const opened: bigint[] = [];
  const delivered: bigint[] = [];
  const errors: unknown[] = [];
  const warnings: string[] = [];
  const subscription = startResubscribingSubscription(
    {
      fromPosition: options.fromPosition,
      onEvent: (event) => {
        options.onEvent?.(event);
        delivered.push(event.position);
      },
      onError: (error) => errors.push(error),
    },
    {
      open: (position) => {
        opened.push(position);
        return scripted(scripts[opened.length - 1] ?? []);
      },
      toEvent,
      warn: (message) => warnings.push(message),
    },
  );
  return { subscription, opened, delivered, errors, warnings };
}

describe('eventstoredb subscription', () => {
  it('resubscribes from the last delivered position when the server ends it as too slow, without gaps or duplicates', async () => {
    const { subscription, opened, delivered, errors, warnings } = run([[10n, 20n, tooSlow()], [20n, 30n, 40n]], { fromPosition: 5n });
    await waitFor(() => delivered.length === 4);
    expect(delivered).toEqual([10n, 20n, 30n, 40n]);
    expect(opened).toEqual([5n, 20n]);
    expect(errors).toEqual([]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/too slow.*resubscribing after position 20, attempt 1 of 5/);
    await subscription.stop();
  });

  it('reports a subscription the server ends without an error to onError, rather than going quiet', async () => {
    const { subscription, delivered, errors, opened } = run([[10n, 'end']]);
    await waitFor(() => errors.length === 1);
    expect(errors[0]).toBeInstanceOf(SubscriptionEndedError);
    expect(delivered).toEqual([10n]);
    expect(opened).toEqual([0n]);
    await subscription.stop();
  });

  it('fails when the server ends it as too slow again and again with no event delivered between', async () => {
    const scripts = Array.from({ length: MAX_RESUBSCRIPTIONS_WITHOUT_PROGRESS + 3 }, () => [tooSlow()]);
    const { subscription, opened, errors, warnings } = run(scripts);
    await waitFor(() => errors.length === 1, 5_000);
    expect(errors[0]).toBeInstanceOf(TimeoutError);
    expect(opened).toHaveLength(MAX_RESUBSCRIPTIONS_WITHOUT_PROGRESS + 1);
    expect(warnings).toHaveLength(MAX_RESUBSCRIPTIONS_WITHOUT_PROGRESS);
    await subscription.stop();
  });

  it('counts resubscriptions without progress afresh once an event is delivered', async () => {
    const scripts: Step[][] = [[tooSlow()], [tooSlow()], [tooSlow()], [tooSlow()], [10n, tooSlow()], [tooSlow()], [tooSlow()], [20n]];
    const { subscription, delivered, errors, opened } = run(scripts);
    await waitFor(() => delivered.length === 2, 5_000);
    expect(errors).toEqual([]);
    expect(opened).toEqual([0n, 0n, 0n, 0n, 0n, 10n, 10n, 10n]);
    await subscription.stop();
  });

  it('stops on any other server error, reporting it', async () => {
    const unavailable = new UnavailableError();
    const { subscription, errors, opened } = run([[10n, unavailable]]);
    await waitFor(() => errors.length === 1);
    expect(errors).toEqual([unavailable]);
    expect(opened).toHaveLength(1);
    await subscription.stop();
  });

  it('never takes an error of onEvent for the server dropping the subscription', async () => {
    const thrown = tooSlow();
    const { subscription, errors, opened } = run([[10n, 20n]], {
      onEvent: () => {
        throw thrown;
      },
    });
    await waitFor(() => errors.length === 1);
    expect(errors).toEqual([thrown]);
    expect(opened).toHaveLength(1);
    await subscription.stop();
  });

  it('stops while waiting for the server, or between resubscriptions, without reporting an error', async () => {
    const waiting = run([[10n]]);
    await waitFor(() => waiting.delivered.length === 1);
    await waiting.subscription.stop();
    const resubscribing = run([[tooSlow()], [tooSlow()]]);
    await waitFor(() => resubscribing.warnings.length === 1);
    await resubscribing.subscription.stop();
    await sleep(400);
    expect(waiting.errors).toEqual([]);
    expect(resubscribing.errors).toEqual([]);
    expect(resubscribing.opened.length).toBeLessThanOrEqual(2);
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(condition: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(5);
  }
}
