import { PaymentEvent } from '@payments/domain';

/**
 * What the cascade counts, fulfilled by the HTTP app's MetricsService (apps/api OpsModule).
 * Absent where nobody scrapes metrics (the CLI, tests of the saga alone).
 */
export interface PaymentMetrics {
  recordPayment(status: 'succeeded' | 'failed'): void;
  recordProcessorOutcome(processorId: string, outcome: 'approved' | 'declined' | 'timeout' | 'error' | 'skipped'): void;
  /**
   * A step of the cascade saga failed and is tried again (`read`: the stream could not be read or
   * continued; `resume`: resuming a payment, at start or after a pay that could not start it;
   * `work_log`: reading the log for unfinished payment work, or moving its low-water mark on).
   */
  recordStepRetry(step: 'start_tier' | 'call' | 'finished' | 'read' | 'resume' | 'work_log'): void;
  /** Unknown attempts whose resolution is not done (status to ask, or a late approval to undo), as the resolver knows them. */
  setUnresolvedAttempts(count: number): void;
  /** What the processor said of an unknown attempt. */
  recordAttemptResolution(outcome: 'approved' | 'declined' | 'not_found'): void;
  /** A late approval undone (`succeeded`) or refused for good (`failed`). */
  recordLateApprovalUndo(method: 'void' | 'refund', outcome: 'succeeded' | 'failed'): void;
  /** A status question or undo call of the resolver that gave no definite answer, or could not be recorded, and is tried again. */
  recordResolutionRetry(): void;
}

export const PAYMENT_METRICS = Symbol('PaymentMetrics');

const OUTCOMES = {
  ProcessorApproved: 'approved',
  ProcessorDeclined: 'declined',
  ProcessorTimedOut: 'timeout',
  ProcessorErrored: 'error',
  ProcessorSkipped: 'skipped',
} as const;

/**
 * Counts the events one append of the cascade wrote. Called only with what an append really
 * added, so an outcome is counted once even when a resumed saga decides the same step again.
 */
export function recordCascadeMetrics(metrics: PaymentMetrics | undefined, events: readonly PaymentEvent[]): void {
  if (!metrics) return;
  for (const event of events) {
    switch (event.type) {
      case 'PaymentSucceeded':
        metrics.recordPayment('succeeded');
        break;
      case 'PaymentFailed':
        metrics.recordPayment('failed');
        break;
      case 'ProcessorApproved':
      case 'ProcessorDeclined':
      case 'ProcessorTimedOut':
      case 'ProcessorErrored':
      case 'ProcessorSkipped':
        metrics.recordProcessorOutcome(event.data.processor_id, OUTCOMES[event.type]);
        break;
    }
  }
}
