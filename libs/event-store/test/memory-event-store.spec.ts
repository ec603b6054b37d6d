import { MemoryEventStore } from '@payments/event-store';
import { eventStoreContract } from './contract';

async function memoryStoreUnderTest() {
  const store = new MemoryEventStore();
  return { store, cleanup: () => store.close(), another: memoryStoreUnderTest };
}

// Memory data lives in the store object: it cannot be reopened.
eventStoreContract('memory', memoryStoreUnderTest, { another: true });
