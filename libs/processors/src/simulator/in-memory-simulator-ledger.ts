import { Clock } from '@payments/domain';
import { RecordedAnswer, SimulatorAnswer, SimulatorCharge, SimulatorLedger } from './simulator-ledger';

/** For tests and throwaway runs: forgets everything when the process ends. */
export class InMemorySimulatorLedger implements SimulatorLedger {
  private readonly charges = new Map<string, SimulatorCharge>();

  constructor(private readonly clock: Clock = { now: () => new Date() }) {}

  async record(answer: SimulatorAnswer): Promise<RecordedAnswer> {
    // NUL cannot occur in ids or keys, so the pair maps to one entry only.
    const slot = `${answer.processorId}\u0000${answer.idempotencyKey}`;
    const existing = this.charges.get(slot);
    if (existing) {
      existing.requestCount += 1;
      return { charge: { ...existing }, replayed: true };
    }
    const charge: SimulatorCharge = { ...answer, createdAt: this.clock.now().toISOString(), requestCount: 1 };
    this.charges.set(slot, charge);
    return { charge: { ...charge }, replayed: false };
  }

  async chargesFor(idempotencyKey: string): Promise<SimulatorCharge[]> {
    return [...this.charges.values()].filter((charge) => charge.idempotencyKey === idempotencyKey).map((charge) => ({ ...charge }));
  }

  async countCharges(): Promise<number> {
    return this.charges.size;
  }

  async close(): Promise<void> {}
}
