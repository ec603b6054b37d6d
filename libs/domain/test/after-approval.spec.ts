import { fold } from '@payments/domain';
import {
  AUTHORIZATION_VALIDITY_MS,
  AfterApprovalCommand,
  PaymentCommand,
  PaymentEvent,
  PaymentStartedData,
  afterApprovalDecider,
  findRefund,
  nextOperationCall,
  nextPaymentStep,
  paymentDecider,
  paymentView,
  refundViews,
} from '@payments/domain/payment';
import { deciderSpecification } from './decider-specification';

const now = new Date('2026-11-21T10:00:00.000Z');
const at = now.toISOString();
const later = new Date(now.getTime() + 60_000);
const PAY = 'pay_stg_1';
const ACCOUNT = 'acc_stg_a';
const A = 'proc_stg_a';
const B = 'proc_stg_b';
const card = { last4: '4242', bin: '424242', network: 'visa' as const, fingerprint: 'fp_1' };
const tiers = [{ index: 0, amount: 5000, currency: 'USD', route_id: null }];

const started = (over: Partial<PaymentStartedData> = {}): PaymentEvent => ({
  type: 'PaymentStarted',
  data: { payment_id: PAY, checkout_session_id: 'cs_stg_1', account_id: ACCOUNT, tiers, card, bin_country: null, routing: null, started_at: at, ...over },
});
const tierStarted: PaymentEvent = {
  type: 'TierStarted',
  data: {
    payment_id: PAY,
    tier: 0,
    route_id: null,
    route_revision: null,
    strategy: 'priority',
    candidate_order: [A, B],
    plan: [
      { processor_id: A, network: 'visa', skip_reason: null },
      { processor_id: B, network: 'visa', skip_reason: null },
    ],
    failover: { on: ['decline', 'timeout', 'error'], decline_codes: null, max_attempts: null },
    optimized_retry: false,
  },
};
const attempted = (processorId: string, attempt: number): PaymentEvent => ({
  type: 'ProcessorAttempted',
  data: { payment_id: PAY, tier: 0, processor_id: processorId, network: 'visa', attempt, optimized: false, idempotency_key: `${PAY}:0:${attempt}`, amount: 5000, currency: 'USD' },
});
const call = (processorId: string, attempt: number) => ({ payment_id: PAY, tier: 0, processor_id: processorId, attempt, optimized: false });
const declined: PaymentEvent = { type: 'ProcessorDeclined', data: { ...call(A, 1), code: '05', hard: false, duration_ms: 3 } };
const approvedByB: PaymentEvent = { type: 'ProcessorApproved', data: { ...call(B, 2), code: null, auth_code: 'AUTH42', duration_ms: 3 } };
const succeeded: PaymentEvent = {
  type: 'PaymentSucceeded',
  data: { payment_id: PAY, checkout_session_id: 'cs_stg_1', tier: 0, processor_id: B, amount: 5000, currency: 'USD', auth_code: 'AUTH42', route_id: null, route_revision: null, completed_at: at },
};
const authorized: PaymentEvent = {
  type: 'PaymentAuthorized',
  data: {
    payment_id: PAY,
    checkout_session_id: 'cs_stg_1',
    tier: 0,
    processor_id: B,
    amount: 5000,
    currency: 'USD',
    auth_code: 'AUTH42',
    authorization_key: `${PAY}:0:2`,
    route_id: null,
    route_revision: null,
    authorized_at: at,
  },
};
const failedPayment: PaymentEvent = { type: 'PaymentFailed', data: { payment_id: PAY, checkout_session_id: 'cs_stg_1', failure_reason: 'all_tiers_failed', tier: 0, completed_at: at } };

/** A declines, B approves: an automatic payment is captured with the approval, a manual one only authorized. */
const cascadeToB = [tierStarted, attempted(A, 1), declined, attempted(B, 2), approvedByB];
const sale = [started({ capture_method: 'automatic' }), ...cascadeToB, succeeded];
const legacySale = [started(), ...cascadeToB, succeeded];
const hold = [started({ capture_method: 'manual' }), ...cascadeToB, authorized];

