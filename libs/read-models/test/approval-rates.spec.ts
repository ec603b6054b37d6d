import { CardNetwork, PaymentEvent } from '@payments/domain';
import { approvalRates, readApprovalStats } from '@payments/read-models/projections/approval-rates';
import { useProjectionFixture } from './projection-fixture';

const A = 'proc_stg_a';
const B = 'proc_stg_b';
const C = 'proc_stg_c';
const AT = '2026-11-21T12:00:00.000Z';
const VISA_USD = { network: 'visa' as CardNetwork, currency: 'USD' };

type Answer = 'approved' | 'declined' | 'timeout';

/** One payment's events as the decider writes them: calls in order, each `[processor, answer, optimized?]`, then its end. */
function payment(id: string, calls: [string, Answer, boolean?][], { currency = 'USD', skipped = [] as string[] } = {}): PaymentEvent[] {
  const events: PaymentEvent[] = [
    {
      type: 'PaymentStarted',
      data: { payment_id: id, checkout_session_id: `cs_${id}`, account_id: 'acc_stg_a', tiers: [{ index: 0, amount: 1000, currency, route_id: null }], card: { last4: '4242', bin: '424242', network: 'visa', fingerprint: 'fp' }, bin_country: null, routing: null, started_at: AT },
    },
  ];
  for (const processor of skipped) events.push({ type: 'ProcessorSkipped', data: { payment_id: id, tier: 0, processor_id: processor, network: 'visa', reason: 'unavailable' } });
  let approver: string | null = null;
  calls.forEach(([processor, answer, optimized = false], index) => {
    const ref = { payment_id: id, tier: 0, processor_id: processor, attempt: index + 1, optimized };
    events.push({ type: 'ProcessorAttempted', data: { ...ref, network: 'visa', idempotency_key: `${id}:0:${index + 1}`, amount: 1000, currency } });
    if (answer === 'approved') {
      events.push({ type: 'ProcessorApproved', data: { ...ref, code: null, auth_code: 'A1', duration_ms: 1 } });
      approver = processor;
    } else if (answer === 'declined') events.push({ type: 'ProcessorDeclined', data: { ...ref, code: '05', hard: false, duration_ms: 1 } });
    else events.push({ type: 'ProcessorTimedOut', data: { ...ref, duration_ms: 1 } });
  });
  const end = { payment_id: id, checkout_session_id: `cs_${id}`, tier: 0, completed_at: AT };
  events.push(
    approver === null
      ? { type: 'PaymentFailed', data: { ...end, failure_reason: 'all_tiers_failed' } }
      : { type: 'PaymentSucceeded', data: { ...end, processor_id: approver, amount: 1000, currency, auth_code: 'A1', route_id: null, route_revision: null } },
  );
  return events;
}

describe('approval rates read model', () => {
  const fixture = useProjectionFixture();

  async function record(...payments: PaymentEvent[][]): Promise<void> {
    for (const events of payments) for (const event of events) await fixture.append(`payment-${event.data.payment_id}`, event);
    await fixture.project(approvalRates);
  }

  it('counts a payment once per processor it called: approved where it was approved, not approved elsewhere', async () => {
    await record(payment('pay_1', [[A, 'declined'], [B, 'approved']]), payment('pay_2', [[A, 'timeout'], [B, 'declined']]), payment('pay_3', [[A, 'approved']]));

    expect(await readApprovalStats(fixture.readModels, [A, B, C], VISA_USD, 200)).toEqual({ [A]: { attempts: 3, approved: 1 }, [B]: { attempts: 2, approved: 1 }, [C]: { attempts: 0, approved: 0 } });
  });

  it('counts an optimized retry that approved as one approved attempt, and a skip as none', async () => {
    await record(payment('pay_1', [[A, 'declined'], [A, 'approved', true]], { skipped: [C] }));

    expect(await readApprovalStats(fixture.readModels, [A, C], VISA_USD, 200)).toEqual({ [A]: { attempts: 1, approved: 1 }, [C]: { attempts: 0, approved: 0 } });
  });

  it('keeps each currency apart, and counts only the latest window of attempts', async () => {
    await record(payment('pay_1', [[A, 'declined']]), payment('pay_2', [[A, 'approved']]), payment('pay_3', [[A, 'declined']], { currency: 'EUR' }));

    expect(await readApprovalStats(fixture.readModels, [A], VISA_USD, 1)).toEqual({ [A]: { attempts: 1, approved: 1 } });
    expect(await readApprovalStats(fixture.readModels, [A], VISA_USD, 200)).toEqual({ [A]: { attempts: 2, approved: 1 } });
    expect(await readApprovalStats(fixture.readModels, [A], { ...VISA_USD, currency: 'EUR' }, 200)).toEqual({ [A]: { attempts: 1, approved: 0 } });
  });

  it('counts nothing for a payment that has not ended', async () => {
    const running = payment('pay_1', [[A, 'declined']]).slice(0, -1);
    await record(running);

    expect(await readApprovalStats(fixture.readModels, [A], VISA_USD, 200)).toEqual({ [A]: { attempts: 0, approved: 0 } });
  });
});
