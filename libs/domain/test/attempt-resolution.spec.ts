import { CardSummary } from '@payments/domain/card';
import {
  OpenPayment,
  PaymentCommand,
  PaymentEvent,
  PaymentTier,
  ProcessorAttemptedData,
  attemptsToResolve,
  evolveOpenPayment,
  evolvePayment,
  initialPaymentState,
  isOpen,
  nextResolutionStep,
  paymentDecider,
  paymentView,
} from '@payments/domain/payment';
import { PaymentRun } from '@payments/domain/payment';
import { ProcessorSnapshot, RoutePolicy } from '@payments/domain/tier-planning';
import { deciderSpecification } from './decider-specification';

/** Unknown outcomes, their resolution, and payments the saga ends: each event written out as stored. */
const now = new Date('2026-11-21T10:00:00.000Z');
const at = now.toISOString();
const PAY = 'pay_stg_1';
const A = 'proc_stg_a';
const B = 'proc_stg_b';
const KEY_A = `${PAY}:0:1`;
const card: CardSummary = { last4: '4242', bin: '424242', network: 'visa', fingerprint: 'fp_1' };
const tiers: PaymentTier[] = [{ index: 0, amount: 5000, currency: 'USD', route_id: 'proute_stg_main' }];

const started: PaymentEvent = {
  type: 'PaymentStarted',
  data: { payment_id: PAY, checkout_session_id: 'cs_stg_1', account_id: 'acc_stg_a', tiers, card, bin_country: null, routing: null, started_at: at },
};

const plan = {
  route_id: 'proute_stg_main',
  route_revision: 1,
  strategy: 'priority' as const,
  candidate_order: [A, B],
  why: {},
  plan: [
    { processor_id: A, network: 'visa' as const, skip_reason: null },
    { processor_id: B, network: 'visa' as const, skip_reason: null },
  ],
  failover: { on: ['decline' as const, 'timeout' as const, 'error' as const], decline_codes: null, max_attempts: null },
  optimized_retry: false,
};
const tierStarted: PaymentEvent = { type: 'TierStarted', data: { payment_id: PAY, tier: 0, ...plan, processor_revisions: { [A]: 4, [B]: 0 } } };

const call = (processorId: string, attempt: number, revision: number): ProcessorAttemptedData => ({
  payment_id: PAY,
  tier: 0,
  processor_id: processorId,
  network: 'visa',
  attempt,
  optimized: false,
  idempotency_key: `${PAY}:0:${attempt}`,
  amount: 5000,
  currency: 'USD',
  processor_revision: revision,
});
const attemptedA: PaymentEvent = { type: 'ProcessorAttempted', data: call(A, 1, 4) };
const attemptedB: PaymentEvent = { type: 'ProcessorAttempted', data: call(B, 2, 0) };
const ref = (processorId: string, attempt: number) => ({ payment_id: PAY, tier: 0, processor_id: processorId, attempt, optimized: false });
const timedOutA: PaymentEvent = {
  type: 'ProcessorTimedOut',
  data: { ...ref(A, 1), duration_ms: 50, uncertain: true, message: 'the simulated processor did not answer within 50 ms' },
};
const approvedB: PaymentEvent = { type: 'ProcessorApproved', data: { ...ref(B, 2), code: null, auth_code: 'AUTH02', duration_ms: 3 } };
const succeededB: PaymentEvent = {
  type: 'PaymentSucceeded',
  data: {
    payment_id: PAY,
    checkout_session_id: 'cs_stg_1',
    tier: 0,
    processor_id: B,
    amount: 5000,
    currency: 'USD',
    auth_code: 'AUTH02',
    route_id: 'proute_stg_main',
    route_revision: 1,
    completed_at: at,
  },
};
/** A times out (the answer lost), B approves: the payment succeeded, A's attempt is in doubt. */
const succeededAfterTimeout = [started, tierStarted, attemptedA, timedOutA, attemptedB, approvedB, succeededB];

const attemptRef = { payment_id: PAY, tier: 0, processor_id: A, attempt: 1, idempotency_key: KEY_A };
const resolvedA = (over: Partial<Extract<PaymentEvent, { type: 'ProcessorAttemptResolved' }>['data']> = {}): PaymentEvent => ({
  type: 'ProcessorAttemptResolved',
  data: { ...attemptRef, outcome: 'approved', code: null, auth_code: 'LATE01', state: 'captured', captured_amount: 5000, refunded_amount: 0, ...over },
});
const refundedA: PaymentEvent = {
  type: 'LateApprovalVoided',
  data: { ...attemptRef, method: 'refund', operation_key: `${KEY_A}:refund`, amount: 5000, currency: 'USD' },
};