const ref = (key: string) => ({ payment_id: PAY, processor_id: B, idempotency_key: key });
const captureRequested = (amount: number, n = 1): PaymentEvent => ({
  type: 'PaymentCaptureRequested',
  data: { ...ref(`${PAY}:capture:${n}`), authorization_key: `${PAY}:0:2`, amount, currency: 'USD', requested_at: at },
});
const captured = (amount: number, n = 1): PaymentEvent => ({ type: 'PaymentCaptured', data: { ...ref(`${PAY}:capture:${n}`), amount, currency: 'USD', captured_at: at } });
const voidRequested = (reason: 'requested' | 'expired', requestedAt = at): PaymentEvent => ({
  type: 'PaymentVoidRequested',
  data: { ...ref(`${PAY}:void:1`), authorization_key: `${PAY}:0:2`, reason, requested_at: requestedAt },
});
const refundRequested = (id: string, amount: number, reason: 'duplicate' | 'fraudulent' | 'requested_by_customer' | null = null): PaymentEvent => ({
  type: 'RefundRequested',
  data: { ...ref(id), refund_id: id, authorization_key: `${PAY}:0:2`, amount, currency: 'USD', reason, requested_at: at },
});
const refundSucceeded = (id: string, amount: number): PaymentEvent => ({ type: 'RefundSucceeded', data: { ...ref(id), refund_id: id, amount, currency: 'USD', succeeded_at: at } });
const refundFailed = (id: string, amount: number): PaymentEvent => ({
  type: 'RefundFailed',
  data: { ...ref(id), refund_id: id, amount, currency: 'USD', code: 'refund_declined', message: null, failed_at: at },
});

const capture = (amount?: number, accountId = ACCOUNT): AfterApprovalCommand => ({ type: 'RequestCapture', paymentId: PAY, accountId, ...(amount !== undefined && { amount }) });
const voidIt: AfterApprovalCommand = { type: 'RequestVoid', paymentId: PAY, accountId: ACCOUNT };
const expire: AfterApprovalCommand = { type: 'ExpireAuthorization', paymentId: PAY };
const refund = (refundId: string, amount?: number, reason: 'duplicate' | null = null): AfterApprovalCommand => ({
  type: 'RequestRefund',
  paymentId: PAY,
  accountId: ACCOUNT,
  refundId,
  reason,
  ...(amount !== undefined && { amount }),
});
const outcome = (key: string, answer: 'succeeded' | 'failed', code?: string): AfterApprovalCommand => ({
  type: 'RecordOperationOutcome',
  paymentId: PAY,
  idempotencyKey: key,
  outcome: answer,
  ...(code !== undefined && { code }),
});

const spec = deciderSpecification(afterApprovalDecider, { now });
const afterAWeek = deciderSpecification(afterApprovalDecider, { now: new Date(now.getTime() + AUTHORIZATION_VALIDITY_MS) });
const state = (events: PaymentEvent[]) => fold(afterApprovalDecider, events);

describe('the cascade of a payment by capture method', () => {
  const cascade = deciderSpecification(paymentDecider, { now });
  const startPayment = (over: Partial<Extract<PaymentCommand, { type: 'StartPayment' }>> = {}): PaymentCommand => ({
    type: 'StartPayment',
    paymentId: PAY,
    checkoutSessionId: 'cs_stg_1',
    accountId: ACCOUNT,
    tiers,
    card,
    binCountry: null,
    accountProcessorIds: [A, B],
    ...over,
  });
  const approve: PaymentCommand = { type: 'RecordProcessorOutcome', paymentId: PAY, idempotencyKey: `${PAY}:0:2`, outcome: 'approved', authCode: 'AUTH42', durationMs: 3 };

  it("records the session's capture method in PaymentStarted, and none when the command gives none", () => {
    cascade.given([]).when(startPayment({ captureMethod: 'manual' })).then([started({ capture_method: 'manual' })]);
    cascade.given([]).when(startPayment()).then([started()]);
  });

  it("ends a manual payment's cascade with PaymentAuthorized, naming the approving call's key, instead of PaymentSucceeded", () => {
    cascade.given([started({ capture_method: 'manual' }), tierStarted, attempted(A, 1), declined, attempted(B, 2)]).when(approve).then([approvedByB, authorized]);
    cascade.given([started({ capture_method: 'automatic' }), tierStarted, attempted(A, 1), declined, attempted(B, 2)]).when(approve).then([approvedByB, succeeded]);
  });

  it('has the saga finish an authorized payment as succeeded, so the session completes', () => {
    expect(nextPaymentStep(fold(paymentDecider, hold))).toEqual({ kind: 'finished', status: 'succeeded' });
  });

  it('makes the calls of a manual payment as authorizations only, and those of an automatic one as before', () => {
    expect(nextPaymentStep(fold(paymentDecider, [started({ capture_method: 'manual' }), tierStarted, attempted(A, 1)]))).toMatchObject({ kind: 'call', capture_method: 'manual' });
    expect(nextPaymentStep(fold(paymentDecider, [started({ capture_method: 'automatic' }), tierStarted, attempted(A, 1)]))).not.toHaveProperty('capture_method');
  });
});

