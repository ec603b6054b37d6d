import { setTimeout as sleep } from 'node:timers/promises';
import { PaymentEvent, paymentView } from '@payments/domain';
import { isLiveCharge } from '@payments/processors';
import { UpdateProcessor } from '../accounts/accounts.commands';
import { PaymentHarness } from './test/payment-harness';

/** Timeouts at the simulator's least timeout_ms, and the resolver asking again at once: resolution takes a few ticks. */
const FAST = { ATTEMPT_RESOLUTION_BACKOFF: '50ms' };

describe('the resolver of attempts whose outcome may hide a charge', () => {
  let h: PaymentHarness;

  beforeEach(async () => {
    h = await PaymentHarness.start({ env: FAST });
  });

  afterEach(async () => {
    await h.close();
  });

  async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`waited in vain until ${what}`);
      await sleep(25);
    }
  }

  const has = (paymentId: string, type: string) => async () => (await h.eventTypes(paymentId)).includes(type);

  /** A processor that keeps the charge but loses its answer, first in a route whose second processor approves. */
  async function timeoutThenApprove(timeoutSettings: { charge_on_timeout: boolean }): Promise<{ paymentId: string; lost: string; approving: string }> {
    const lost = await h.processor('Loses its answer', { timeout_ms: 50, simulator: { outcome: 'timeout', ...timeoutSettings } });
    const approving = await h.processor('Approving');
    const sessionId = await h.session([{ amount: 5000 }], await h.route({ processors: [{ processor_id: lost }, { processor_id: approving }] }));
    return { paymentId: await h.pay(sessionId), lost, approving };
  }

  it('refunds the late approval of a sale whose answer was lost, once the payment succeeded on the next processor', async () => {
    const { paymentId, lost, approving } = await timeoutThenApprove({ charge_on_timeout: true });
    await until('the late approval is undone', has(paymentId, 'LateApprovalVoided'));

    const events = await h.events(paymentId);
    expect(events.map((event) => event.type)).toEqual([
      'PaymentStarted',
      'TierStarted',
      'ProcessorAttempted',
      'ProcessorTimedOut',
      'ProcessorAttempted',
      'ProcessorApproved',
      'PaymentSucceeded',
      'ProcessorAttemptResolved',
      'LateApprovalVoided',
    ]);
    const key = `${paymentId}:0:1`;
    expect(events[3].data).toMatchObject({ processor_id: lost, uncertain: true, message: 'the simulated processor did not answer within 50 ms' });
    expect(events[7].data).toMatchObject({ idempotency_key: key, processor_id: lost, outcome: 'approved', state: 'captured', captured_amount: 5000, refunded_amount: 0 });
    expect(events[8].data).toEqual({ payment_id: paymentId, tier: 0, processor_id: lost, attempt: 1, idempotency_key: key, method: 'refund', operation_key: `${key}:refund`, amount: 5000, currency: 'USD' });

    const charges = await h.ledger.chargesForPayment(paymentId);
    expect(charges.filter(isLiveCharge)).toEqual([expect.objectContaining({ processorId: approving, idempotencyKey: `${paymentId}:0:2` })]);
    expect(await h.ledger.operationsFor(`${key}:refund`)).toEqual([expect.objectContaining({ kind: 'refund', outcome: 'succeeded', amount: 5000, requestCount: 1 })]);
    expect(paymentView(events)?.attempts.map((attempt) => attempt.resolution)).toEqual(['late_approval_voided', null]);
    // Counted just after the append that the events above show.
    await until('the undo is counted', async () => h.metrics.counts.get('undo:refund:succeeded') === 1);
    expect(h.metrics.counts.get('resolution:approved')).toBe(1);
    await until('nothing is left to resolve', async () => h.metrics.unresolvedAttempts === 0);
  });

  it('records a timeout that charged nothing as not charged, and undoes nothing', async () => {
    const { paymentId } = await timeoutThenApprove({ charge_on_timeout: false });
    await until('the attempt is resolved', has(paymentId, 'ProcessorAttemptResolved'));

    const events = await h.events(paymentId);
    expect(events.at(-1)).toEqual({
      type: 'ProcessorAttemptResolved',
      data: expect.objectContaining({ idempotency_key: `${paymentId}:0:1`, outcome: 'declined', state: null }),
    });
    expect(paymentView(events)?.attempts.map((attempt) => attempt.resolution)).toEqual(['not_charged', null]);
    // Once nothing is left to resolve, nothing more is written.
    await until('nothing is left to resolve', async () => h.metrics.unresolvedAttempts === 0);
    expect(await h.eventTypes(paymentId)).not.toContain('LateApprovalVoided');
  });

  it('refunds a late approval of a payment that then failed on every processor', async () => {
    const lost = await h.processor('Loses its answer', { timeout_ms: 50, simulator: { outcome: 'timeout', charge_on_timeout: true } });
    const declining = await h.processor('Declining', { simulator: { outcome: 'decline' } });
    const sessionId = await h.session([{ amount: 3000 }], await h.route({ processors: [{ processor_id: lost }, { processor_id: declining }] }));
    const paymentId = await h.pay(sessionId);

    await until('the late approval is undone', has(paymentId, 'LateApprovalVoided'));
    expect((await h.events(paymentId)).map((event) => event.type)).toContain('PaymentFailed');
    expect((await h.ledger.chargesForPayment(paymentId)).filter(isLiveCharge)).toEqual([]);
  });

  it('asks the processor of the attempt as it was when the tier was planned, whatever it was changed to since', async () => {
    const lost = await h.processor('Loses its answer', { timeout_ms: 50, simulator: { outcome: 'timeout', charge_on_timeout: true, latency_ms: 0 } });
    const approving = await h.processor('Approving');
    // Changed to fail every refund as soon as the payment has started: the attempt's revision still refunds.
    const sessionId = await h.session([{ amount: 5000 }], await h.route({ processors: [{ processor_id: lost }, { processor_id: approving }] }));
    const { paymentId, finished } = await h.attempt(sessionId);
    await h.commands.execute(new UpdateProcessor(h.accountId, lost, { simulator: { refund_outcome: 'fail' } }, {}));
    await finished;

    await until('the late approval is undone', has(paymentId, 'LateApprovalVoided'));
    const attempted = (await h.events(paymentId)).find((event): event is Extract<PaymentEvent, { type: 'ProcessorAttempted' }> => event.type === 'ProcessorAttempted');
    expect(attempted?.data).toMatchObject({ processor_id: lost, processor_revision: 0 });
  });

  it('records a refund the processor refuses for good, leaving the charge for an operator, and stops asking', async () => {
    const lost = await h.processor('Loses its answer', { timeout_ms: 50, simulator: { outcome: 'timeout', charge_on_timeout: true, refund_outcome: 'fail' } });
    const approving = await h.processor('Approving');
    const sessionId = await h.session([{ amount: 5000 }], await h.route({ processors: [{ processor_id: lost }, { processor_id: approving }] }));
    const paymentId = await h.pay(sessionId);

    await until('the refusal is recorded', has(paymentId, 'LateApprovalVoidFailed'));
    const events = await h.events(paymentId);
    expect(events.at(-1)?.data).toMatchObject({ method: 'refund', code: 'refund_declined' });
    expect(paymentView(events)?.attempts[0].resolution).toBe('unresolved');
    await until('the refusal is counted', async () => h.metrics.counts.get('undo:refund:failed') === 1);
    await until('nothing is left to resolve', async () => h.metrics.unresolvedAttempts === 0);
  });

  it('keeps asking, with backoff, a processor that gives no definite status, counting each try', async () => {
    // Its status answers come after its timeout: never definite.
    const silent = await h.processor('Never says', { timeout_ms: 50, simulator: { outcome: 'timeout', charge_on_timeout: true, latency_ms: 60 } });
    const approving = await h.processor('Approving');
    const sessionId = await h.session([{ amount: 5000 }], await h.route({ processors: [{ processor_id: silent }, { processor_id: approving }] }));
    const paymentId = await h.pay(sessionId);

    await until('it has asked three times', async () => (h.metrics.counts.get('resolution:retry') ?? 0) >= 3);
    expect(h.metrics.unresolvedAttempts).toBe(1);
    expect(await h.eventTypes(paymentId)).not.toContain('ProcessorAttemptResolved');
    expect(paymentView(await h.events(paymentId))?.attempts[0]).toMatchObject({ outcome: 'timeout', resolution: 'unresolved' });
  });
});
