import { PaymentView, PaymentsEnv, apiEventId } from '@payments/domain';
import { RecordedEvent } from '@payments/event-store';

/** The payment of API.md "Payments", field by field, so nothing else the view may gain leaks into answers. */
export function presentPayment(view: PaymentView) {
  return {
    id: view.id,
    object: view.object,
    checkout_session_id: view.checkout_session_id,
    status: view.status,
    amount: view.amount,
    currency: view.currency,
    tier: view.tier,
    processor_id: view.processor_id,
    route_id: view.route_id,
    route_revision: view.route_revision,
    auth_code: view.auth_code,
    response_code: view.response_code,
    response_summary: view.response_summary,
    failure_reason: view.failure_reason,
    source: { type: view.source.type, last4: view.source.last4, bin: view.source.bin, network: view.source.network, fingerprint: view.source.fingerprint },
    attempts: view.attempts.map(({ tier, processor_id, kind, outcome, optimized, code, reason, duration_ms }) => ({ tier, processor_id, kind, outcome, optimized, code, reason, duration_ms })),
    created_at: view.created_at,
    completed_at: view.completed_at,
  };
}

/**
 * A stored event for the audit endpoint. `revision` (in the payment's stream, from 0) and
 * `position` (in the global log) are JSON numbers: both stay far below 2^53, where numbers stop
 * being exact, for any log this service can hold.
 */
export function presentPaymentEvent(event: RecordedEvent, env: PaymentsEnv) {
  const causation = event.metadata.causation_id;
  return {
    id: apiEventId(event.id, env),
    type: event.type,
    revision: Number(event.revision),
    position: Number(event.position),
    created_at: event.createdAt.toISOString(),
    data: event.data,
    // A saga step is caused by the event it read: name that event by its API id too.
    metadata: typeof causation === 'string' ? { ...event.metadata, causation_id: apiEventId(causation, env) } : event.metadata,
  };
}