const spec = deciderSpecification(paymentDecider, { now });
const runOf = (events: PaymentEvent[]) => events.reduce(evolvePayment, initialPaymentState()) as PaymentRun;

const processor = (id: string): ProcessorSnapshot => ({ id, status: 'active', supported_currencies: [], supported_networks: [], fees: { percent: 0, fixed: 0 } });
const route: RoutePolicy = {
  route_id: 'proute_stg_main',
  revision: 1,
  strategy: 'priority',
  processors: [{ processor_id: A }, { processor_id: B }],
  rules: [],
  failover: {},
  optimized_retry: false,
};

describe('recording an outcome that may hide a charge', () => {
  const outcome = (over: Partial<Extract<PaymentCommand, { type: 'RecordProcessorOutcome' }>>): PaymentCommand => ({
    type: 'RecordProcessorOutcome',
    paymentId: PAY,
    idempotencyKey: KEY_A,
    outcome: 'timeout',
    durationMs: 50,
    ...over,
  });

  it('records a timeout as uncertain with why, and moves on to the next processor', () => {
    spec
      .given([started, tierStarted, attemptedA])
      .when(outcome({ uncertain: true, message: 'the simulated processor did not answer within 50 ms' }))
      .then([timedOutA, attemptedB]);
  });

  it('records a definite error as certain, with its reason', () => {
    spec
      .given([started, tierStarted, attemptedA])
      .when(outcome({ outcome: 'error', uncertain: false, message: 'the processor has no simulator settings' }))
      .then([{ type: 'ProcessorErrored', data: { ...ref(A, 1), code: null, message: 'the processor has no simulator settings', duration_ms: 50, uncertain: false } }, attemptedB]);
  });

  it('puts an uncertain outcome in doubt, and a definite one not', () => {
    expect(attemptsToResolveOf([started, tierStarted, attemptedA, timedOutA])).toEqual([KEY_A]);
    const definite: PaymentEvent = { type: 'ProcessorErrored', data: { ...ref(A, 1), code: '400', message: 'refused', duration_ms: 5, uncertain: false } };
    expect(attemptsToResolveOf([started, tierStarted, attemptedA, definite])).toEqual([]);
  });

  it('reads a timeout recorded before uncertainty was recorded as uncertain', () => {
    const legacy: PaymentEvent = { type: 'ProcessorTimedOut', data: { ...ref(A, 1), duration_ms: 50 } };
    expect(attemptsToResolveOf([started, tierStarted, attemptedA, legacy])).toEqual([KEY_A]);
  });
});

function attemptsToResolveOf(events: PaymentEvent[]): string[] {
  return runOf(events).inDoubt.attempts.map((attempt) => attempt.call.idempotency_key);
}

describe('the processor settings a call uses', () => {
  it('records the revision of each processor the tier may call when the tier starts, and gives it to each call', () => {
    spec
      .given([started])
      .when({ type: 'StartNextTier', paymentId: PAY, tier: 0, routing: { route, processors: [processor(A), processor(B)], default_processor_id: null, processor_revisions: { [A]: 4, [B]: 0, proc_stg_other: 9 } } })
      .then([tierStarted, attemptedA]);
  });

  it('records no revisions when the routing read none', () => {
    const [tier, first] = paymentDecider.decide(
      { type: 'StartNextTier', paymentId: PAY, tier: 0, routing: { route, processors: [processor(A), processor(B)], default_processor_id: null } },
      runOf([started]),
      { now },
    );
    expect(tier.data).not.toHaveProperty('processor_revisions');
    expect(first.data).not.toHaveProperty('processor_revision');
  });
});

describe('a payment the saga cannot take further', () => {
  const fail: PaymentCommand = { type: 'FailPayment', paymentId: PAY, detail: 'step call refused 3 times: processor proc_stg_a cannot be read' };
  const failed = (tier: number): PaymentEvent => ({
    type: 'PaymentFailed',
    data: { payment_id: PAY, checkout_session_id: 'cs_stg_1', failure_reason: 'processing_error', tier, completed_at: at, failure_detail: fail.type === 'FailPayment' ? fail.detail : '' },
  });

  it('ends failed with processing_error and why, before its first tier started', () => {
    spec.given([started]).when(fail).then([failed(0)]);
  });

  it('ends failed in the tier it is in, and the call still without an answer is in doubt', () => {
    spec.given([started, tierStarted, attemptedA]).when(fail).then([failed(0)]);
    expect(attemptsToResolveOf([started, tierStarted, attemptedA, failed(0)])).toEqual([KEY_A]);
    expect(paymentView([started, tierStarted, attemptedA, failed(0)])).toMatchObject({
      status: 'failed',
      failure_reason: 'processing_error',
      attempts: [{ processor_id: A, outcome: null, reason: 'the payment ended before the call was answered', resolution: 'unresolved' }],
    });
  });

  it('records nothing for a payment that has ended', () => {
    spec.given(succeededAfterTimeout).when(fail).then([]);
  });
});

