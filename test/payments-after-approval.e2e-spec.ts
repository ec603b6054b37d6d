import { setTimeout as sleep } from 'node:timers/promises';
import { AUTHORIZATION_VALIDITY_MS } from '@payments/domain';
import { AfterApprovalSweeper, OperationDriver, ProjectionsService, SIMULATOR_LEDGER } from '@payments/orchestration';
import { SimulatorLedger } from '@payments/processors';
import { paymentOperations } from '@payments/read-models/projections/payment-operations';
import { run } from '../apps/cli/src/main';
import { HttpProcessor } from './support/http-processor';
import { OpenApiContract } from './support/openapi-contract';
import { PaymentShop } from './support/payment-shop';
import { TestClock } from './support/test-clock';
import { TestApp, bearer, startTestApp } from './support/test-app';
import { WebhookReceiver } from './support/webhook-receiver';

interface StoredEvent {
  type: string;
  position: number;
  data: Record<string, unknown>;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(50);
  }
}

/** A merchant with one approving processor, paying sessions of either capture method. */
class Merchant {
  private constructor(
    readonly shop: PaymentShop,
    readonly processorId: string,
    private readonly route: string,
  ) {}

  static async open(t: TestApp, simulator: object = {}): Promise<Merchant> {
    const shop = await PaymentShop.open(t);
    const processorId = await shop.processor('Approver', { simulator: { outcome: 'approve', ...simulator } });
    return new Merchant(shop, processorId, await shop.route([processorId]));
  }

  get t() {
    return this.shop.t;
  }

  post(path: string, body?: object) {
    const request = this.t.http().post(path).set(bearer(this.shop.account.secret));
    return body === undefined ? request : request.send(body);
  }

  /** A paid session of the capture method (null: the session names none): manual answers requires_capture, automatic succeeded. */
  async payment(amount: number, captureMethod: 'manual' | 'automatic' | null = 'manual') {
    return (await this.pay(amount, captureMethod)).body;
  }

  async pay(amount: number, captureMethod: 'manual' | 'automatic' | null) {
    const sessionId = await this.shop.session([{ amount }], this.route, captureMethod === null ? {} : { capture_method: captureMethod });
    return this.shop.pay(sessionId).expect(201);
  }

  async eventsOf(paymentId: string): Promise<StoredEvent[]> {
    return (await this.shop.get(`/v1/payments/${paymentId}/events`).expect(200)).body.items;
  }

  /** The simulated processor's record of the payment's approved charge. */
  async charge(paymentId: string) {
    const charges = (await this.ledger().chargesForPayment(paymentId)).filter((charge) => charge.approved);
    expect(charges).toHaveLength(1);
    return charges[0];
  }

  ledger(): SimulatorLedger {
    return this.t.app.get(SIMULATOR_LEDGER);
  }

  patchProcessor(simulator: object) {
    return this.t.http().patch(`/v1/processors/${this.processorId}`).set(bearer(this.shop.account.secret)).send({ simulator: { outcome: 'approve', ...simulator } }).expect(200);
  }
}

