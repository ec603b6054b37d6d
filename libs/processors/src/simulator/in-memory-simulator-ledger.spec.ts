import { InMemorySimulatorLedger } from './in-memory-simulator-ledger';
import { describeSimulatorIdempotency } from './simulator-idempotency.contract';

describeSimulatorIdempotency('in-memory', () => new InMemorySimulatorLedger());