describe('capturing an authorization', () => {
  it('captures all that was authorized by default, under the key of the first capture', () => {
    spec.given(hold).when(capture()).then([captureRequested(5000)]);
  });

  it('captures part of it', () => {
    spec.given(hold).when(capture(1200)).then([captureRequested(1200)]);
  });

  it('refuses more than was authorized, and nothing, naming the amount field', () => {
    const error = spec.given(hold).when(capture(5001)).thenThrows('invalid', /capture 1 to 5000 USD/);
    expect(error.errors).toEqual([{ field: 'amount', message: 'must be a whole number from 1 to 5000 (minor units)' }]);
    spec.given(hold).when(capture(0)).thenThrows('invalid');
    spec.given(hold).when(capture(12.5)).thenThrows('invalid');
  });

  it('refuses a payment that is not in requires_capture: a sale, one captured already, a failed or running one', () => {
    spec.given(sale).when(capture()).thenThrows('conflict', /is succeeded: only a payment in requires_capture can be captured/);
    spec.given([...hold, captureRequested(5000), captured(5000)]).when(capture()).thenThrows('conflict', /is succeeded/);
    spec.given([started({ capture_method: 'manual' }), tierStarted, attempted(A, 1)]).when(capture()).thenThrows('conflict', /is processing/);
    spec.given([started({ capture_method: 'manual' }), failedPayment]).when(capture()).thenThrows('conflict', /is failed/);
  });

  it("joins the same capture while the processor has not answered, and refuses another one or a void meanwhile", () => {
    spec.given([...hold, captureRequested(5000)]).when(capture()).then([]);
    spec.given([...hold, captureRequested(5000)]).when(capture(100)).thenThrows('conflict', /a capture of payment .* is in progress/);
    spec.given([...hold, captureRequested(5000)]).when(voidIt).thenThrows('conflict', /a capture of payment/);
  });

  it("hides another account's payment and a missing one", () => {
    spec.given(hold).when(capture(undefined, 'acc_stg_b')).thenThrows('not_found');
    spec.given([]).when(capture()).thenThrows('not_found');
  });

  it("records the processor's answer: captured, or refused with its code", () => {
    spec.given([...hold, captureRequested(1200)]).when(outcome(`${PAY}:capture:1`, 'succeeded')).then([captured(1200)]);
    spec
      .given([...hold, captureRequested(1200)])
      .when({ ...outcome(`${PAY}:capture:1`, 'failed', 'authorization_voided'), message: 'voided at the processor' } as AfterApprovalCommand)
      .then([{ type: 'PaymentCaptureFailed', data: { ...ref(`${PAY}:capture:1`), code: 'authorization_voided', message: 'voided at the processor', failed_at: at } }]);
  });

  it('records a repeated answer once, and refuses an answer to an operation never requested', () => {
    spec.given([...hold, captureRequested(5000), captured(5000)]).when(outcome(`${PAY}:capture:1`, 'succeeded')).then([]);
    spec.given(hold).when(outcome(`${PAY}:capture:9`, 'succeeded')).thenThrows('conflict');
  });

  it('sends a capture asked again after a refused one under a key of its own, since the first key only repeats its refusal', () => {
    const refused: PaymentEvent = { type: 'PaymentCaptureFailed', data: { ...ref(`${PAY}:capture:1`), code: 'x', message: null, failed_at: at } };
    spec.given([...hold, captureRequested(5000), refused]).when(capture()).then([captureRequested(5000, 2)]);
  });
});

describe('voiding an authorization', () => {
  it('voids a payment in requires_capture, and records its cancellation', () => {
    spec.given(hold).when(voidIt).then([voidRequested('requested')]);
    spec.given([...hold, voidRequested('requested')]).when(outcome(`${PAY}:void:1`, 'succeeded')).then([{ type: 'PaymentVoided', data: { ...ref(`${PAY}:void:1`), voided_at: at } }]);
  });

  it('reads a processor that had released the hold already as voided, and any other refusal as a failed void', () => {
    spec.given([...hold, voidRequested('requested')]).when(outcome(`${PAY}:void:1`, 'failed', 'already_voided')).then([{ type: 'PaymentVoided', data: { ...ref(`${PAY}:void:1`), voided_at: at } }]);
    spec
      .given([...hold, voidRequested('requested')])
      .when(outcome(`${PAY}:void:1`, 'failed', 'already_captured'))
      .then([{ type: 'PaymentVoidFailed', data: { ...ref(`${PAY}:void:1`), reason: 'requested', code: 'already_captured', message: null, failed_at: at } }]);
  });

  it('refuses a sale (refund it instead), a captured or canceled payment, and joins a void under way', () => {
    spec.given(sale).when(voidIt).thenThrows('conflict', /is succeeded/);
    spec.given([...hold, voidRequested('requested'), { type: 'PaymentVoided', data: { ...ref(`${PAY}:void:1`), voided_at: at } }]).when(voidIt).thenThrows('conflict', /is canceled/);
    spec.given([...hold, voidRequested('requested')]).when(voidIt).then([]);
  });
});

