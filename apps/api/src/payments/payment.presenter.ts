import { PaymentView } from '@payments/domain';

/** The payment of API.md "Payments", field by field, so nothing else the view may gain leaks into answers. */
export function presentPayment(view: PaymentView) {
  return {
    id: view.id,
    object: view.object,
    checkout_session_id: view.checkout_session_id,
    status: view.status,
    amount: view.amount,
    amount_captured: view.amount_captured,
    amount_refunded: view.amount_refunded,
    capture_method: view.capture_method,
    currency: view.currency,
    tier: view.tier,
    processor_id: view.processor_id,
    route_id: view.route_id,
    route_revision: view.route_revision,
    auth_code: view.auth_code,
    response_code: view.response_code,
    response_summary: view.response_summary,
    failure_reason: view.failure_reason,
    source: {
      type: view.source.type,
      last4: view.source.last4,
      bin: view.source.bin,
      network: view.source.network,
      fingerprint: view.source.fingerprint,
      // Absent in payments started before the BIN table: as for a BIN the table does not hold.
      country: view.source.country ?? null,
      funding: view.source.funding ?? 'unknown',
    },
    attempts: view.attempts.map(({ tier, processor_id, kind, outcome, optimized, code, reason, duration_ms, resolution }) => ({
      tier,
      processor_id,
      kind,
      outcome,
      optimized,
      code,
      reason,
      duration_ms,
      resolution,
    })),
    // Absent in payments stored before it (until the read model is rebuilt): shown as no decision recorded.
    routing: (view.routing ?? []).map(({ tier, route_id, route_revision, strategy, order, why }) => ({ tier, route_id, route_revision, strategy, order, why })),
    created_at: view.created_at,
    completed_at: view.completed_at,
  };
}