describe.each([
  ['SQLite', false],
  ['Redis', true],
])('after the approval, on %s', (_name, redis) => {
  let t: TestApp;
  let merchant: Merchant;
  let contract: OpenApiContract;
  const misfit = (method: string, path: string, res: { status: number; headers: Record<string, string>; body: unknown }) => contract.responseErrors(method, path, res);

  beforeAll(async () => {
    t = await startTestApp({}, { redis });
    contract = new OpenApiContract((await t.http().get('/docs-json').expect(200)).body);
  });
  beforeEach(async () => {
    merchant = await Merchant.open(t);
  });
  afterAll(() => t.close());

  describe('capture_method', () => {
    it('is shown on the session, automatic by default, manual when asked for in JSON or in a form', async () => {
      const product = await merchant.shop.create('/v1/products', { name: 'Plan' });
      const price = await merchant.shop.create('/v1/prices', { product_id: product, unit_amount: 900, currency: 'USD' });
      const base = { line_items: [{ price_id: price, quantity: 1 }], success_url: 'https://shop.example/ok' };
      const automatic = await merchant.post('/v1/checkout/sessions', base).expect(201);
      const manual = await merchant.post('/v1/checkout/sessions', { ...base, capture_method: 'manual' }).expect(201);
      const form = await merchant
        .post('/v1/checkout/sessions')
        .type('form')
        .send(`line_items[0][price_id]=${price}&line_items[0][quantity]=1&success_url=https%3A%2F%2Fshop.example%2Fok&capture_method=manual`)
        .expect(201);

      expect([automatic.body.capture_method, manual.body.capture_method, form.body.capture_method]).toEqual(['automatic', 'manual', 'manual']);
      expect(misfit('POST', '/v1/checkout/sessions', form)).toEqual([]);
      expect((await merchant.shop.get(`/v1/checkout/sessions/${manual.body.id}`).expect(200)).body.capture_method).toBe('manual');
      const created = await merchant.shop.get('/v1/events?type=CheckoutSessionCreated&limit=100').expect(200);
      const recorded = created.body.items.filter((event: StoredEvent) => [automatic.body.id, manual.body.id].includes(event.data.session_id));
      expect(recorded.map((event: StoredEvent) => event.data.capture_method)).toEqual(['automatic', 'manual']);
      const wrong = await merchant.post('/v1/checkout/sessions', { ...base, capture_method: 'later' }).expect(400);
      expect(wrong.body.errors).toEqual([expect.objectContaining({ field: 'capture_method' })]);
    });

    it('makes a manual payment an authorization: requires_capture, nothing captured, the session complete, the processor holding the amount', async () => {
      const paid = await merchant.pay(5000, 'manual');
      const payment = paid.body;

      expect(payment).toMatchObject({ status: 'requires_capture', capture_method: 'manual', amount: 5000, amount_captured: 0, amount_refunded: 0, processor_id: merchant.processorId });
      expect(misfit('POST', '/v1/checkout/sessions/{id}/pay', paid)).toEqual([]);
      expect((await merchant.shop.get(`/v1/checkout/sessions/${payment.checkout_session_id}`).expect(200)).body).toMatchObject({ status: 'complete', payment_status: 'paid' });
      expect((await merchant.eventsOf(payment.id)).map((event) => event.type).slice(-2)).toEqual(['ProcessorApproved', 'PaymentAuthorized']);
      expect((await merchant.eventsOf(payment.id))[0].data.capture_method).toBe('manual');
      expect(await merchant.charge(payment.id)).toMatchObject({ captureMethod: 'manual', capturedAmount: 0, voided: false });
      const listed = await merchant.shop.get(`/v1/payments?status=requires_capture&checkout_session_id=${payment.checkout_session_id}`).expect(200);
      expect(listed.body.items.map((item: { id: string }) => item.id)).toEqual([payment.id]);
    });

    it('keeps an automatic payment a sale, captured with its approval', async () => {
      const payment = await merchant.payment(5000, null);

      expect(payment).toMatchObject({ status: 'succeeded', capture_method: 'automatic', amount_captured: 5000, amount_refunded: 0 });
      expect(await merchant.charge(payment.id)).toMatchObject({ captureMethod: 'automatic', capturedAmount: 5000 });
    });
  });

  describe('capture', () => {
    it('captures all that was authorized: 200, succeeded, amount_captured; a second capture is 409', async () => {
      const payment = await merchant.payment(5000);

      const captured = await merchant.post(`/v1/payments/${payment.id}/capture`).expect(200);

      expect(captured.body).toMatchObject({ id: payment.id, status: 'succeeded', amount: 5000, amount_captured: 5000 });
      expect(misfit('POST', '/v1/payments/{id}/capture', captured)).toEqual([]);
      expect((await merchant.shop.get(`/v1/payments/${payment.id}`).expect(200)).body).toEqual(captured.body);
      expect(await merchant.charge(payment.id)).toMatchObject({ capturedAmount: 5000 });
      const again = await merchant.post(`/v1/payments/${payment.id}/capture`, {}).expect(409);
      expect(again.body.detail).toMatch(/is succeeded: only a payment in requires_capture can be captured/);
      expect(misfit('POST', '/v1/payments/{id}/capture', again)).toEqual([]);
      const events = await merchant.eventsOf(payment.id);
      expect(events.map((event) => event.type).slice(-2)).toEqual(['PaymentCaptureRequested', 'PaymentCaptured']);
      expect(events.at(-2)!.data).toMatchObject({ idempotency_key: `${payment.id}:capture:1`, amount: 5000, processor_id: merchant.processorId });
      const operations = await merchant.ledger().operationsFor(`${payment.id}:capture:1`);
      expect(operations).toEqual([expect.objectContaining({ kind: 'capture', outcome: 'succeeded', amount: 5000, requestCount: 1 })]);
    });

    it('captures part of an authorization, and refuses more than authorized with 422 on the amount field', async () => {
      const payment = await merchant.payment(5000);

      const tooMuch = await merchant.post(`/v1/payments/${payment.id}/capture`, { amount: 5001 }).expect(422);
      expect(tooMuch.body.errors).toEqual([{ field: 'amount', message: 'must be a whole number from 1 to 5000 (minor units)' }]);
      await merchant.post(`/v1/payments/${payment.id}/capture`, { amount: '100' }).expect(400);
      const captured = await merchant.post(`/v1/payments/${payment.id}/capture`, { amount: 1200 }).expect(200);

      expect(captured.body).toMatchObject({ status: 'succeeded', amount: 5000, amount_captured: 1200 });
      expect(await merchant.charge(payment.id)).toMatchObject({ capturedAmount: 1200 });
      await merchant.post(`/v1/payments/${payment.id}/capture`, { amount: 100 }).expect(409);
    });

    it('replays the answer to a repeated Idempotency-Key, capturing once', async () => {
      const payment = await merchant.payment(3000);
      const send = () => merchant.post(`/v1/payments/${payment.id}/capture`).set('Idempotency-Key', `capture-${payment.id}`).send({ amount: 3000 });

      const first = await send().expect(200);
      const second = await send().expect(200);

      expect(second.text).toBe(first.text);
      expect((await merchant.eventsOf(payment.id)).filter((event) => event.type === 'PaymentCaptureRequested')).toHaveLength(1);
    });

    it('refuses a sale, and hides another account’s payment', async () => {
      const sale = await merchant.payment(3000, 'automatic');
      await merchant.post(`/v1/payments/${sale.id}/capture`).expect(409);
      const other = await Merchant.open(t);
      const held = await other.payment(3000);
      const hidden = await merchant.post(`/v1/payments/${held.id}/capture`).expect(404);
      expect(misfit('POST', '/v1/payments/{id}/capture', hidden)).toEqual([]);
      await merchant.post(`/v1/payments/pay_stg_missing/void`).expect(404);
    });
  });

  describe('void', () => {
    it('voids an authorization: 200 canceled, the hold released; voiding or capturing it again is 409, and so is voiding a sale', async () => {
      const payment = await merchant.payment(5000);

      const voided = await merchant.post(`/v1/payments/${payment.id}/void`).expect(200);

      expect(voided.body).toMatchObject({ status: 'canceled', amount_captured: 0 });
      expect(misfit('POST', '/v1/payments/{id}/void', voided)).toEqual([]);
      expect(await merchant.charge(payment.id)).toMatchObject({ voided: true, capturedAmount: 0 });
      expect((await merchant.eventsOf(payment.id)).map((event) => event.type).slice(-2)).toEqual(['PaymentVoidRequested', 'PaymentVoided']);
      await merchant.post(`/v1/payments/${payment.id}/void`).expect(409);
      await merchant.post(`/v1/payments/${payment.id}/capture`).expect(409);
      await merchant.post(`/v1/payments/${payment.id}/refunds`, {}).expect(409);
      const sale = await merchant.payment(5000, 'automatic');
      expect((await merchant.post(`/v1/payments/${sale.id}/void`).expect(409)).body.detail).toMatch(/is succeeded/);
    });
  });

  describe('refunds', () => {
    it('refunds in parts, several times, up to amount_captured; more is 422; each is listed and read by id', async () => {
      const payment = await merchant.payment(5000, 'automatic');

      const first = await merchant.post(`/v1/payments/${payment.id}/refunds`, { amount: 2000, reason: 'requested_by_customer' }).expect(201);
      const second = await merchant.post(`/v1/payments/${payment.id}/refunds`, { amount: 1000 }).expect(201);
      const over = await merchant.post(`/v1/payments/${payment.id}/refunds`, { amount: 2001 }).expect(422);
      const rest = await merchant.post(`/v1/payments/${payment.id}/refunds`, {}).expect(201);

      expect(first.body).toEqual({
        id: expect.stringMatching(/^re_stg_[A-Za-z0-9]+$/),
        object: 'refund',
        payment_id: payment.id,
        amount: 2000,
        currency: 'USD',
        status: 'succeeded',
        reason: 'requested_by_customer',
        processor_id: merchant.processorId,
        failure_code: null,
        created_at: expect.any(String),
      });
      expect(misfit('POST', '/v1/payments/{id}/refunds', first)).toEqual([]);
      expect(over.body.detail).toMatch(/at most 2000 USD can be refunded .*\(captured 5000, refunded 3000, pending 0\)/);
      expect(misfit('POST', '/v1/payments/{id}/refunds', over)).toEqual([]);
      expect(rest.body).toMatchObject({ amount: 2000, status: 'succeeded', reason: null });
      await merchant.post(`/v1/payments/${payment.id}/refunds`, {}).expect(422);
      await merchant.post(`/v1/payments/${payment.id}/refunds`, { reason: 'changed my mind' }).expect(400);

      const shown = await merchant.shop.get(`/v1/payments/${payment.id}`).expect(200);
      expect(shown.body).toMatchObject({ status: 'succeeded', amount_captured: 5000, amount_refunded: 5000 });
      const listed = await merchant.shop.get(`/v1/payments/${payment.id}/refunds?limit=2`).expect(200);
      expect(listed.body).toEqual({ items: [rest.body, second.body], total: 3, has_more: true });
      expect(misfit('GET', '/v1/payments/{id}/refunds', listed)).toEqual([]);
      const next = await merchant.shop.get(`/v1/payments/${payment.id}/refunds?limit=2&offset=2`).expect(200);
      expect(next.body).toEqual({ items: [first.body], total: 3, has_more: false });
      const badLimit = await merchant.shop.get(`/v1/payments/${payment.id}/refunds?limit=0`).expect(400);
      expect(misfit('GET', '/v1/payments/{id}/refunds', badLimit)).toEqual([]);
      const one = await merchant.shop.get(`/v1/refunds/${second.body.id}`).expect(200);
      expect(one.body).toEqual(second.body);
      expect(misfit('GET', '/v1/refunds/{id}', one)).toEqual([]);
      expect(await merchant.charge(payment.id)).toMatchObject({ capturedAmount: 5000, refundedAmount: 5000 });

      const other = await Merchant.open(t);
      const hidden = await other.shop.get(`/v1/refunds/${second.body.id}`).expect(404);
      expect(misfit('GET', '/v1/refunds/{id}', hidden)).toEqual([]);
      await other.shop.get(`/v1/payments/${payment.id}/refunds`).expect(404);
      await merchant.shop.get('/v1/refunds/re_stg_missing').expect(404);
      await merchant.shop.get('/v1/refunds/pay_stg_missing').expect(404);
    });

    it('answers a refund the processor refuses as failed with its code, refunding nothing, and takes the amount again once it accepts', async () => {
      const payment = await merchant.payment(5000, 'automatic');
      await merchant.patchProcessor({ refund_outcome: 'fail' });

      const failed = await merchant.post(`/v1/payments/${payment.id}/refunds`, { amount: 5000 }).expect(201);

      expect(failed.body).toMatchObject({ status: 'failed', failure_code: 'refund_declined', amount: 5000 });
      expect((await merchant.shop.get(`/v1/payments/${payment.id}`).expect(200)).body.amount_refunded).toBe(0);
      expect((await merchant.eventsOf(payment.id)).at(-1)).toMatchObject({ type: 'RefundFailed', data: { refund_id: failed.body.id, code: 'refund_declined' } });
      await merchant.patchProcessor({ refund_outcome: 'succeed' });
      const succeeded = await merchant.post(`/v1/payments/${payment.id}/refunds`, { amount: 5000 }).expect(201);
      expect(succeeded.body.status).toBe('succeeded');
      expect((await merchant.shop.get(`/v1/refunds/${failed.body.id}`).expect(200)).body.status).toBe('failed');
    });

    it('replays the answer to a repeated Idempotency-Key, refunding once', async () => {
      const payment = await merchant.payment(3000, 'automatic');
      const send = () => merchant.post(`/v1/payments/${payment.id}/refunds`).set('Idempotency-Key', `refund-${payment.id}`).send({ amount: 1000 });

      const first = await send().expect(201);
      const second = await send().expect(201);

      expect(second.text).toBe(first.text);
      expect(second.headers['idempotent-replayed']).toBe('true');
      expect((await merchant.shop.get(`/v1/payments/${payment.id}/refunds`).expect(200)).body.total).toBe(1);
      expect((await merchant.shop.get(`/v1/payments/${payment.id}`).expect(200)).body.amount_refunded).toBe(1000);
    });

    it('refunds only what a partial capture took, and refuses an authorization not captured with 409', async () => {
      const payment = await merchant.payment(5000);
      expect((await merchant.post(`/v1/payments/${payment.id}/refunds`, {}).expect(409)).body.detail).toMatch(/requires_capture: capture it first, or void it/);
      await merchant.post(`/v1/payments/${payment.id}/capture`, { amount: 1500 }).expect(200);
      await merchant.post(`/v1/payments/${payment.id}/refunds`, { amount: 1501 }).expect(422);
      expect((await merchant.post(`/v1/payments/${payment.id}/refunds`, {}).expect(201)).body).toMatchObject({ amount: 1500, status: 'succeeded' });
    });

    it('sends a refund whose answer was lost again under the same key, never recording it as failed, and counts the retry', async () => {
      const payment = await merchant.payment(5000, 'automatic');
      // The processor records the refund and answers after 200 ms, but the service waits 50: an answer that says nothing.
      await t.http().patch(`/v1/processors/${merchant.processorId}`).set(bearer(merchant.shop.account.secret)).send({ timeout_ms: 50, simulator: { outcome: 'approve', latency_ms: 200 } }).expect(200);

      const refund = await merchant.post(`/v1/payments/${payment.id}/refunds`, { amount: 700 }).expect(201);

      expect(refund.body).toMatchObject({ status: 'succeeded', amount: 700 });
      expect((await merchant.eventsOf(payment.id)).map((event) => event.type).slice(-2)).toEqual(['RefundRequested', 'RefundSucceeded']);
      expect(await merchant.ledger().operationsFor(refund.body.id)).toEqual([expect.objectContaining({ kind: 'refund', outcome: 'succeeded', amount: 700, requestCount: 2 })]);
      const metrics = await t.http().get('/metrics').expect(200);
      expect(metrics.text).toMatch(/payment_operation_retries_total\{kind="refund"\} [1-9]/);
      expect(metrics.text).toMatch(/payment_operations_total\{kind="refund",outcome="succeeded"\} [1-9]/);
    });

    it('gives exactly ten succeeded refunds out of twenty concurrent ones of 10 % each, never refunding more than was captured', async () => {
      const payment = await merchant.payment(10_000, 'automatic');

      const answers = await Promise.all(Array.from({ length: 20 }, () => merchant.post(`/v1/payments/${payment.id}/refunds`, { amount: 1000 })));

      expect(answers.map((answer) => answer.status).sort()).toEqual([...Array(10).fill(201), ...Array(10).fill(422)]);
      expect(answers.filter((answer) => answer.status === 201).map((answer) => answer.body.status)).toEqual(Array(10).fill('succeeded'));
      expect((await merchant.shop.get(`/v1/payments/${payment.id}`).expect(200)).body).toMatchObject({ amount_captured: 10_000, amount_refunded: 10_000 });
      const listed = await merchant.shop.get(`/v1/payments/${payment.id}/refunds?limit=100`).expect(200);
      expect(listed.body.items.map((refund: { status: string }) => refund.status)).toEqual(Array(10).fill('succeeded'));
      const charge = await merchant.charge(payment.id);
      expect(charge).toMatchObject({ capturedAmount: 10_000, refundedAmount: 10_000 });
      const refunds = (await merchant.ledger().operationsOn(merchant.processorId, charge.idempotencyKey)).filter((operation) => operation.kind === 'refund');
      expect(refunds.map((operation) => [operation.outcome, operation.amount, operation.requestCount])).toEqual(Array(10).fill(['succeeded', 1000, 1]));
    });
  });

  it('delivers payment.requires_capture, payment.captured, payment.canceled, refund.succeeded and refund.failed, each with the object as the API shows it', async () => {
    const receiver = await WebhookReceiver.start();
    try {
      await merchant.post('/v1/webhook-endpoints', { url: receiver.url, events: ['payment.requires_capture', 'payment.captured', 'payment.canceled', 'refund.succeeded', 'refund.failed'] }).expect(201);
      const captured = await merchant.payment(4000);
      await merchant.post(`/v1/payments/${captured.id}/capture`).expect(200);
      const voided = await merchant.payment(3000);
      await merchant.post(`/v1/payments/${voided.id}/void`).expect(200);
      const refund = (await merchant.post(`/v1/payments/${captured.id}/refunds`, { amount: 1000 }).expect(201)).body;
      await merchant.patchProcessor({ refund_outcome: 'fail' });
      const refused = (await merchant.post(`/v1/payments/${captured.id}/refunds`, { amount: 1000 }).expect(201)).body;

      const received = await receiver.waitFor(6);
      const byType = (type: string) => received.filter((webhook) => webhook.json.type === type).map((webhook) => webhook.json.data);
      const shown = async (path: string) => (await merchant.shop.get(path).expect(200)).body;
      expect(byType('payment.requires_capture').map((data) => [data.id, data.status])).toEqual([
        [captured.id, 'requires_capture'],
        [voided.id, 'requires_capture'],
      ]);
      expect(byType('payment.captured')).toEqual([expect.objectContaining({ id: captured.id, status: 'succeeded', amount_captured: 4000, amount_refunded: 0 })]);
      expect(byType('payment.canceled')).toEqual([await shown(`/v1/payments/${voided.id}`)]);
      expect(byType('refund.succeeded')).toEqual([refund]);
      expect(byType('refund.failed')).toEqual([await shown(`/v1/refunds/${refused.id}`)]);
      expect(byType('refund.failed')[0]).toMatchObject({ status: 'failed', failure_code: 'refund_declined' });
      for (const webhook of received) expect(contract.errorsOf({ $ref: `#/components/schemas/${webhook.json.type.startsWith('refund') ? 'Refund' : 'Payment'}` }, webhook.json.data)).toEqual([]);
    } finally {
      await receiver.close();
    }
  });

  it('has the replay of a payment derive every decision again without a difference, the operations after the approval included', async () => {
    const payment = await merchant.payment(5000);
    await merchant.post(`/v1/payments/${payment.id}/capture`, { amount: 4000 }).expect(200);
    await merchant.post(`/v1/payments/${payment.id}/refunds`, { amount: 1000 }).expect(201);
    await merchant.patchProcessor({ refund_outcome: 'fail' });
    expect((await merchant.post(`/v1/payments/${payment.id}/refunds`, { amount: 500 }).expect(201)).body.status).toBe('failed');
    const voided = await merchant.payment(2000);
    await merchant.post(`/v1/payments/${voided.id}/void`).expect(200);

    for (const id of [payment.id, voided.id]) {
      const out: string[] = [];
      const code = await run(['replay', 'payment', id], { out: async (line) => void out.push(line), err: { isTTY: false, write: () => true }, env: { DATA_DIR: t.dataDir } });
      expect([id, out.at(-1), code]).toEqual([id, 'No difference.', 0]);
      expect(out.join('\n')).toMatch(id === payment.id ? /Captured 4000 USD[\s\S]*Refund re_stg_\w+ of 1000 USD succeeded[\s\S]*Refund re_stg_\w+ of 500 USD failed \(refund_declined\)/ : /Voided/);
    }
  });
});

