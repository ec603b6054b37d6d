import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEventStore, readStreamToArray } from '@payments/event-store';
import { setTimeout as sleep } from 'node:timers/promises';
import { DECLINED_05, PaymentShop, VISA, card } from './support/payment-shop';
import { TestClock } from './support/test-clock';
import { TestApp, bearer, startTestApp } from './support/test-app';

const HOUR_MS = 3_600_000;
const PAYMENT_FIELDS = [
  'id',
  'object',
  'checkout_session_id',
  'status',
  'amount',
  'amount_captured',
  'amount_refunded',
  'capture_method',
  'currency',
  'tier',
  'processor_id',
  'route_id',
  'route_revision',
  'auth_code',
  'response_code',
  'response_summary',
  'failure_reason',
  'source',
  'attempts',
  'routing',
  'created_at',
  'completed_at',
];

describe('payments over HTTP', () => {
  const clock = new TestClock();
  let t: TestApp;
  let shop: PaymentShop;

  beforeAll(async () => {
    t = await startTestApp({ CARD_FINGERPRINT_SECRET: 'e2e-fingerprint-secret-0123' }, { clock });
  });
  beforeEach(async () => {
    shop = await PaymentShop.open(t);
  });
  afterAll(() => t.close());

  describe('a payment that succeeds', () => {
    it('answers 201 with every field of the contract and completes the session', async () => {
      const processor = await shop.processor('Acme');
      const route = await shop.route([processor]);
      const sessionId = await shop.session([{ amount: 5000 }], route);

      const res = await shop.pay(sessionId).expect(201);

      expect(Object.keys(res.body)).toEqual(PAYMENT_FIELDS);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^pay_stg_[A-Za-z0-9]+$/),
        object: 'payment',
        checkout_session_id: sessionId,
        status: 'succeeded',
        amount: 5000,
        amount_captured: 5000,
        amount_refunded: 0,
        capture_method: 'automatic',
        currency: 'USD',
        tier: 0,
        processor_id: processor,
        route_id: route,
        route_revision: 1,
        auth_code: expect.stringMatching(/^[0-9A-Z]{6}$/),
        response_code: null,
        response_summary: 'Approved',
        failure_reason: null,
        source: {
          type: 'card',
          last4: '4242',
          bin: '424242',
          network: 'visa',
          fingerprint: createHmac('sha256', 'e2e-fingerprint-secret-0123').update(VISA).digest('hex'),
          // No BIN table imported in this app: every BIN is unknown.
          country: null,
          funding: 'unknown',
        },
        attempts: [{ tier: 0, processor_id: processor, kind: 'attempted', outcome: 'approved', optimized: false, code: null, reason: null, duration_ms: expect.any(Number), resolution: null }],
        // A priority route orders as listed: nothing else decided it.
        routing: [{ tier: 0, route_id: route, route_revision: 1, strategy: 'priority', order: [processor], why: {} }],
        created_at: expect.any(String),
        completed_at: expect.any(String),
      });
      expect((await shop.get(`/v1/payments/${res.body.id}`).expect(200)).body).toEqual(res.body);
      expect((await shop.get(`/v1/checkout/sessions/${sessionId}`).expect(200)).body).toMatchObject({ status: 'complete', payment_status: 'paid' });
    });

    it('lists its stored events with stream, revision, position, time, data and metadata', async () => {
      const sessionId = await shop.session([{ amount: 5000 }], await shop.route([await shop.processor('Acme')]));
      const payment = (await shop.pay(sessionId).set('X-Request-Id', 'req_paytrace').expect(201)).body;

      const { items } = (await shop.get(`/v1/payments/${payment.id}/events`).expect(200)).body;

      expect(items.map((event: { type: string }) => event.type)).toEqual(['PaymentStarted', 'TierStarted', 'ProcessorAttempted', 'ProcessorApproved', 'PaymentSucceeded']);
      expect(items[0]).toEqual({
        id: expect.stringMatching(/^evt_stg_[0-9a-f]{32}$/),
        type: 'PaymentStarted',
        stream: `payment-${payment.id}`,
        revision: 0,
        position: expect.any(Number),
        created_at: expect.any(String),
        data: expect.objectContaining({ payment_id: payment.id, checkout_session_id: sessionId, tiers: [{ index: 0, amount: 5000, currency: 'USD', route_id: payment.route_id }] }),
        metadata: { schema_version: 1, account_id: shop.account.id, correlation_id: 'req_paytrace', causation_id: 'req_paytrace', request_id: 'req_paytrace' },
      });
      expect(items.map((event: { revision: number }) => event.revision)).toEqual([0, 1, 2, 3, 4]);
      // The saga's steps carry on the request's correlation, each caused by the last event it read.
      expect(items[3].metadata).toMatchObject({ correlation_id: 'req_paytrace', causation_id: items[2].id });
      expect(items[4].metadata).toMatchObject({ correlation_id: 'req_paytrace', causation_id: items[2].id });
      const positions = items.map((event: { position: number }) => event.position);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    });

    it('releases the routes of the session, so a route it used can be deleted', async () => {
      const route = await shop.route([await shop.processor('Acme')]);
      const sessionId = await shop.session([{ amount: 5000 }], route);
      await t.http().delete(`/v1/processor-routes/${route}`).set(bearer(shop.account.secret)).expect(409);

      await shop.pay(sessionId).expect(201);

      await t.http().delete(`/v1/processor-routes/${route}`).set(bearer(shop.account.secret)).expect(204);
    });

    it('takes a publishable token', async () => {
      await shop.processor('Acme');
      const sessionId = await shop.session([{ amount: 5000 }]);

      const res = await shop.pay(sessionId, { payment_method: card() }, shop.account.publishable).expect(201);

      expect(res.body.status).toBe('succeeded');
      await shop.get(`/v1/payments/${res.body.id}`, shop.account.publishable).expect(403);
    });
  });

  describe('the cascade, as the events show it', () => {
    it('moves on from a decline, skips an unavailable processor and succeeds on the next', async () => {
      const declining = await shop.processor('Declining', { simulator: { outcome: 'decline', decline_code: '05' } });
      const down = await shop.processor('Down', { status: 'unavailable' });
      const approving = await shop.processor('Approving');
      const sessionId = await shop.session([{ amount: 5000 }], await shop.route([declining, down, approving]));

      const payment = (await shop.pay(sessionId).expect(201)).body;

      expect(await shop.eventTypes(payment.id)).toEqual([
        'PaymentStarted',
        'TierStarted',
        'ProcessorAttempted',
        'ProcessorDeclined',
        'ProcessorSkipped',
        'ProcessorAttempted',
        'ProcessorApproved',
        'PaymentSucceeded',
      ]);
      expect(payment.attempts.map((a: { processor_id: string; kind: string; outcome: string | null; reason: string | null }) => [a.processor_id, a.kind, a.outcome, a.reason])).toEqual([
        [declining, 'attempted', 'declined', null],
        [down, 'skipped', null, 'unavailable'],
        [approving, 'attempted', 'approved', null],
      ]);
    });

    it('ends the payment at a hard decline and leaves the session open', async () => {
      const hard = await shop.processor('Hard', { simulator: { outcome: 'decline', decline_code: '14' } });
      const never = await shop.processor('Never');
      const sessionId = await shop.session([{ amount: 5000 }, { amount: 2500 }], await shop.route([hard, never], { failover: { decline_codes: ['05', '51'] } }));

      const payment = (await shop.pay(sessionId).expect(201)).body;

      expect(payment).toMatchObject({ status: 'failed', failure_reason: 'hard_decline', response_code: '14', response_summary: 'Hard decline with code 14', tier: 0 });
      expect(await shop.eventTypes(payment.id)).toEqual(['PaymentStarted', 'TierStarted', 'ProcessorAttempted', 'ProcessorDeclined', 'TierFailed', 'PaymentFailed']);
      expect((await shop.get(`/v1/checkout/sessions/${sessionId}`).expect(200)).body).toMatchObject({ status: 'open', payment_status: 'unpaid' });
    });

    it('fails over to the next tier with its own amount and route', async () => {
      const firstRoute = await shop.route([await shop.processor('Declining', { simulator: { outcome: 'decline' } })]);
      const fallback = await shop.route([await shop.processor('Approving')]);
      const sessionId = await shop.session([
        { amount: 9900, route: firstRoute },
        { amount: 4900, route: fallback },
      ]);

      const payment = (await shop.pay(sessionId).expect(201)).body;

      expect(payment).toMatchObject({ status: 'succeeded', tier: 1, amount: 4900, route_id: fallback });
      expect(await shop.eventTypes(payment.id)).toEqual([
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
    });

    it('tries only the processors of routing.attempts', async () => {
      const a = await shop.processor('A');
      const b = await shop.processor('B');
      const sessionId = await shop.session([{ amount: 5000 }], await shop.route([a, b]));

      const payment = (await shop.pay(sessionId, { payment_method: card(), routing: { attempts: [{ processor_id: b }] } }).expect(201)).body;

      expect(payment).toMatchObject({ status: 'succeeded', processor_id: b });
      expect(payment.attempts).toEqual([expect.objectContaining({ processor_id: a, kind: 'skipped', reason: 'not_in_attempts' }), expect.objectContaining({ processor_id: b, outcome: 'approved' })]);
    });
  });

  describe('a failed payment', () => {
    it('leaves the session open, and a second pay can succeed', async () => {
      await shop.processor('Acme');
      const sessionId = await shop.session([{ amount: 5000 }]);

      const failed = (await shop.pay(sessionId, { payment_method: card(DECLINED_05) }).expect(201)).body;
      const succeeded = (await shop.pay(sessionId).expect(201)).body;

      expect(failed).toMatchObject({ status: 'failed', failure_reason: 'all_tiers_failed', response_code: '05' });
      expect(succeeded.status).toBe('succeeded');
      expect((await shop.get(`/v1/checkout/sessions/${sessionId}`).expect(200)).body).toMatchObject({ status: 'complete', payment_status: 'paid' });
    });
  });

  describe('refusals', () => {
    let sessionId: string;
    beforeEach(async () => {
      await shop.processor('Acme');
      sessionId = await shop.session([{ amount: 5000 }]);
    });

    const withCard = (changes: object) => ({ payment_method: { type: 'card', card: { ...card().card, ...changes } } });

    it.each([
      ['a number failing the Luhn check', { number: '4242424242424241' }, 'payment_method.card.number'],
      ['an expired card', { exp_month: 1, exp_year: 2020 }, 'payment_method.card.exp_year'],
      ['a number whose network cannot be told from its BIN', { number: '9999999999999995' }, 'payment_method.card.number'],
      ['an unknown network', { network: 'bitcoin' }, 'payment_method.card.network'],
      ['a cvc of two digits', { cvc: '12' }, 'payment_method.card.cvc'],
    ])('refuses %s with 422 naming the field', async (_, changes, field) => {
      const res = await shop.pay(sessionId, withCard(changes)).expect(422);

      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      expect(JSON.stringify(res.body)).not.toContain('4242424242424241');
    });

    it.each([
      ['two alike', { attempts: [{ network: 'visa' }, { network: 'visa' }] }, 'routing.attempts[1]'],
      ['none', { attempts: [] }, 'routing.attempts'],
      ['eleven', { attempts: Array.from({ length: 11 }, (_, i) => ({ network: i % 2 ? 'visa' : 'star' })) }, 'routing.attempts'],
      ['an unknown processor', { attempts: [{ processor_id: 'proc_stg_nope' }] }, 'routing.attempts[0].processor_id'],
      ['both a processor and a network', { attempts: [{ processor_id: 'proc_stg_nope', network: 'visa' }] }, 'routing.attempts[0]'],
    ])('refuses routing attempts naming %s with 422 and leaves the session untouched', async (_, routing, field) => {
      const res = await shop.pay(sessionId, { payment_method: card(), routing }).expect(422);

      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      expect((await shop.pay(sessionId).expect(201)).body.status).toBe('succeeded');
    });

    it.each([
      ['another payment method type', { payment_method: { type: 'bank', card: card().card } }],
      ['a card number that is not a string', { payment_method: { type: 'card', card: { ...card().card, number: 4242424242424242 } } }],
      ['no payment method', {}],
      ['a payment method without its card', { payment_method: { type: 'card' } }],
      ['an unknown property', { payment_method: card(), tip: 100 }],
    ])('refuses %s with 400', async (_, body) => {
      await shop.pay(sessionId, body).expect(400);
    });

    it('refuses to pay a paid session with 409', async () => {
      await shop.pay(sessionId).expect(201);

      const res = await shop.pay(sessionId).expect(409);

      expect(res.body.detail).toMatch(/already paid/);
    });

    it('refuses to pay an expired session with 410', async () => {
      await t.http().post(`/v1/checkout/sessions/${sessionId}/expire`).set(bearer(shop.account.secret)).expect(200);

      await shop.pay(sessionId).expect(410);
    });

    it('refuses to pay a session past its expires_at with 410, before any sweeper has expired it', async () => {
      const shortLived = await shop.session([{ amount: 5000 }], null, { expires_in_hours: 1 });
      clock.advance(HOUR_MS);
      try {
        await shop.pay(shortLived).expect(410);
      } finally {
        clock.advance(-HOUR_MS);
      }
    });

    it("answers 404 for another account's session and payment", async () => {
      const other = await PaymentShop.open(t);
      await other.processor('Theirs');
      const theirSession = await other.session([{ amount: 100 }]);
      const theirPayment = (await other.pay(theirSession).expect(201)).body.id;

      await shop.pay(theirSession).expect(404);
      await shop.get(`/v1/payments/${theirPayment}`).expect(404);
      await shop.get(`/v1/payments/${theirPayment}/events`).expect(404);
      await shop.get('/v1/payments/not_an_id').expect(404);
    });
  });

  describe('listing', () => {
    it('lists payments newest first, filtered by checkout session and by status, paginated', async () => {
      await shop.processor('Acme');
      const first = await shop.session([{ amount: 100 }]);
      const second = await shop.session([{ amount: 200 }]);
      const failed = (await shop.pay(first, { payment_method: card(DECLINED_05) }).expect(201)).body.id;
      const paidFirst = (await shop.pay(first).expect(201)).body.id;
      const paidSecond = (await shop.pay(second).expect(201)).body.id;
      const ids = async (query: string) => (await shop.get(`/v1/payments${query}`).expect(200)).body.items.map((p: { id: string }) => p.id);

      expect(await ids('')).toEqual([paidSecond, paidFirst, failed]);
      expect(await ids(`?checkout_session_id=${first}`)).toEqual([paidFirst, failed]);
      expect(await ids('?status=failed')).toEqual([failed]);
      expect(await ids(`?checkout_session_id=${first}&status=succeeded`)).toEqual([paidFirst]);
      expect((await shop.get('/v1/payments?limit=1&offset=1').expect(200)).body).toEqual({ items: [expect.objectContaining({ id: paidFirst })], total: 3, has_more: true });
      await shop.get('/v1/payments?status=pending').expect(400);
    });
  });

  it('never shows the card number or cvc in answers, events or lists', async () => {
    await shop.processor('Acme');
    const sessionId = await shop.session([{ amount: 5000 }]);
    const number = '5555555555554444';

    const paid = await shop.pay(sessionId, { payment_method: { type: 'card', card: { number, exp_month: 12, exp_year: 2040, cvc: '987' } } }).expect(201);
    const bodies = [paid.body, (await shop.get(`/v1/payments/${paid.body.id}`)).body, (await shop.get(`/v1/payments/${paid.body.id}/events`)).body, (await shop.get('/v1/payments')).body];

    for (const body of bodies) {
      const json = JSON.stringify(body);
      expect(json).not.toContain(number);
      expect(json).not.toContain('"cvc"');
      expect(json).not.toContain('"987"');
    }
  });

  it('replays the answer of a pay repeated with its Idempotency-Key instead of paying again', async () => {
    await shop.processor('Acme');
    const sessionId = await shop.session([{ amount: 5000 }]);

    const first = await shop.pay(sessionId).set('Idempotency-Key', 'pay-once').expect(201);
    const again = await shop.pay(sessionId).set('Idempotency-Key', 'pay-once').expect(201);

    expect(again.body).toEqual(first.body);
    expect((await shop.get(`/v1/payments?checkout_session_id=${sessionId}`).expect(200)).body.total).toBe(1);
  });

  it('counts finished payments and processor outcomes in /metrics', async () => {
    const declining = await shop.processor('Declining', { simulator: { outcome: 'decline' } });
    const approving = await shop.processor('Approving');
    await shop.pay(await shop.session([{ amount: 5000 }], await shop.route([declining, approving]))).expect(201);

    const metrics = (await t.http().get('/metrics').expect(200)).text;

    expect(metrics).toMatch(/payments_total\{status="succeeded"\} [1-9]/);
    expect(metrics).toContain(`processor_outcomes_total{processor_id="${declining}",outcome="declined"} 1`);
    expect(metrics).toContain(`processor_outcomes_total{processor_id="${approving}",outcome="approved"} 1`);
  });
});

