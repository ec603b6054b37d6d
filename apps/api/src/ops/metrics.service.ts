import { Injectable } from '@nestjs/common';
import { LeaseMetrics, OperationKind, PaymentOperationMetrics, WebhookDeliveryMetric, WebhookMetrics, WebhookTryOutcome } from '@payments/orchestration';
import { FailedPaymentLimit } from '@payments/domain';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type FinishedPaymentStatus = 'succeeded' | 'failed';
export type ProcessorOutcome = 'approved' | 'declined' | 'timeout' | 'error' | 'skipped';

export interface HttpRequestLabels {
  method: string;
  /** The route template (`/v1/payments/:id`), never the raw path, to keep the label set small. */
  route: string;
  status_code: number;
}

/**
 * The service's Prometheus metrics. Each application owns its registry, so several apps in
 * one process (the end-to-end tests) never register a metric twice.
 */
@Injectable()
export class MetricsService implements WebhookMetrics, PaymentOperationMetrics, LeaseMetrics {
  private readonly registry = new Registry();

  private readonly httpRequestDuration = new Histogram<keyof HttpRequestLabels>({
    name: 'http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by method, route template and status code.',
    labelNames: ['method', 'route', 'status_code'],
    // Up to 60 s: pay answers after PAY_WAIT_MS (30 s by default) at the latest.
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });

  private readonly payments = new Counter<'status'>({
    name: 'payments_total',
    help: 'Payments that finished, by final status.',
    labelNames: ['status'],
    registers: [this.registry],
  });

  private readonly processorOutcomes = new Counter<'processor_id' | 'outcome'>({
    name: 'processor_outcomes_total',
    help: 'Processor calls and skips of the payment cascade, by processor and outcome.',
    labelNames: ['processor_id', 'outcome'],
    registers: [this.registry],
  });

  private readonly stepRetries = new Counter<'step'>({
    name: 'payment_step_retries_total',
    help: 'Steps of the payment cascade saga that failed and are tried again, by step (start_tier, call, finished, read, resume, work_log).',
    labelNames: ['step'],
    registers: [this.registry],
  });

  private readonly unresolvedAttempts = new Gauge({
    name: 'processor_attempts_unresolved',
    help: 'Processor calls whose outcome may hide a charge (timeout, connection error, 5xx) and whose resolution is not done: status to ask, or a late approval to undo.',
    registers: [this.registry],
  });

  private readonly attemptResolutions = new Counter<'outcome'>({
    name: 'processor_attempt_resolutions_total',
    help: 'Unknown processor attempts resolved, by what the processor said: approved (a late approval, then undone), declined, not_found.',
    labelNames: ['outcome'],
    registers: [this.registry],
  });

  private readonly lateApprovalUndos = new Counter<'method' | 'outcome'>({
    name: 'late_approvals_undone_total',
    help: 'Late approvals of unknown attempts undone, by method (void, refund) and outcome (succeeded, failed: the charge stands, see the payment events).',
    labelNames: ['method', 'outcome'],
    registers: [this.registry],
  });

  private readonly resolutionRetries = new Counter({
    name: 'processor_attempt_resolution_retries_total',
    help: 'Status questions and undo calls of the unknown-attempt resolver that got no definite answer, or could not be recorded, and are tried again.',
    registers: [this.registry],
  });

  private readonly paymentOperations = new Counter<'kind' | 'outcome'>({
    name: 'payment_operations_total',
    help: "Captures, voids and refunds after the approval, by kind and the processor's definite answer (succeeded, failed).",
    labelNames: ['kind', 'outcome'],
    registers: [this.registry],
  });

  private readonly paymentOperationRetries = new Counter<'kind'>({
    name: 'payment_operation_retries_total',
    help: 'Captures, voids and refunds sent again under the same idempotency key: the processor gave no definite answer (timeout, 5xx), or it could not be recorded.',
    labelNames: ['kind'],
    registers: [this.registry],
  });