describe.each([
  ['SQLite', false],
  ['Redis', true],
])('an authorization not captured within 7 days, on %s', (_name, redis) => {
  const clock = new TestClock();
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({}, { clock, redis });
  });
  afterAll(() => t.close());

  /**
   * One sweep of the service's own sweeper once its read model has every event so far, then the
   * drive of what it requested to its end: deterministic, where waiting for the once-a-second
   * sweeps would only say that none had come yet.
   */
  async function sweepNow(merchant: Merchant, paymentIds: string[]): Promise<void> {
    const positions = await Promise.all(paymentIds.map(async (id) => BigInt((await merchant.eventsOf(id)).at(-1)!.position as number)));
    const last = positions.reduce((max, position) => (position > max ? position : max));
    expect(await t.app.get(ProjectionsService).waitFor(last, 10_000, [paymentOperations])).toBe(true);
    await t.app.get(AfterApprovalSweeper).sweep();
    await Promise.all(paymentIds.map((id) => t.app.get(OperationDriver).drive(id)));
  }

  it('is voided by the service: AuthorizationExpired, the payment canceled, the hold released at the processor, payment.canceled delivered', async () => {
    const merchant = await Merchant.open(t);
    const receiver = await WebhookReceiver.start();
    try {
      await merchant.post('/v1/webhook-endpoints', { url: receiver.url, events: ['payment.canceled'] }).expect(201);
      const old = await merchant.payment(5000);
      clock.advance(AUTHORIZATION_VALIDITY_MS - 60_000);
      await sweepNow(merchant, [old.id]);
      // One minute short of the week, the sweep leaves it alone.
      expect((await merchant.shop.get(`/v1/payments/${old.id}`).expect(200)).body.status).toBe('requires_capture');
      expect((await merchant.eventsOf(old.id)).map((event) => event.type)).not.toContain('PaymentVoidRequested');
      const younger = await merchant.payment(3000);

      clock.advance(2 * 60_000);
      await sweepNow(merchant, [old.id, younger.id]);

      const expired = (await merchant.shop.get(`/v1/payments/${old.id}`).expect(200)).body;
      expect(expired).toMatchObject({ status: 'canceled', amount_captured: 0 });
      const events = await merchant.eventsOf(old.id);
      expect(events.map((event) => event.type).slice(-2)).toEqual(['PaymentVoidRequested', 'AuthorizationExpired']);
      expect(events.at(-2)!.data).toMatchObject({ reason: 'expired', idempotency_key: `${old.id}:void:1` });
      expect(await merchant.charge(old.id)).toMatchObject({ voided: true });
      expect((await merchant.shop.get(`/v1/payments/${younger.id}`).expect(200)).body.status).toBe('requires_capture');
      expect(await merchant.charge(younger.id)).toMatchObject({ voided: false });
      await merchant.post(`/v1/payments/${old.id}/capture`).expect(409);
      const [webhook] = await receiver.waitFor(1);
      expect(webhook.json).toMatchObject({ type: 'payment.canceled', data: expired });
    } finally {
      await receiver.close();
    }
  });
});

