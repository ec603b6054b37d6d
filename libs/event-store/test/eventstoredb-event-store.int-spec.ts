import { AddressInfo, Server, Socket, createServer } from 'node:net';
import { EventStoreClosedError, EventStoreDbEventStore, EventToAppend, randomEventId } from '@payments/event-store';
import { eventStoreContract } from './contract';

// The contract needs a running server, e.g. EVENTSTORE_CONNECTION_STRING=esdb://localhost:2113?tls=false
// with the docker-compose EventStoreDB. It names its streams uniquely per run, so data the
// server already holds does not matter.
const connectionString = process.env.EVENTSTORE_CONNECTION_STRING;

if (connectionString) {
  // No `another`: the suite has one server, and a server is one store.
  eventStoreContract(
    'eventstoredb',
    async () => {
      const store = new EventStoreDbEventStore({ connectionString });
      return { store, cleanup: () => store.close(), reopen: async () => new EventStoreDbEventStore({ connectionString }) };
    },
    { reopen: true },
  );
} else {
  // Printed as well as titled: jest's default reporter shows skipped tests only as a count.
  beforeAll(() => console.warn('SKIPPED: the EventStoreDB contract suite needs EVENTSTORE_CONNECTION_STRING (no server is configured)'));
  describe.skip('eventstoredb adapter (skipped: EVENTSTORE_CONNECTION_STRING is not set)', () => {
    eventStoreContract('eventstoredb', () => Promise.reject(new Error('no EventStoreDB server is configured')));
  });
}

describe('eventstoredb adapter without a server', () => {
  it('fails ping when the server cannot be reached', async () => {
    const store = new EventStoreDbEventStore({ connectionString: 'esdb://127.0.0.1:1?tls=false' });
    try {
      await expect(store.ping()).rejects.toThrow(/UNAVAILABLE/);
    } finally {
      await store.close();
    }
  });

  describe('against a peer that accepts connections and never answers', () => {
    let silent: Server;
    let port: number;
    const sockets = new Set<Socket>();
    beforeAll(async () => {
      silent = createServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      port = (silent.address() as AddressInfo).port;
    });
    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    });
    const open = (pingTimeoutMs?: number) => new EventStoreDbEventStore({ connectionString: `esdb://127.0.0.1:${port}?tls=false`, pingTimeoutMs });

    it('fails ping once its deadline has passed', async () => {
      const store = open(300);
      try {
        const started = Date.now();
        await expect(store.ping()).rejects.toThrow(/did not answer within 300 ms/);
        expect(Date.now() - started).toBeLessThan(2_000);
      } finally {
        await store.close();
      }
    });

    it('ends reads and appends under way when closed, with an error rather than as complete', async () => {
      const store = open();
      const calls = [
        settle(collect(store.readAll())),
        settle(collect(store.readStream('payment-1'))),
        settle(store.appendToStream('payment-1', [anEvent({})], { expectedRevision: 0n })),
      ];
      await sleep(300);
      expect(calls.map((call) => call.state)).toEqual(['pending', 'pending', 'pending']);
      await store.close();
      await sleep(100);
      for (const call of calls) {
        expect(call.state).toBe('rejected');
        expect(call.reason).toBeInstanceOf(EventStoreClosedError);
      }
    });

    it('stops a subscription waiting for the server when closed, without reporting an error', async () => {
      const store = open();
      const errors: unknown[] = [];
      store.subscribeToAll({ onEvent: () => undefined, onError: (error) => errors.push(error) });
      await sleep(200);
      await store.close();
      await sleep(100);
      expect(errors).toEqual([]);
    });

    it('refuses every call once closed', async () => {
      const store = open();
      await store.close();
      await expect(store.ping()).rejects.toBeInstanceOf(EventStoreClosedError);
      await expect(collect(store.readAll())).rejects.toBeInstanceOf(EventStoreClosedError);
      await expect(store.appendToStream('payment-1', [anEvent({})], { expectedRevision: 'any' })).rejects.toBeInstanceOf(EventStoreClosedError);
    });

    it('refuses an event JSON cannot hold at once, before any call to the server', async () => {
      const store = open();
      try {
        const cycle: Record<string, unknown> = {};
        cycle.self = cycle;
        await expect(store.appendToStream('payment-1', [anEvent({}), anEvent({ amount: 10n })], { expectedRevision: 'any' })).rejects.toThrow(TypeError);
        await expect(store.appendToStream('payment-1', [anEvent(cycle)], { expectedRevision: 'any' })).rejects.toThrow(TypeError);
      } finally {
        await store.close();
      }
    });
  });
});

function anEvent(data: unknown): EventToAppend {
  return { id: randomEventId(), type: 'T', data, metadata: { schema_version: 1 } };
}

/** A promise whose outcome can be looked at without awaiting it. */
function settle<T>(promise: Promise<T>): { state: 'pending' | 'fulfilled' | 'rejected'; reason?: unknown } {
  const outcome: { state: 'pending' | 'fulfilled' | 'rejected'; reason?: unknown } = { state: 'pending' };
  promise.then(
    () => (outcome.state = 'fulfilled'),
    (reason: unknown) => Object.assign(outcome, { state: 'rejected', reason }),
  );
  return outcome;
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