describe('resolving an unknown attempt', () => {
  const resolution = (over: Partial<Extract<PaymentCommand, { type: 'RecordAttemptResolution' }>> = {}): PaymentCommand => ({
    type: 'RecordAttemptResolution',
    paymentId: PAY,
    idempotencyKey: KEY_A,
    outcome: 'approved',
    authCode: 'LATE01',
    state: 'captured',
    capturedAmount: 5000,
    refundedAmount: 0,
    ...over,
  });

  it('records what the processor says of the attempt, after the payment succeeded elsewhere', () => {
    spec.given(succeededAfterTimeout).when(resolution()).then([resolvedA()]);
  });

  it('records a not_found without the fields of an approval', () => {
    spec
      .given(succeededAfterTimeout)
      .when(resolution({ outcome: 'not_found' }))
      .then([resolvedA({ outcome: 'not_found', auth_code: null, state: null, captured_amount: null, refunded_amount: null })]);
  });

  it('records a repeated answer once', () => {
    spec.given([...succeededAfterTimeout, resolvedA()]).when(resolution()).then([]);
  });

  it('refuses a resolution of an attempt whose answer was definite', () => {
    spec.given(succeededAfterTimeout).when(resolution({ idempotencyKey: `${PAY}:0:2` })).thenThrows('conflict', /no attempt pay_stg_1:0:2 whose outcome is unknown/);
  });

  it('asks the status of an attempt in doubt, and nothing once it is known not to have charged', () => {
    expect(nextResolutionStep(runOf(succeededAfterTimeout).inDoubt, KEY_A)).toEqual({ kind: 'ask_status', call: call(A, 1, 4) });
    const notFound = resolvedA({ outcome: 'not_found', auth_code: null, state: null, captured_amount: null, refunded_amount: null });
    expect(nextResolutionStep(runOf([...succeededAfterTimeout, notFound]).inDoubt, KEY_A)).toEqual({ kind: 'done' });
    expect(paymentView([...succeededAfterTimeout, notFound])?.attempts[0]).toMatchObject({ outcome: 'timeout', resolution: 'not_charged' });
  });

  it('undoes a captured late approval by refunding what is left of it', () => {
    const partlyRefunded = resolvedA({ refunded_amount: 1000 });
    expect(nextResolutionStep(runOf([...succeededAfterTimeout, partlyRefunded]).inDoubt, KEY_A)).toEqual({
      kind: 'undo',
      call: call(A, 1, 4),
      method: 'refund',
      amount: 4000,
      operation_key: `${KEY_A}:refund`,
    });
  });

  it('undoes an authorized late approval by voiding it, and one whose state the processor does not say the same way', () => {
    for (const state of ['authorized', null] as const) {
      const step = nextResolutionStep(runOf([...succeededAfterTimeout, resolvedA({ state, captured_amount: 0 })]).inDoubt, KEY_A);
      expect(step).toMatchObject({ kind: 'undo', method: 'void', amount: 5000, operation_key: `${KEY_A}:void` });
    }
  });

  it('has nothing to undo of an approval the processor voided or refunded in full', () => {
    for (const settled of [resolvedA({ state: 'voided' }), resolvedA({ refunded_amount: 5000 })]) {
      expect(nextResolutionStep(runOf([...succeededAfterTimeout, settled]).inDoubt, KEY_A)).toEqual({ kind: 'done' });
      expect(paymentView([...succeededAfterTimeout, settled])?.attempts[0].resolution).toBe('not_charged');
    }
  });

  it('records the late approval undone, once, and shows it on the attempt', () => {
    const undo: PaymentCommand = { type: 'RecordLateApprovalUndo', paymentId: PAY, idempotencyKey: KEY_A, method: 'refund', outcome: 'succeeded', amount: 5000 };
    spec.given([...succeededAfterTimeout, resolvedA()]).when(undo).then([refundedA]);
    spec.given([...succeededAfterTimeout, resolvedA(), refundedA]).when(undo).then([]);
    expect(nextResolutionStep(runOf([...succeededAfterTimeout, resolvedA(), refundedA]).inDoubt, KEY_A)).toEqual({ kind: 'done' });
    expect(paymentView([...succeededAfterTimeout, resolvedA(), refundedA])?.attempts).toMatchObject([
      { processor_id: A, outcome: 'timeout', reason: 'the simulated processor did not answer within 50 ms', resolution: 'late_approval_voided' },
      { processor_id: B, outcome: 'approved', reason: null, resolution: null },
    ]);
  });

  it('records a refused undo with its code, and keeps the attempt unresolved for an operator', () => {
    const refused: PaymentCommand = { type: 'RecordLateApprovalUndo', paymentId: PAY, idempotencyKey: KEY_A, method: 'refund', outcome: 'failed', amount: 5000, code: 'refund_declined' };
    const voidFailed: PaymentEvent = {
      type: 'LateApprovalVoidFailed',
      data: { ...attemptRef, method: 'refund', operation_key: `${KEY_A}:refund`, code: 'refund_declined', message: null },
    };
    spec.given([...succeededAfterTimeout, resolvedA()]).when(refused).then([voidFailed]);
    expect(nextResolutionStep(runOf([...succeededAfterTimeout, resolvedA(), voidFailed]).inDoubt, KEY_A)).toEqual({ kind: 'done' });
    expect(paymentView([...succeededAfterTimeout, resolvedA(), voidFailed])?.attempts[0].resolution).toBe('unresolved');
  });

  it('refuses to undo an attempt before the processor said it approved', () => {
    const undo: PaymentCommand = { type: 'RecordLateApprovalUndo', paymentId: PAY, idempotencyKey: KEY_A, method: 'void', outcome: 'succeeded', amount: 5000 };
    spec.given(succeededAfterTimeout).when(undo).thenThrows('conflict', /not a late approval to undo/);
  });

  it('shows an attempt in doubt as unresolved until its late approval is undone', () => {
    expect(paymentView(succeededAfterTimeout)?.attempts[0]).toMatchObject({ outcome: 'timeout', resolution: 'unresolved' });
    expect(paymentView([...succeededAfterTimeout, resolvedA()])?.attempts[0]).toMatchObject({ resolution: 'unresolved' });
  });
});

