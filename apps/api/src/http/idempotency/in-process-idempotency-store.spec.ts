import { idempotencyStoreContract } from './idempotency-store.contract';
import { InProcessIdempotencyStore } from './in-process-idempotency-store';

describe('InProcessIdempotencyStore', () => {
  const store = new InProcessIdempotencyStore();
  idempotencyStoreContract(() => store);
});
