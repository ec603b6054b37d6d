import { OperationCall } from '@payments/domain';

export type OperationKind = OperationCall['kind'];

/**
 * What the operations after the approval count, fulfilled by the HTTP app's MetricsService;
 * absent where nobody scrapes metrics (tests of orchestration alone).
 */
export interface PaymentOperationMetrics {
  /** A processor's definite answer to a capture, void or refund, recorded once. */
  recordOperation(kind: OperationKind, outcome: 'succeeded' | 'failed'): void;
  /** A call repeated under its key: the processor's answer said nothing, or recording failed. */
  recordOperationRetry(kind: OperationKind): void;
}

export const PAYMENT_OPERATION_METRICS = Symbol('PaymentOperationMetrics');