describe('the work owed a payment', () => {
  const place = (after: number) => ({ after: BigInt(after), created_at: at });
  const fold = (events: { event: Parameters<typeof evolveOpenPayment>[1]; after: number }[]) =>
    events.reduce<OpenPayment | undefined>((payment, { event, after }) => evolveOpenPayment(payment, event, place(after)), undefined);
  const began = { type: 'SessionPaymentBegan' as const, data: { session_id: 'cs_stg_1', payment_id: PAY } };
  const completed = { type: 'CheckoutSessionCompleted' as const, data: { session_id: 'cs_stg_1', payment_id: PAY, completed_at: at } };

  it('is open from the payment beginning on its session, reading from before that event', () => {
    expect(fold([{ event: began, after: 41 }])).toMatchObject({ payment_id: PAY, read_after: 41n, started: false, session_ended: false });
    expect(isOpen(fold([{ event: began, after: 41 }])!)).toBe(true);
  });

  it('is done once the session knows the payment ended and no attempt is in doubt', () => {
    const events = [began, ...succeededAfterTimeout.slice(0, 2), attemptedB, approvedB, succeededB, completed].map((event, index) => ({ event, after: 41 + index }));
    expect(isOpen(fold(events)!)).toBe(false);
  });

  it('stays open while an attempt is in doubt or its late approval is not undone', () => {
    const events = [began, ...succeededAfterTimeout, completed].map((event, index) => ({ event, after: 41 + index }));
    const payment = fold(events)!;
    expect(isOpen(payment)).toBe(true);
    expect(attemptsToResolve(payment).map((attempt) => attempt.call.idempotency_key)).toEqual([KEY_A]);
    expect(isOpen(fold([...events, { event: resolvedA(), after: 60 }])!)).toBe(true);
    expect(isOpen(fold([...events, { event: resolvedA(), after: 60 }, { event: refundedA, after: 61 }])!)).toBe(false);
  });

  it('ignores events of a payment it never saw begin', () => {
    expect(fold([{ event: tierStarted, after: 3 }])).toBeUndefined();
  });
});