describe('the expiry of an authorization', () => {
  it('is refused before seven days have passed', () => {
    deciderSpecification(afterApprovalDecider, { now: new Date(now.getTime() + AUTHORIZATION_VALIDITY_MS - 1) })
      .given(hold)
      .when(expire)
      .thenThrows('conflict', /valid until 2026-11-28T10:00:00.000Z/);
  });

  it('voids an authorization not captured within seven days, and records AuthorizationExpired once voided', () => {
    afterAWeek.given(hold).when(expire).then([voidRequested('expired', new Date(now.getTime() + AUTHORIZATION_VALIDITY_MS).toISOString())]);
    spec
      .given([...hold, voidRequested('expired')])
      .when(outcome(`${PAY}:void:1`, 'succeeded'))
      .then([{ type: 'AuthorizationExpired', data: { ...ref(`${PAY}:void:1`), authorized_at: at, expired_at: at } }]);
  });

  it('does nothing for a payment captured, voided or with an operation under way meanwhile (the sweeper reads a lagging list)', () => {
    afterAWeek.given([...hold, captureRequested(5000), captured(5000)]).when(expire).then([]);
    afterAWeek.given([...hold, captureRequested(5000)]).when(expire).then([]);
    afterAWeek.given(sale).when(expire).then([]);
  });
});

describe('refunds', () => {
  it('refunds all that was captured by default, under the refund id as its key', () => {
    spec.given(sale).when(refund('re_stg_1')).then([refundRequested('re_stg_1', 5000)]);
  });

  it('refunds a payment recorded before capture methods as the sale it was', () => {
    spec.given(legacySale).when(refund('re_stg_1', 100, 'duplicate')).then([refundRequested('re_stg_1', 100, 'duplicate')]);
  });

  it('takes several partial refunds up to the captured amount, counting pending ones, and refuses more with 422', () => {
    const two = [...sale, refundRequested('re_stg_1', 2000), refundSucceeded('re_stg_1', 2000), refundRequested('re_stg_2', 2500)];
    spec.given(two).when(refund('re_stg_3', 500)).then([refundRequested('re_stg_3', 500)]);
    const error = spec.given(two).when(refund('re_stg_3', 501)).thenThrows('invalid', /at most 500 USD can be refunded .* \(captured 5000, refunded 2000, pending 2500\)/);
    expect(error.errors).toEqual([{ field: 'amount', message: 'must be a whole number from 1 to 500 (minor units)' }]);
    spec.given([...two, refundRequested('re_stg_3', 500)]).when(refund('re_stg_4')).thenThrows('invalid', /nothing is left to refund/);
  });

  it('gives back the amount of a refund that failed', () => {
    spec.given([...sale, refundRequested('re_stg_1', 5000), refundFailed('re_stg_1', 5000)]).when(refund('re_stg_2')).then([refundRequested('re_stg_2', 5000)]);
  });

  it('refunds at most what a partial capture took', () => {
    spec.given([...hold, captureRequested(1200), captured(1200)]).when(refund('re_stg_1', 1201)).thenThrows('invalid', /at most 1200/);
    spec.given([...hold, captureRequested(1200), captured(1200)]).when(refund('re_stg_1')).then([refundRequested('re_stg_1', 1200)]);
  });

  it('refuses a payment that took no money: in requires_capture (capture or void it), canceled, failed', () => {
    spec.given(hold).when(refund('re_stg_1')).thenThrows('conflict', /requires_capture: capture it first, or void it/);
    spec.given([started(), failedPayment]).when(refund('re_stg_1')).thenThrows('conflict', /is failed/);
  });

  it('records a refund requested again under the same id once', () => {
    spec.given([...sale, refundRequested('re_stg_1', 100)]).when(refund('re_stg_1', 100)).then([]);
  });

  it("records the processor's answer to a refund", () => {
    spec.given([...sale, refundRequested('re_stg_1', 100)]).when(outcome('re_stg_1', 'succeeded')).then([refundSucceeded('re_stg_1', 100)]);
    spec.given([...sale, refundRequested('re_stg_1', 100)]).when(outcome('re_stg_1', 'failed', 'refund_declined')).then([refundFailed('re_stg_1', 100)]);
  });
});

