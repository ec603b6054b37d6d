import { EventStoreDbEventStore } from '@payments/event-store';
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
});