describe('paying with a short PAY_WAIT_MS', () => {
  let t: TestApp;
  afterEach(() => t.close());

  it('answers processing while a slow processor works, and a later read shows the payment finished', async () => {
    t = await startTestApp({ PAY_WAIT_MS: '50' });
    const shop = await PaymentShop.open(t);
    await shop.processor('Slow', { simulator: { latency_ms: 600 } });
    const sessionId = await shop.session([{ amount: 5000 }]);

    const res = await shop.pay(sessionId).expect(201);

    expect(res.body).toMatchObject({ status: 'processing', completed_at: null, attempts: [expect.objectContaining({ kind: 'attempted', outcome: null })] });
    const deadline = Date.now() + 5000;
    let payment = res.body;
    while (payment.status === 'processing' && Date.now() < deadline) {
      await sleep(50);
      payment = (await shop.get(`/v1/payments/${res.body.id}`).expect(200)).body;
    }
    expect(payment).toMatchObject({ status: 'succeeded', completed_at: expect.any(String) });
  });
});

describe.each([
  ['in one process', {}],
  ['with Redis', { redis: true }],
])('concurrent pays of one session %s', (_, options) => {
  let t: TestApp;
  afterEach(() => t.close());

  it('run one payment: one 201 and nineteen 409', async () => {
    t = await startTestApp({}, options);
    const shop = await PaymentShop.open(t);
    await shop.processor('Acme', { simulator: { latency_ms: 20 } });
    const sessionId = await shop.session([{ amount: 5000 }]);

    const answers = await Promise.all(Array.from({ length: 20 }, () => shop.pay(sessionId)));

    expect(answers.map((res) => res.status).sort()).toEqual([201, ...Array(19).fill(409)]);
    const list = (await shop.get(`/v1/payments?checkout_session_id=${sessionId}`).expect(200)).body;
    expect(list.items.map((payment: { id: string; status: string }) => [payment.id, payment.status])).toEqual([[answers.find((res) => res.status === 201)!.body.id, 'succeeded']]);
  });
});