describe('the next processor call after the approval', () => {
  it('is the pending capture or void, at the approving processor, on its authorization', () => {
    expect(nextOperationCall(state([...hold, captureRequested(1200)]))).toEqual({
      kind: 'capture',
      payment_id: PAY,
      processor_id: B,
      idempotency_key: `${PAY}:capture:1`,
      authorization_key: `${PAY}:0:2`,
      auth_code: 'AUTH42',
      amount: 1200,
      currency: 'USD',
    });
    expect(nextOperationCall(state([...hold, voidRequested('expired')]))).toMatchObject({ kind: 'void', idempotency_key: `${PAY}:void:1` });
    expect(nextOperationCall(state(hold))).toBeNull();
  });

  it('queues refunds: the oldest pending one goes first, the next once it is answered', () => {
    const queued = [...sale, refundRequested('re_stg_1', 100), refundRequested('re_stg_2', 200)];
    expect(nextOperationCall(state(queued))).toMatchObject({ kind: 'refund', refund_id: 're_stg_1', idempotency_key: 're_stg_1', amount: 100, authorization_key: `${PAY}:0:2` });
    expect(nextOperationCall(state([...queued, refundFailed('re_stg_1', 100)]))).toMatchObject({ kind: 'refund', refund_id: 're_stg_2' });
    expect(nextOperationCall(state([...queued, refundFailed('re_stg_1', 100), refundSucceeded('re_stg_2', 200)]))).toBeNull();
  });
});

describe('the payment and its refunds as the API shows them', () => {
  it('shows a sale captured with its approval, and an authorization as requires_capture with nothing captured', () => {
    expect(paymentView(sale)).toMatchObject({ status: 'succeeded', capture_method: 'automatic', amount: 5000, amount_captured: 5000, amount_refunded: 0 });
    expect(paymentView(legacySale)).toMatchObject({ capture_method: 'automatic', amount_captured: 5000 });
    expect(paymentView(hold)).toMatchObject({ status: 'requires_capture', capture_method: 'manual', amount_captured: 0, processor_id: B, auth_code: 'AUTH42', completed_at: at });
  });

  it('shows a partial capture, a void and an expiry', () => {
    expect(paymentView([...hold, captureRequested(1200)])).toMatchObject({ status: 'requires_capture', amount_captured: 0 });
    expect(paymentView([...hold, captureRequested(1200), captured(1200)])).toMatchObject({ status: 'succeeded', amount: 5000, amount_captured: 1200 });
    expect(paymentView([...hold, voidRequested('requested'), { type: 'PaymentVoided', data: { ...ref(`${PAY}:void:1`), voided_at: at } }])).toMatchObject({ status: 'canceled' });
    const expired: PaymentEvent = { type: 'AuthorizationExpired', data: { ...ref(`${PAY}:void:1`), authorized_at: at, expired_at: later.toISOString() } };
    expect(paymentView([...hold, voidRequested('expired'), expired])).toMatchObject({ status: 'canceled', amount_captured: 0 });
  });

  it('adds up the refunds that succeeded, and lists every refund newest first with its status', () => {
    const events = [...sale, refundRequested('re_stg_1', 1000, 'duplicate'), refundSucceeded('re_stg_1', 1000), refundRequested('re_stg_2', 500), refundFailed('re_stg_2', 500), refundRequested('re_stg_3', 700)];
    expect(paymentView(events)).toMatchObject({ status: 'succeeded', amount_refunded: 1000 });
    expect(refundViews(state(events)).map((view) => [view.id, view.status, view.amount, view.failure_code])).toEqual([
      ['re_stg_3', 'pending', 700, null],
      ['re_stg_2', 'failed', 500, 'refund_declined'],
      ['re_stg_1', 'succeeded', 1000, null],
    ]);
    expect(findRefund(state(events), 're_stg_1')).toEqual({
      id: 're_stg_1',
      object: 'refund',
      payment_id: PAY,
      amount: 1000,
      currency: 'USD',
      status: 'succeeded',
      reason: 'duplicate',
      processor_id: B,
      failure_code: null,
      created_at: at,
    });
    expect(findRefund(state(events), 're_stg_9')).toBeUndefined();
  });
});
