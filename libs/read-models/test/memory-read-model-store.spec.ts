import { MemoryReadModelStore } from '@payments/read-models';
import { readModelStoreContract } from './contract';

describe('MemoryReadModelStore', () => {
  readModelStoreContract(async () => ({ store: new MemoryReadModelStore(), dispose: async () => undefined }));
});
