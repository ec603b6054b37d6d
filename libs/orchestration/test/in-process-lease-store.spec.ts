import { InProcessLeaseStore, systemClock } from '@payments/orchestration';
import { leaseStoreContract } from './lease-store.contract';

describe('InProcessLeaseStore', () => {
  // Every holder of a one-process deployment shares its one store.
  leaseStoreContract(async () => {
    const leases = new InProcessLeaseStore(systemClock);
    return { store: async () => leases, dispose: () => leases.close() };
  });
});
