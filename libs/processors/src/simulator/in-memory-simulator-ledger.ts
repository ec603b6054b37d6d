import { Clock } from '@payments/domain';
import {
  RecordedAnswer,
  RecordedOperation,
  SimulatorAnswer,
  SimulatorCharge,
  SimulatorLedger,
  SimulatorOperation,
  SimulatorOperationRequest,
} from './simulator-ledger';
import { decideSimulatorOperation } from './simulator-operations';

// NUL cannot occur in ids or keys, so a joined tuple maps to one entry only.
const slot = (...parts: string[]) => parts.join('\u0000');

/**
 * For tests and throwaway runs: forgets everything when the process ends. Each method reads and
 * writes without awaiting in between, which is what makes an operation atomic here.
 */
export class InMemorySimulatorLedger implements SimulatorLedger {
  private readonly charges = new Map<string, SimulatorCharge>();
  private readonly operations = new Map<string, SimulatorOperation>();

  constructor(private readonly clock: Clock = { now: () => new Date() }) {}

  async record(answer: SimulatorAnswer): Promise<RecordedAnswer> {
    const key = slot(answer.processorId, answer.idempotencyKey);
    const existing = this.charges.get(key);
    if (existing) {
      existing.requestCount += 1;
      return { charge: { ...existing }, replayed: true };
    }
    const charge: SimulatorCharge = {
      ...answer,
      createdAt: this.clock.now().toISOString(),
      requestCount: 1,
      capturedAmount: answer.approved && answer.captureMethod === 'automatic' ? answer.amount : 0,
      voided: false,
      refundedAmount: 0,
    };
    this.charges.set(key, charge);
    return { charge: { ...charge }, replayed: false };
  }

  async apply(request: SimulatorOperationRequest): Promise<RecordedOperation> {
    const key = slot(request.processorId, request.kind, request.idempotencyKey);
    const existing = this.operations.get(key);
    if (existing) {
      existing.requestCount += 1;
      return { operation: { ...existing }, replayed: true };
    }
    const charge = this.charges.get(slot(request.processorId, request.authorizationKey));
    const decision = decideSimulatorOperation(charge && { ...charge }, request);
    if (charge && decision.outcome === 'succeeded') Object.assign(charge, decision.change);
    const operation: SimulatorOperation = {
      kind: request.kind,
      processorId: request.processorId,
      idempotencyKey: request.idempotencyKey,
      authorizationKey: request.authorizationKey,
      ...(request.amount !== undefined && { amount: request.amount }),
      ...(request.currency !== undefined && { currency: request.currency }),
      outcome: decision.outcome,
      ...(decision.outcome === 'failed' && { code: decision.code }),
      createdAt: this.clock.now().toISOString(),
      requestCount: 1,
    };
    this.operations.set(key, operation);
    return { operation: { ...operation }, replayed: false };
  }

  async authorization(processorId: string, idempotencyKey: string): Promise<SimulatorCharge | undefined> {
    const charge = this.charges.get(slot(processorId, idempotencyKey));
    return charge && { ...charge };
  }

  async chargesFor(idempotencyKey: string): Promise<SimulatorCharge[]> {
    return [...this.charges.values()].filter((charge) => charge.idempotencyKey === idempotencyKey).map((charge) => ({ ...charge }));
  }

  async chargesForPayment(paymentId: string): Promise<SimulatorCharge[]> {
    return [...this.charges.values()].filter((charge) => charge.paymentId === paymentId).map((charge) => ({ ...charge }));
  }

  async operationsFor(idempotencyKey: string): Promise<SimulatorOperation[]> {
    return [...this.operations.values()].filter((operation) => operation.idempotencyKey === idempotencyKey).map((operation) => ({ ...operation }));
  }

  async operationsOn(processorId: string, authorizationKey: string): Promise<SimulatorOperation[]> {
    return [...this.operations.values()]
      .filter((operation) => operation.processorId === processorId && operation.authorizationKey === authorizationKey)
      .map((operation) => ({ ...operation }));
  }

  async countCharges(): Promise<number> {
    return this.charges.size;
  }

  async close(): Promise<void> {}
}
