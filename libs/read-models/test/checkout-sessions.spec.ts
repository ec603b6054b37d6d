import { CheckoutSessionEvent } from '@payments/domain';
import { checkoutSessions, listCheckoutSessions, overdueCheckoutSessions, unreleasedCheckoutSessions } from '@payments/read-models/projections/checkout-sessions';
import { useProjectionFixture } from './projection-fixture';
import { attached, detached } from './route-events';

type CreatedData = Extract<CheckoutSessionEvent, { type: 'CheckoutSessionCreated' }>['data'];

describe('checkout sessions read model', () => {
  const fixture = useProjectionFixture();

  const session = (id: string, event: CheckoutSessionEvent) => fixture.append(`checkout_session-${id}`, event);
  const attach = (routeId: string, sessionId: string) => fixture.append(`route-${routeId}`, attached(routeId, sessionId));
  const detach = (routeId: string, sessionId: string) => fixture.append(`route-${routeId}`, detached(routeId, sessionId));
  const project = () => fixture.project(checkoutSessions);
  const ids = (sessions: { id: string }[]) => sessions.map((s) => s.id);

  async function create(id: string, createdAt: string, expiresAt: string, over: Partial<CreatedData> = {}): Promise<void> {
    const tier = { index: 0, line_items: [], amount_subtotal: 100, amount_discount: 0, amount_total: 100, currency: 'USD', processor_route_id: null };
    await session(id, {
      type: 'CheckoutSessionCreated',
      data: {
        session_id: id,
        account_id: 'acc_stg_a',
        customer_id: null,
        tiers: [tier],
        processor_route_id: null,
        discount: null,
        success_url: 'https://shop.example/ok',
        return_url: null,
        custom_fields: {},
        params_for_sub: null,
        expires_at: expiresAt,
        created_at: createdAt,
        ...over,
      },
    });
  }

  it("lists an account's sessions newest first, all or of one status", async () => {
    await create('cs_stg_old', '2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z');
    await create('cs_stg_new', '2026-01-03T00:00:00.000Z', '2026-01-04T00:00:00.000Z');
    await create('cs_stg_mid', '2026-01-02T00:00:00.000Z', '2026-01-03T00:00:00.000Z');
    await create('cs_stg_theirs', '2026-01-02T00:00:00.000Z', '2026-01-03T00:00:00.000Z', { account_id: 'acc_stg_b' });
    await session('cs_stg_mid', { type: 'CheckoutSessionExpired', data: { session_id: 'cs_stg_mid', reason: 'manual', expired_at: '2026-01-02T01:00:00.000Z' } });
    await project();

    const all = await listCheckoutSessions(fixture.readModels, 'acc_stg_a', { limit: 2, offset: 0 });
    const open = await listCheckoutSessions(fixture.readModels, 'acc_stg_a', { status: 'open', limit: 10, offset: 0 });
    const expired = await listCheckoutSessions(fixture.readModels, 'acc_stg_a', { status: 'expired', limit: 10, offset: 0 });

    expect({ ids: ids(all.items), total: all.total }).toEqual({ ids: ['cs_stg_new', 'cs_stg_mid'], total: 3 });
    expect(ids(open.items)).toEqual(['cs_stg_new', 'cs_stg_old']);
    expect(expired.items).toEqual([expect.objectContaining({ id: 'cs_stg_mid', status: 'expired', expiredAt: '2026-01-02T01:00:00.000Z' })]);
  });

  it('finds open sessions due by a time, soonest first, leaving out those with a payment running', async () => {
    await create('cs_stg_late', '2026-01-01T00:00:00.000Z', '2026-01-01T03:00:00.000Z');
    await create('cs_stg_soon', '2026-01-01T00:00:00.000Z', '2026-01-01T01:00:00.000Z');
    await create('cs_stg_paying', '2026-01-01T00:00:00.000Z', '2026-01-01T01:00:00.000Z');
    await create('cs_stg_later', '2026-01-01T00:00:00.000Z', '2026-01-01T05:00:00.000Z');
    await create('cs_stg_other', '2026-01-01T00:00:00.000Z', '2026-01-01T00:30:00.000Z', { account_id: 'acc_stg_b' });
    await session('cs_stg_paying', { type: 'SessionPaymentBegan', data: { session_id: 'cs_stg_paying', payment_id: 'pay_stg_1' } });
    await project();
    const at4 = new Date('2026-01-01T04:00:00.000Z');

    expect(ids(await overdueCheckoutSessions(fixture.readModels, at4))).toEqual(['cs_stg_other', 'cs_stg_soon', 'cs_stg_late']);
    expect(ids(await overdueCheckoutSessions(fixture.readModels, at4, { accountId: 'acc_stg_a' }))).toEqual(['cs_stg_soon', 'cs_stg_late']);
    expect(ids(await overdueCheckoutSessions(fixture.readModels, at4, { limit: 1 }))).toEqual(['cs_stg_other']);
    expect(ids(await overdueCheckoutSessions(fixture.readModels, new Date('2026-01-01T03:00:00.000Z'), { accountId: 'acc_stg_a' }))).toEqual(['cs_stg_soon', 'cs_stg_late']);
  });

  it('takes a session whose payment failed back into the expiry index, and drops one that completed', async () => {
    await create('cs_stg_failed', '2026-01-01T00:00:00.000Z', '2026-01-01T01:00:00.000Z');
    await create('cs_stg_paid', '2026-01-01T00:00:00.000Z', '2026-01-01T01:00:00.000Z');
    for (const [id, payment] of [['cs_stg_failed', 'pay_stg_1'], ['cs_stg_paid', 'pay_stg_2']]) {
      await session(id, { type: 'SessionPaymentBegan', data: { session_id: id, payment_id: payment } });
    }
    await session('cs_stg_failed', { type: 'SessionPaymentFailed', data: { session_id: 'cs_stg_failed', payment_id: 'pay_stg_1' } });
    await session('cs_stg_paid', { type: 'CheckoutSessionCompleted', data: { session_id: 'cs_stg_paid', payment_id: 'pay_stg_2', completed_at: '2026-01-01T00:10:00.000Z' } });
    await project();

    expect(ids(await overdueCheckoutSessions(fixture.readModels, new Date('2026-01-02T00:00:00.000Z')))).toEqual(['cs_stg_failed']);
    expect(ids((await listCheckoutSessions(fixture.readModels, 'acc_stg_a', { status: 'complete', limit: 10, offset: 0 })).items)).toEqual(['cs_stg_paid']);
  });

  it('lists a settled session as unreleased until every route it attached to has detached it', async () => {
    await attach('proute_stg_a', 'cs_stg_1');
    await attach('proute_stg_b', 'cs_stg_1');
    await create('cs_stg_1', '2026-01-01T00:00:00.000Z', '2026-01-01T01:00:00.000Z');
    await project();
    expect(await unreleasedCheckoutSessions(fixture.readModels, 10)).toEqual([]);

    await session('cs_stg_1', { type: 'CheckoutSessionExpired', data: { session_id: 'cs_stg_1', reason: 'automatic', expired_at: '2026-01-01T01:00:00.000Z' } });
    await detach('proute_stg_a', 'cs_stg_1');
    await project();
    expect(await unreleasedCheckoutSessions(fixture.readModels, 10)).toEqual([{ session: expect.objectContaining({ id: 'cs_stg_1', status: 'expired' }), attachedRouteIds: ['proute_stg_b'] }]);

    await detach('proute_stg_b', 'cs_stg_1');
    await project();
    expect(await unreleasedCheckoutSessions(fixture.readModels, 10)).toEqual([]);
  });

  it('keeps nothing of a session whose routes were attached and detached again without it being recorded', async () => {
    await attach('proute_stg_a', 'cs_stg_refused');
    await detach('proute_stg_a', 'cs_stg_refused');
    await project();

    expect(await fixture.readModels.get('checkout_sessions', 'cs_stg_refused')).toBeUndefined();
  });
});
