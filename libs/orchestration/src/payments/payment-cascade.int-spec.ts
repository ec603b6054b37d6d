import { PaymentTier, paymentView, routeDecider, streamName } from '@payments/domain';
import { AccountsReader } from '../accounts/accounts.reader';
import { SessionPayments } from '../checkout-sessions/session-payments';
import { paymentTiers } from './pay-checkout-session';
import { REFUSED_STEP_TRIES } from './payment-cascade';
import { runPaymentCommand } from './payment-stream';
import { UpdateRoute } from '../routes/route.commands';
import { PaymentCascade } from './payment-cascade';
import { TierRoutingResolver } from './tier-routing';
import { PaymentHarness } from './test/payment-harness';

describe('the payment cascade', () => {
  let h: PaymentHarness;

  beforeEach(async () => {
    h = await PaymentHarness.start();
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await h.close();
  });

  it('records a decline, a skip and an approval in the order the cascade met them, and completes the session', async () => {
    const declining = await h.processor('Declining', { simulator: { outcome: 'decline', decline_code: '05' } });
    const unavailable = await h.processor('Down', { status: 'unavailable' });
    const approving = await h.processor('Approving');
    const route = await h.route({ processors: [{ processor_id: declining }, { processor_id: unavailable }, { processor_id: approving }] });
    const sessionId = await h.session([{ amount: 5000 }], route);

    const paymentId = await h.pay(sessionId);

    expect(await h.eventTypes(paymentId)).toEqual([
      'PaymentStarted',
      'TierStarted',
      'ProcessorAttempted',
      'ProcessorDeclined',
      'ProcessorSkipped',
      'ProcessorAttempted',
      'ProcessorApproved',
      'PaymentSucceeded',
    ]);
    const events = await h.events(paymentId);
    expect(events[4].data).toMatchObject({ processor_id: unavailable, reason: 'unavailable' });
    expect(events[7].data).toMatchObject({ processor_id: approving, amount: 5000, currency: 'USD', route_id: route, route_revision: 1, auth_code: expect.any(String) });
    expect(await h.checkoutSession(sessionId)).toMatchObject({ status: 'complete', paymentStatus: 'paid', activePaymentId: null });
  });

  it('records the start and tier 0 up to its first call in the pay request’s one append', async () => {
    const approving = await h.processor('Approving');
    const sessionId = await h.session([{ amount: 5000 }], await h.route({ processors: [{ processor_id: approving }] }));
    const append = jest.spyOn(h.runner.store, 'appendToStream');

    const paymentId = await h.pay(sessionId);

    const paymentAppends = append.mock.calls.filter(([stream]) => stream === streamName('payment', paymentId));
    expect(paymentAppends.map(([, events]) => events.map((event) => event.type))).toEqual([
      ['PaymentStarted', 'TierStarted', 'ProcessorAttempted'],
      ['ProcessorApproved', 'PaymentSucceeded'],
    ]);
  });

  it('starts the payment without tier 0 when its routing cannot be read, and the saga starts the tier', async () => {
    const approving = await h.processor('Approving');
    const sessionId = await h.session([{ amount: 5000 }], await h.route({ processors: [{ processor_id: approving }] }));
    jest.spyOn(TierRoutingResolver.prototype, 'resolve').mockRejectedValueOnce(new Error('the store could not be read'));

    const paymentId = await h.pay(sessionId);

    expect(await h.eventTypes(paymentId)).toEqual(['PaymentStarted', 'TierStarted', 'ProcessorAttempted', 'ProcessorApproved', 'PaymentSucceeded']);
    expect(await h.checkoutSession(sessionId)).toMatchObject({ status: 'complete', paymentStatus: 'paid' });
  });

  it('releases the routes of the session it completes', async () => {
    const route = await h.route({ processors: [{ processor_id: await h.processor('Approving') }] });
    const sessionId = await h.session([{ amount: 100 }], route);
    expect(await routeSessions(route)).toEqual([sessionId]);

    await h.pay(sessionId);

    expect(await routeSessions(route)).toEqual([]);
  });

  async function routeSessions(routeId: string): Promise<string[]> {
    const state = await h.runner.load(streamName('route', routeId), routeDecider);
    return state.status === 'none' ? [] : state.route.sessionIds;
  }

  it('ends the whole payment on a hard decline, without trying further processors or tiers, and leaves the session open', async () => {
    const hard = await h.processor('Hard', { simulator: { outcome: 'decline', decline_code: '14' } });
    const never = await h.processor('Never');
    const route = await h.route({ processors: [{ processor_id: hard }, { processor_id: never }], failover: { decline_codes: ['05', '51'] } });
    const sessionId = await h.session([{ amount: 5000, routeId: route }, { amount: 2500, routeId: route }]);

    const paymentId = await h.pay(sessionId);

    expect(await h.eventTypes(paymentId)).toEqual(['PaymentStarted', 'TierStarted', 'ProcessorAttempted', 'ProcessorDeclined', 'TierFailed', 'PaymentFailed']);
    const events = await h.events(paymentId);
    expect(events[3].data).toMatchObject({ code: '14', hard: true });
    expect(events[5].data).toMatchObject({ failure_reason: 'hard_decline', tier: 0 });
    expect(await h.checkoutSession(sessionId)).toMatchObject({ status: 'open', paymentStatus: 'unpaid', activePaymentId: null, paymentIds: [paymentId] });
  });

  it('starts the next tier with its own amount, currency and route when a tier has nothing left', async () => {
    const declining = await h.processor('Declining', { simulator: { outcome: 'decline' } });
    const approving = await h.processor('Approving');
    const first = await h.route({ processors: [{ processor_id: declining }] });
    const fallback = await h.route({ processors: [{ processor_id: approving }] });
    const sessionId = await h.session([
      { amount: 5000, routeId: first },
      { amount: 1900, currency: 'EUR', routeId: fallback },
    ]);

    const paymentId = await h.pay(sessionId);

    expect(await h.eventTypes(paymentId)).toEqual([
      'PaymentStarted',
      'TierStarted',
      'ProcessorAttempted',
      'ProcessorDeclined',
      'TierFailed',
      'TierStarted',
      'ProcessorAttempted',
      'ProcessorApproved',
      'PaymentSucceeded',
    ]);
    const events = await h.events(paymentId);
    expect(events[4].data).toMatchObject({ tier: 0, reason: 'exhausted' });
    expect(events[5].data).toMatchObject({ tier: 1, route_id: fallback });
    expect(events[6].data).toMatchObject({ tier: 1, processor_id: approving, amount: 1900, currency: 'EUR', idempotency_key: `${paymentId}:1:1` });
    expect(events[8].data).toMatchObject({ tier: 1, amount: 1900, currency: 'EUR', route_id: fallback });
    expect((await h.ledger.chargesFor(`${paymentId}:1:1`))[0]).toMatchObject({ amount: 1900, currency: 'EUR' });
  });

  it('fails the payment after the last tier fails', async () => {
    const route = await h.route({ processors: [{ processor_id: await h.processor('Declining', { simulator: { outcome: 'decline' } }) }] });
    const sessionId = await h.session([{ amount: 5000 }, { amount: 2500 }], route);

    const paymentId = await h.pay(sessionId);

    expect(await h.eventTypes(paymentId)).toEqual([
      'PaymentStarted',
      'TierStarted',
      'ProcessorAttempted',
      'ProcessorDeclined',
      'TierFailed',
      'TierStarted',
      'ProcessorAttempted',
      'ProcessorDeclined',
      'TierFailed',
      'PaymentFailed',
    ]);
    expect((await h.events(paymentId))[9].data).toMatchObject({ failure_reason: 'all_tiers_failed', tier: 1 });
  });

  it('tries only the processors of routing.attempts, in their order, recording the others as not in attempts first', async () => {
    const a = await h.processor('A');
    const b = await h.processor('B', { simulator: { outcome: 'decline' } });
    const c = await h.processor('C');
    const route = await h.route({ processors: [{ processor_id: a }, { processor_id: b }, { processor_id: c }] });
    const sessionId = await h.session([{ amount: 5000 }], route);

    const paymentId = await h.pay(sessionId, { attempts: [{ processor_id: b }, { processor_id: c }] });

    const events = await h.events(paymentId);
    expect(events.map((event) => [event.type, (event.data as { processor_id?: string }).processor_id])).toEqual([
      ['PaymentStarted', undefined],
      ['TierStarted', undefined],
      ['ProcessorSkipped', a],
      ['ProcessorAttempted', b],
      ['ProcessorDeclined', b],
      ['ProcessorAttempted', c],
      ['ProcessorApproved', c],
      ['PaymentSucceeded', c],
    ]);
    expect(events[2].data).toMatchObject({ reason: 'not_in_attempts' });
  });

  it('refuses routing attempts naming an unknown processor before the session is touched', async () => {
    const sessionId = await h.session([{ amount: 5000 }]);

    await expect(h.attempt(sessionId, { attempts: [{ processor_id: 'proc_stg_unknown' }] })).rejects.toMatchObject({
      kind: 'invalid',
      errors: [{ field: 'routing.attempts[0].processor_id', message: 'unknown processor proc_stg_unknown' }],
    });
    expect(await h.checkoutSession(sessionId)).toMatchObject({ activePaymentId: null, paymentIds: [] });
  });

  it('retries a soft decline once on the same processor with an optimized request when the route asks for it', async () => {
    const optimizing = await h.processor('Optimizing', { simulator: { approve_optimized_retry: true } });
    const route = await h.route({ processors: [{ processor_id: optimizing }], optimized_retry: true });
    const sessionId = await h.session([{ amount: 5000 }], route);

    const paymentId = await h.pay(sessionId);

    const events = await h.events(paymentId);
    expect(events.map((event) => event.type)).toEqual(['PaymentStarted', 'TierStarted', 'ProcessorAttempted', 'ProcessorDeclined', 'ProcessorAttempted', 'ProcessorApproved', 'PaymentSucceeded']);
    expect(events[4].data).toMatchObject({ processor_id: optimizing, optimized: true, attempt: 2 });
    expect((await h.ledger.chargesFor(`${paymentId}:0:2`)).map((charge) => charge.outcome)).toEqual(['approved']);
  });

  it('records a processor that does not answer within its timeout_ms as timed out and fails over', async () => {
    const silent = await h.processor('Silent', { timeout_ms: 50, simulator: { outcome: 'timeout' } });
    const approving = await h.processor('Approving');
    const route = await h.route({ processors: [{ processor_id: silent }, { processor_id: approving }] });
    const sessionId = await h.session([{ amount: 5000 }], route);

    const paymentId = await h.pay(sessionId);

    const events = await h.events(paymentId);
    expect(events.map((event) => event.type)).toEqual(['PaymentStarted', 'TierStarted', 'ProcessorAttempted', 'ProcessorTimedOut', 'ProcessorAttempted', 'ProcessorApproved', 'PaymentSucceeded']);
    expect((events[3].data as { duration_ms: number }).duration_ms).toBeGreaterThanOrEqual(50);
  });

  it('fails a tier without a callable processor at once, recording each skip, when the account has no route', async () => {
    const euroOnly = await h.processor('Euro only', { supported_currencies: ['EUR'] });
    const sessionId = await h.session([{ amount: 5000 }]);

    const paymentId = await h.pay(sessionId);

    const events = await h.events(paymentId);
    expect(events.map((event) => event.type)).toEqual(['PaymentStarted', 'TierStarted', 'ProcessorSkipped', 'TierFailed', 'PaymentFailed']);
    expect(events[1].data).toMatchObject({ route_id: null, route_revision: null, candidate_order: [euroOnly] });
    expect(events[2].data).toMatchObject({ processor_id: euroOnly, reason: 'unsupported_currency' });
  });

  it('routes a tier with the route as it is when the tier starts, recording its revision', async () => {
    const approving = await h.processor('Approving');
    const route = await h.route({ processors: [{ processor_id: approving }] });
    const sessionId = await h.session([{ amount: 5000 }], route);
    await h.commands.execute(new UpdateRoute(h.accountId, route, { name: 'Renamed' }, {}));

    const paymentId = await h.pay(sessionId);

    expect((await h.events(paymentId))[1].data).toMatchObject({ route_id: route, route_revision: 2 });
  });

  it('counts each processor outcome and each finished payment once', async () => {
    const declining = await h.processor('Declining', { simulator: { outcome: 'decline' } });
    const down = await h.processor('Down', { status: 'unavailable' });
    const approving = await h.processor('Approving');
    const route = await h.route({ processors: [{ processor_id: declining }, { processor_id: down }, { processor_id: approving }] });

    await h.pay(await h.session([{ amount: 5000 }], route));

    expect(Object.fromEntries(h.metrics.counts)).toEqual({
      [`${declining}:declined`]: 1,
      [`${down}:skipped`]: 1,
      [`${approving}:approved`]: 1,
      'payments:succeeded': 1,
    });
  });

  it('joins the drive already running instead of starting a second one', async () => {
    const slow = await h.processor('Slow', { simulator: { latency_ms: 100 } });
    const sessionId = await h.session([{ amount: 5000 }], await h.route({ processors: [{ processor_id: slow }] }));

    const { paymentId, finished } = await h.attempt(sessionId);
    const again = h.module.get(PaymentCascade).drive(paymentId);

    expect(again).toBe(finished);
    await Promise.all([finished, again]);
    expect(await h.eventTypes(paymentId)).toEqual(['PaymentStarted', 'TierStarted', 'ProcessorAttempted', 'ProcessorApproved', 'PaymentSucceeded']);
  });

  describe('a step that fails for good', () => {
    /** Begins and starts a payment as a pay does, its tiers routed as `tiers` says, and drives it to its end. */
    async function payWith(sessionId: string, tiers: (session: Awaited<ReturnType<PaymentHarness['checkoutSession']>>) => PaymentTier[]): Promise<string> {
      const paymentId = `pay_stg_${Math.random().toString(36).slice(2)}`;
      await h.module.get(SessionPayments).begin(h.accountId, sessionId, paymentId, {});
      const { processorIds } = await h.module.get(AccountsReader).account(h.accountId);
      const start = { type: 'StartPayment' as const, paymentId, checkoutSessionId: sessionId, accountId: h.accountId, tiers: tiers(await h.checkoutSession(sessionId)), card: h.card(), binCountry: null, accountProcessorIds: processorIds };
      await runPaymentCommand(h.runner, start, {});
      await h.module.get(PaymentCascade).drive(paymentId);
      return paymentId;
    }

    it('ends the payment failed with processing_error and why when its tier names a route that cannot be read, and opens the session again', async () => {
      const sessionId = await h.session([{ amount: 5000 }], await h.route({ processors: [{ processor_id: await h.processor('Approving') }] }));

      const paymentId = await payWith(sessionId, (session) => paymentTiers(session, null).map((tier) => ({ ...tier, route_id: 'proute_stg_neverexisted' })));

      const events = await h.events(paymentId);
      expect(events.map((event) => event.type)).toEqual(['PaymentStarted', 'PaymentFailed']);
      expect(events[1].data).toMatchObject({
        failure_reason: 'processing_error',
        tier: 0,
        failure_detail: `step start_tier refused ${REFUSED_STEP_TRIES} times: route proute_stg_neverexisted of a payment of account ${h.accountId} does not exist`,
      });
      expect(h.metrics.counts.get('retry:start_tier')).toBe(REFUSED_STEP_TRIES - 1);
      expect(h.metrics.counts.get('payments:failed')).toBe(1);
      expect(await h.checkoutSession(sessionId)).toMatchObject({ status: 'open', activePaymentId: null, paymentIds: [paymentId] });
    });

    it('ends the payment failed when the processor of its call cannot be read as planned, and leaves that call in doubt', async () => {
      const approving = await h.processor('Approving');
      const sessionId = await h.session([{ amount: 5000 }], await h.route({ processors: [{ processor_id: approving }] }));
      const paymentId = `pay_stg_${Math.random().toString(36).slice(2)}`;
      await h.module.get(SessionPayments).begin(h.accountId, sessionId, paymentId, {});
      const session = await h.checkoutSession(sessionId);
      const { processorIds } = await h.module.get(AccountsReader).account(h.accountId);
      const tiers = paymentTiers(session, null);
      await runPaymentCommand(h.runner, { type: 'StartPayment', paymentId, checkoutSessionId: sessionId, accountId: h.accountId, tiers, card: h.card(), binCountry: null, accountProcessorIds: processorIds }, {});
      const routing = await h.module.get(TierRoutingResolver).resolve(h.accountId, tiers[0].route_id, { network: h.card().network, currency: tiers[0].currency });
      // A revision the processor's stream never reached: as if its stream had been cut short.
      await runPaymentCommand(h.runner, { type: 'StartNextTier', paymentId, tier: 0, routing: { ...routing, processor_revisions: { [approving]: 7 } } }, {});

      await h.module.get(PaymentCascade).drive(paymentId);

      const events = await h.events(paymentId);
      expect(events.map((event) => event.type)).toEqual(['PaymentStarted', 'TierStarted', 'ProcessorAttempted', 'PaymentFailed']);
      expect(events[3].data).toMatchObject({ failure_reason: 'processing_error', failure_detail: expect.stringContaining(`processor ${approving} of account ${h.accountId} cannot be read at revision 7`) });
      expect(paymentView(events)?.attempts).toMatchObject([{ processor_id: approving, outcome: null, resolution: 'unresolved' }]);
      expect(await h.ledger.chargesForPayment(paymentId)).toEqual([]);
    });
  });
});
