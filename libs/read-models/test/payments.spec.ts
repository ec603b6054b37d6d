import { PaymentEvent, PaymentStartedData } from '@payments/domain';
import { listPayments, payments } from '@payments/read-models/projections/payments';
import { useProjectionFixture } from './projection-fixture';

describe('payments read model', () => {
  const fixture = useProjectionFixture();
  const { append } = fixture;

  const at = '2026-11-21T10:00:00.000Z';

  const began = (paymentId: string, sessionId = 'cs_stg_1') => append(`checkout_session-${sessionId}`, { type: 'SessionPaymentBegan', data: { session_id: sessionId, payment_id: paymentId } });
  const sessionEnded = (paymentId: string, outcome: 'SessionPaymentFailed' | 'CheckoutSessionCompleted', sessionId = 'cs_stg_1') =>
    append(`checkout_session-${sessionId}`, { type: outcome, data: { session_id: sessionId, payment_id: paymentId, completed_at: at } });

  const startedData = (paymentId: string, over: Partial<PaymentStartedData>): PaymentStartedData => ({
    payment_id: paymentId,
    checkout_session_id: 'cs_stg_1',
    account_id: 'acc_stg_a',
    tiers: [
      { index: 0, amount: 5000, currency: 'USD', route_id: null },
      { index: 1, amount: 2500, currency: 'EUR', route_id: null },
    ],
    card: { last4: '4242', bin: '424242', network: 'visa', fingerprint: 'fp' },
    bin_country: null,
    routing: null,
    started_at: at,
    ...over,
  });

  const paymentEvent = (paymentId: string, event: PaymentEvent) => append(`payment-${paymentId}`, event);

  /** A payment that began on its session and started. */
  async function start(paymentId: string, over: Partial<PaymentStartedData> = {}): Promise<void> {
    const data = startedData(paymentId, over);
    await began(paymentId, data.checkout_session_id);
    await paymentEvent(paymentId, { type: 'PaymentStarted', data });
  }

  const finish = (paymentId: string, sessionId = 'cs_stg_1') =>
    paymentEvent(paymentId, { type: 'PaymentFailed', data: { payment_id: paymentId, checkout_session_id: sessionId, failure_reason: 'all_tiers_failed', tier: 1, completed_at: at } });

  const project = () => fixture.project(payments);

  const ids = async (query: Partial<Parameters<typeof listPayments>[2]> = {}, accountId = 'acc_stg_a') => {
    await project();
    return (await listPayments(fixture.readModels, accountId, { limit: 50, offset: 0, ...query })).items.map((view) => view.id);
  };

  it('lists the account’s started payments newest first with their API view', async () => {
    await start('pay_stg_1');
    await start('pay_stg_2');
    await start('pay_stg_other', { account_id: 'acc_stg_b' });

    expect(await ids()).toEqual(['pay_stg_2', 'pay_stg_1']);
    const [newest] = (await listPayments(fixture.readModels, 'acc_stg_a', { limit: 1, offset: 0 })).items;
    expect(newest).toMatchObject({ id: 'pay_stg_2', object: 'payment', status: 'processing', amount: 5000, currency: 'USD', source: { type: 'card', last4: '4242' } });
    expect(await ids({}, 'acc_stg_b')).toEqual(['pay_stg_other']);
  });

  it('filters by checkout session, by status and by both', async () => {
    await start('pay_stg_1', { checkout_session_id: 'cs_stg_1' });
    await start('pay_stg_2', { checkout_session_id: 'cs_stg_2' });
    await start('pay_stg_3', { checkout_session_id: 'cs_stg_1' });
    await finish('pay_stg_1');

    expect(await ids({ checkoutSessionId: 'cs_stg_1' })).toEqual(['pay_stg_3', 'pay_stg_1']);
    expect(await ids({ status: 'failed' })).toEqual(['pay_stg_1']);
    expect(await ids({ status: 'processing' })).toEqual(['pay_stg_3', 'pay_stg_2']);
    expect(await ids({ checkoutSessionId: 'cs_stg_1', status: 'processing' })).toEqual(['pay_stg_3']);
    expect(await ids({ checkoutSessionId: 'cs_stg_unknown' })).toEqual([]);
  });

  it('counts the whole filtered list in total while paging', async () => {
    for (const id of ['pay_stg_1', 'pay_stg_2', 'pay_stg_3']) await start(id);
    await project();

    expect(await listPayments(fixture.readModels, 'acc_stg_a', { limit: 1, offset: 1 })).toEqual({ items: [expect.objectContaining({ id: 'pay_stg_2' })], total: 3 });
  });

  it('shows the amount of the tier a payment moved on to', async () => {
    await start('pay_stg_1');
    const plan = { route_id: null, route_revision: null, strategy: 'priority' as const, candidate_order: [], plan: [], optimized_retry: false };
    await paymentEvent('pay_stg_1', { type: 'TierStarted', data: { payment_id: 'pay_stg_1', tier: 1, ...plan, failover: { on: ['decline'], decline_codes: null, max_attempts: null } } });
    await project();

    expect((await listPayments(fixture.readModels, 'acc_stg_a', { limit: 1, offset: 0 })).items[0]).toMatchObject({ tier: 1, amount: 2500, currency: 'EUR' });
  });

  it('does not list a payment that never started', async () => {
    await began('pay_stg_unstarted');

    expect(await ids()).toEqual([]);
  });

  it('ignores other events of checkout sessions and of other streams', async () => {
    await append('checkout_session-cs_stg_1', { type: 'CheckoutSessionExpired', data: { session_id: 'cs_stg_1', reason: 'manual', expired_at: at } });
    await append('account-acc_stg_a', { type: 'AccountOpened', data: { account_id: 'acc_stg_a', name: 'Shop', sandbox: false, opened_at: at } });
    await project();

    expect(await fixture.readModels.checkpoint('payments')).toBeDefined();
    expect(await ids()).toEqual([]);
  });
});