  private readonly webhookDeliveries = new Counter<'status'>({
    name: 'webhook_deliveries_total',
    help: 'Webhook deliveries scheduled, and those that reached a final status (succeeded or failed).',
    labelNames: ['status'],
    registers: [this.registry],
  });

  private readonly webhookAttempts = new Counter<'outcome'>({
    name: 'webhook_delivery_attempts_total',
    help: 'Tries of webhook deliveries, by outcome: acknowledged (a 2xx), http_error, timeout, unreachable.',
    labelNames: ['outcome'],
    registers: [this.registry],
  });

  private readonly projectionLag = new Gauge<'projection'>({
    name: 'projection_lag_events',
    help: 'Events in the global log that a projection has not applied yet.',
    labelNames: ['projection'],
    registers: [this.registry],
  });

  private readonly leaseFailures = new Counter<'operation'>({
    name: 'lease_failures_total',
    help: 'Calls to the lease store of the competing consumers that failed, by operation (acquire, renew, release); each is tried again or the lease lapses.',
    labelNames: ['operation'],
    registers: [this.registry],
  });

  private readonly leasesLost = new Counter({
    name: 'leases_lost_total',
    help: 'Work stopped because its lease was taken by another process or could not be renewed in time.',
    registers: [this.registry],
  });

  private readonly cardTestingRefusals = new Counter<'reason'>({
    name: 'card_testing_refusals_total',
    help: 'Pays refused with 429 for too many failed payments, by the limit reached: session (SESSION_MAX_FAILED_PAYMENTS), fingerprint (the card, CARD_FAILED_PAYMENTS_PER_HOUR), address (the client, ADDRESS_FAILED_PAYMENTS_PER_HOUR).',
    labelNames: ['reason'],
    registers: [this.registry],
  });

  private readonly openEventStreams = new Gauge({
    name: 'event_streams_open',
    help: 'Open GET /v1/events/stream (server-sent events) connections.',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Starts timing a request; call the returned function with its labels once it is answered. */
  startHttpRequestTimer(): (labels: HttpRequestLabels) => void {
    return this.httpRequestDuration.startTimer();
  }

  /** Counts a payment once, when it reaches its final status. */
  recordPayment(status: FinishedPaymentStatus): void {
    this.payments.inc({ status });
  }

  recordProcessorOutcome(processorId: string, outcome: ProcessorOutcome): void {
    this.processorOutcomes.inc({ processor_id: processorId, outcome });
  }

  recordStepRetry(step: string): void {
    this.stepRetries.inc({ step });
  }

  setUnresolvedAttempts(count: number): void {
    this.unresolvedAttempts.set(count);
  }

  recordAttemptResolution(outcome: string): void {
    this.attemptResolutions.inc({ outcome });
  }

  recordLateApprovalUndo(method: string, outcome: string): void {
    this.lateApprovalUndos.inc({ method, outcome });
  }

  recordResolutionRetry(): void {
    this.resolutionRetries.inc();
  }

  recordLeaseFailure(operation: 'acquire' | 'renew' | 'release'): void {
    this.leaseFailures.inc({ operation });
  }

  recordLeaseLost(): void {
    this.leasesLost.inc();
  }

  recordOperation(kind: OperationKind, outcome: 'succeeded' | 'failed'): void {
    this.paymentOperations.inc({ kind, outcome });
  }

  recordOperationRetry(kind: OperationKind): void {
    this.paymentOperationRetries.inc({ kind });
  }

  recordWebhookDelivery(status: WebhookDeliveryMetric): void {
    this.webhookDeliveries.inc({ status });
  }

  recordWebhookAttempt(outcome: WebhookTryOutcome): void {
    this.webhookAttempts.inc({ outcome });
  }

  setProjectionLag(projection: string, lagEvents: number): void {
    this.projectionLag.set({ projection }, lagEvents);
  }

  recordCardTestingRefusal(reason: FailedPaymentLimit): void {
    this.cardTestingRefusals.inc({ reason });
  }

  setOpenEventStreams(count: number): void {
    this.openEventStreams.set(count);
  }

  /** The Prometheus text exposition of every metric. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
