import { TimelineEvent, paymentTimeline } from './payment-timeline';

const names: Record<string, string> = { proc_a: 'Alpha', proc_b: 'Beta' };
const processorName = (id: string) => names[id] ?? id;

let clock = Date.parse('2026-01-01T00:00:00.000Z');
function event(type: string, data: Record<string, unknown>): TimelineEvent {
  clock += 10;
  return { type, created_at: new Date(clock).toISOString(), data: { payment_id: 'pay_stg_x', ...data } };
}
const call = (attempt: number, processor_id: string, extra: Record<string, unknown> = {}) => ({ tier: 0, attempt, processor_id, optimized: false, duration_ms: 12, ...extra });
const started = () => event('PaymentStarted', { tiers: [{ index: 0, amount: 1000, currency: 'EUR', route_id: null }], card: { network: 'visa', last4: '4242' } });

describe('paymentTimeline', () => {
  it('says an unknown answer that nobody has resolved yet is still being asked about', () => {
    const timeline = paymentTimeline(
      [started(), event('ProcessorAttempted', call(1, 'proc_a', { amount: 1000, currency: 'EUR' })), event('ProcessorErrored', call(1, 'proc_a', { uncertain: true, message: 'the processor answered HTTP 503' }))],
      processorName,
    );
    const [step] = timeline.tiers[0].steps;
    expect(step).toMatchObject({ tone: 'unknown', title: 'Alpha: error (unknown outcome)' });
    expect(step.detail).toContain('the processor answered HTTP 503');
    expect(step.notes.map((note) => note.title)).toEqual(['Not resolved yet']);
  });

  it('puts a resolution on the call it resolves, not on the last call made', () => {
    const timeline = paymentTimeline(
      [
        started(),
        event('ProcessorAttempted', call(1, 'proc_a')),
        event('ProcessorTimedOut', call(1, 'proc_a', { uncertain: true })),
        event('ProcessorAttempted', call(2, 'proc_b')),
        event('ProcessorApproved', call(2, 'proc_b', { auth_code: 'A1B2C3' })),
        event('PaymentSucceeded', { tier: 0, processor_id: 'proc_b', amount: 1000, currency: 'EUR', auth_code: 'A1B2C3' }),
        event('ProcessorAttemptResolved', { tier: 0, attempt: 1, processor_id: 'proc_a', outcome: 'not_found', code: null }),
      ],
      processorName,
    );
    const [first, second] = timeline.tiers[0].steps;
    expect(first.notes).toEqual([expect.objectContaining({ title: 'Resolved', detail: 'the processor never received the call: nothing was charged' })]);
    expect(second).toMatchObject({ tone: 'approved', title: 'Beta: approved', notes: [] });
  });

  it('names a hard decline, and the payment failure it causes', () => {
    const timeline = paymentTimeline(
      [
        started(),
        event('ProcessorAttempted', call(1, 'proc_a')),
        event('ProcessorDeclined', call(1, 'proc_a', { code: '14', hard: true })),
        event('TierFailed', { tier: 0, reason: 'hard_decline' }),
        event('PaymentFailed', { tier: 0, failure_reason: 'hard_decline' }),
      ],
      processorName,
    );
    expect(timeline.tiers[0].steps.map((step) => [step.tone, step.title])).toEqual([
      ['declined', 'Alpha: hard decline'],
      ['failed', 'Tier 0 failed'],
    ]);
    expect(timeline.after.map((step) => step.title)).toEqual(['Payment failed: a hard decline']);
  });

  it('shows an event type it has no words for by its name and fields, in its tier', () => {
    const timeline = paymentTimeline([started(), event('ProcessorRateLimited', { tier: 0, processor_id: 'proc_a', retry_after_ms: 250 })], processorName);
    expect(timeline.tiers[0].steps).toEqual([
      expect.objectContaining({ tone: 'info', title: 'Processor rate limited', fields: [['tier', '0'], ['processor_id', 'proc_a'], ['retry_after_ms', '250']] }),
    ]);
  });
});