describe('after the approval, with a processor over HTTP that holds its answers until told', () => {
  let t: TestApp;
  let contract: OpenApiContract;
  let processor: HttpProcessor;
  let shop: PaymentShop;
  let route: string;
  const misfit = (method: string, path: string, res: { status: number; headers: Record<string, string>; body: unknown }) => contract.responseErrors(method, path, res);
  const post = (path: string, body: object = {}) => t.http().post(path).set(bearer(shop.account.secret)).send(body);
  const get = (path: string) => shop.get(path).expect(200).then((res) => res.body);
  const eventsOf = async (paymentId: string): Promise<StoredEvent[]> => (await get(`/v1/payments/${paymentId}/events`)).items;
  /** A payment once its cascade has ended: the short PAY_WAIT_MS may answer a slow run `processing`. */
  const pay = async (amount: number, captureMethod: 'manual' | 'automatic') => {
    const { id } = (await shop.pay(await shop.session([{ amount }], route, { capture_method: captureMethod })).expect(201)).body;
    return until('the payment has ended', async () => {
      const payment = await get(`/v1/payments/${id}`);
      return payment.status === 'processing' ? undefined : payment;
    });
  };
  const held = (path: 'refunds' | 'captures') => until(`the processor holds a call to ${path}`, async () => processor.holds(path) || undefined);

  beforeAll(async () => {
    // A short wait, so that a request the processor holds is answered as pending soon; what the processor holds is certainly not answered.
    t = await startTestApp({ PAY_WAIT_MS: '300' });
    contract = new OpenApiContract((await t.http().get('/docs-json').expect(200)).body);
  });
  beforeEach(async () => {
    processor = await HttpProcessor.start();
    shop = await PaymentShop.open(t);
    const processorId = await shop.create('/v1/processors', { name: 'Gateway', connector: 'http', timeout_ms: 60_000, http: { url: processor.url, secret: 'whsec_0123456789abcdef' } });
    route = await shop.route([processorId]);
  });
  afterEach(() => processor.close());
  afterAll(() => t.close());

  it('queues a refund asked for while another of the payment is pending: sent only once the first is answered, each once, in order', async () => {
    const payment = await pay(5000, 'automatic');
    processor.answer('refunds', 'hold');

    const first = await post(`/v1/payments/${payment.id}/refunds`, { amount: 1000 }).expect(201);
    const second = await post(`/v1/payments/${payment.id}/refunds`, { amount: 1500 }).expect(201);

    expect([first.body.status, second.body.status]).toEqual(['pending', 'pending']);
    expect(misfit('POST', '/v1/payments/{id}/refunds', second)).toEqual([]);
    // The processor holds the first; the second waits behind it, its amount reserved.
    await held('refunds');
    expect(processor.keysOf('refunds')).toEqual([first.body.id]);
    expect((await get(`/v1/refunds/${second.body.id}`)).status).toBe('pending');
    const over = await post(`/v1/payments/${payment.id}/refunds`, { amount: 2501 }).expect(422);
    expect(over.body.detail).toMatch(/\(captured 5000, refunded 0, pending 2500\)/);
    expect((await get(`/v1/payments/${payment.id}`)).amount_refunded).toBe(0);

    processor.release('refunds');

    await until('both refunds succeed', async () => ((await get(`/v1/refunds/${second.body.id}`)).status === 'succeeded' ? true : undefined));
    expect((await get(`/v1/refunds/${first.body.id}`)).status).toBe('succeeded');
    expect(processor.keysOf('refunds')).toEqual([first.body.id, second.body.id]);
    expect(processor.calls.filter((call) => call.path === 'refunds').map((call) => call.body.amount)).toEqual([1000, 1500]);
    expect((await get(`/v1/payments/${payment.id}`)).amount_refunded).toBe(2500);
    const refundEvents = (await eventsOf(payment.id)).filter((event) => event.type.startsWith('Refund')).map((event) => [event.type, event.data.refund_id]);
    expect(refundEvents).toEqual([
      ['RefundRequested', first.body.id],
      ['RefundRequested', second.body.id],
      ['RefundSucceeded', first.body.id],
      ['RefundSucceeded', second.body.id],
    ]);
  });

  it('answers a capture the processor has not answered with 503 processor_pending and Retry-After, and finishes it under the same key once it answers', async () => {
    const payment = await pay(5000, 'manual');
    processor.answer('captures', 'hold');

    const pending = await post(`/v1/payments/${payment.id}/capture`, { amount: 3000 }).expect(503);

    expect(pending.headers['retry-after']).toBe('5');
    expect(pending.body).toMatchObject({ type: expect.stringMatching(/\/processor-pending$/), status: 503, detail: expect.stringMatching(/has not answered the capture yet/) });
    expect(misfit('POST', '/v1/payments/{id}/capture', pending)).toEqual([]);
    expect(await get(`/v1/payments/${payment.id}`)).toMatchObject({ status: 'requires_capture', amount_captured: 0 });
    // The same capture asked again joins the one under way; a void meanwhile is refused.
    await post(`/v1/payments/${payment.id}/capture`, { amount: 3000 }).expect(503);
    await held('captures');
    expect((await post(`/v1/payments/${payment.id}/void`).expect(409)).body.detail).toMatch(/a capture of payment \S+ is in progress/);
    expect(processor.keysOf('captures')).toEqual([`${payment.id}:capture:1`]);

    processor.release('captures');

    const captured = await until('the capture is recorded', async () => {
      const shown = await get(`/v1/payments/${payment.id}`);
      return shown.status === 'succeeded' ? shown : undefined;
    });
    expect(captured).toMatchObject({ amount_captured: 3000 });
    const authorized = (await eventsOf(payment.id)).find((event) => event.type === 'PaymentAuthorized')!;
    expect(processor.calls).toEqual([
      { path: 'captures', idempotencyKey: `${payment.id}:capture:1`, body: { authorization_key: authorized.data.authorization_key, auth_code: 'HTTP01', amount: 3000, currency: 'USD' } },
    ]);
    expect((await eventsOf(payment.id)).filter((event) => event.type.startsWith('PaymentCapture')).map((event) => event.type)).toEqual(['PaymentCaptureRequested', 'PaymentCaptured']);
  });

  it('answers a capture the processor refuses with 422 processor_refused and its code, the payment still requires_capture; the next capture goes under the next key', async () => {
    const payment = await pay(5000, 'manual');
    processor.answer('captures', { status: 402, body: { code: 'insufficient_hold' } });

    const refused = await post(`/v1/payments/${payment.id}/capture`).expect(422);

    expect(refused.body).toMatchObject({ type: expect.stringMatching(/\/processor-refused$/), detail: 'The processor refused the capture with code insufficient_hold; the payment is still requires_capture.' });
    expect(misfit('POST', '/v1/payments/{id}/capture', refused)).toEqual([]);
    expect(await get(`/v1/payments/${payment.id}`)).toMatchObject({ status: 'requires_capture', amount_captured: 0 });
    expect((await eventsOf(payment.id)).at(-1)).toMatchObject({ type: 'PaymentCaptureFailed', data: { code: 'insufficient_hold', idempotency_key: `${payment.id}:capture:1` } });

    processor.answer('captures', { status: 200, body: { outcome: 'succeeded' } });
    expect((await post(`/v1/payments/${payment.id}/capture`).expect(200)).body).toMatchObject({ status: 'succeeded', amount_captured: 5000 });
    expect(processor.keysOf('captures')).toEqual([`${payment.id}:capture:1`, `${payment.id}:capture:2`]);
  });

  it('takes a void the processor answers with already_voided as done: the hold is gone either way', async () => {
    const payment = await pay(2000, 'manual');
    processor.answer('voids', { status: 422, body: { code: 'already_voided' } });

    const voided = await post(`/v1/payments/${payment.id}/void`).expect(200);

    expect(voided.body).toMatchObject({ status: 'canceled', amount_captured: 0 });
    expect((await eventsOf(payment.id)).at(-1)).toMatchObject({ type: 'PaymentVoided', data: { idempotency_key: `${payment.id}:void:1` } });
  });
});