describe('a payment the service stopped in the middle of', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'payments-restart-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('is finished by the next start on the same data', async () => {
    const first = await startTestApp({ PAY_WAIT_MS: '0' }, { dataDir });
    const shop = await PaymentShop.open(first);
    await shop.processor('Slow', { simulator: { latency_ms: 300 } });
    const sessionId = await shop.session([{ amount: 5000 }]);
    const paymentId = (await shop.pay(sessionId).expect(201)).body.id;
    // Shutdown records the answer of the call under way, but takes no further step: the session is not told.
    await first.close();
    const store = createEventStore({ dataDir });
    const sessionEvents = (await readStreamToArray(store, `checkout_session-${sessionId}`)).map((event) => event.type);
    await store.close();
    expect(sessionEvents).not.toContain('CheckoutSessionCompleted');

    const second = await startTestApp({}, { dataDir });
    const get = (path: string) => second.http().get(path).set(bearer(shop.account.secret)).expect(200);
    try {
      const deadline = Date.now() + 5000;
      while ((await get(`/v1/checkout/sessions/${sessionId}`)).body.status !== 'complete' && Date.now() < deadline) await sleep(50);

      expect((await get(`/v1/payments/${paymentId}`)).body.status).toBe('succeeded');
      expect((await get(`/v1/checkout/sessions/${sessionId}`)).body).toMatchObject({ status: 'complete', payment_status: 'paid' });
    } finally {
      await second.close();
    }
  });
});
