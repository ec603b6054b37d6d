import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { OpenApiContract } from './support/openapi-contract';
import { PaymentShop } from './support/payment-shop';
import { ServiceProcess, freePort, startServiceProcess } from './support/service-process';
import { TestClock } from './support/test-clock';
import { ADMIN_TOKEN, TestApp, bearer, openAccount, startTestApp } from './support/test-app';
import { ReceivedWebhook, WebhookReceiver, signatureTime, signersOf } from './support/webhook-receiver';

/** Short enough for a test, long enough to tell the pauses apart from the tries: 4 tries in all. */
const PAUSE_MS = 700;
const SCHEDULE = `${PAUSE_MS}ms,${PAUSE_MS}ms,${PAUSE_MS}ms`;

interface Delivery {
  id: string;
  event_id: string;
  type: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: { at: string; status_code: number | null; duration_ms: number; error: string | null }[];
  next_attempt_at: string | null;
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

/** Settings that keep one service's Redis data for the next one on the same DATA_DIR. */
const storeEnv = (redis: boolean): Record<string, string> => (redis ? { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: `test:${randomBytes(6).toString('hex')}:` } : {});

class WebhookShop {
  private constructor(
    readonly shop: PaymentShop,
    private readonly route: string,
  ) {}

  static async open(t: TestApp): Promise<WebhookShop> {
    const shop = await PaymentShop.open(t);
    return new WebhookShop(shop, await shop.route([await shop.processor('Approver')]));
  }

  get secret() {
    return bearer(this.shop.account.secret);
  }

  http() {
    return this.shop.t.http();
  }

  async endpoint(url: string, events: string[] = ['*']): Promise<{ id: string; secret: string }> {
    const res = await this.http().post('/v1/webhook-endpoints').set(this.secret).send({ url, events }).expect(201);
    return { id: res.body.id, secret: res.body.secret };
  }

  /** A paid session: its PaymentSucceeded and CheckoutSessionCompleted make webhooks. */
  async payment(customFields: Record<string, string> = {}): Promise<{ paymentId: string; sessionId: string }> {
    const sessionId = await this.shop.session([{ amount: 4900 }], this.route, { custom_fields: customFields });
    const paid = await this.shop.pay(sessionId).expect(201);
    expect(paid.body.status).toBe('succeeded');
    return { paymentId: paid.body.id, sessionId };
  }

  deliveries(endpointId: string, query = ''): Promise<Delivery[]> {
    return deliveriesOf(this.shop.t, this.shop.account.secret, endpointId, query);
  }

  delivery(endpointId: string, type: string, done: (delivery: Delivery) => boolean, timeoutMs?: number): Promise<Delivery> {
    return deliveryOf(this.shop.t, this.shop.account.secret, endpointId, type, done, timeoutMs);
  }
}

async function deliveriesOf(t: TestApp, token: string, endpointId: string, query = ''): Promise<Delivery[]> {
  return (await t.http().get(`/v1/webhook-endpoints/${endpointId}/deliveries${query}`).set(bearer(token)).expect(200)).body.items;
}

/** The endpoint's delivery of this webhook type once `done` holds for it. */
function deliveryOf(t: TestApp, token: string, endpointId: string, type: string, done: (delivery: Delivery) => boolean, timeoutMs?: number): Promise<Delivery> {
  return until(`a ${type} delivery to ${endpointId} is as expected`, async () => (await deliveriesOf(t, token, endpointId)).find((d) => d.type === type && done(d)), timeoutMs);
}

const ofType = (received: readonly ReceivedWebhook[], type: string) => received.filter((webhook) => webhook.json.type === type);

describe.each([
  ['SQLite', false],
  ['Redis', true],
])('webhooks, on %s', (_name, redis) => {
  let t: TestApp;
  let shops: WebhookShop;
  const receivers: WebhookReceiver[] = [];
  const receiver = async (...args: Parameters<typeof WebhookReceiver.start>) => {
    const started = await WebhookReceiver.start(...args);
    receivers.push(started);
    return started;
  };

  beforeAll(async () => {
    t = await startTestApp({ WEBHOOK_RETRY_SCHEDULE: SCHEDULE }, { redis });
    shops = await WebhookShop.open(t);
  });
  afterAll(async () => {
    await t.close();
    await Promise.all(receivers.map((r) => r.close()));
  });

  it('shows the signing secret once, in the answer to creating the endpoint, and never again', async () => {
    const contract = new OpenApiContract((await t.http().get('/docs-json').expect(200)).body);
    const created = await t.http().post('/v1/webhook-endpoints').set(shops.secret).send({ url: 'https://shop.example/hooks', events: ['payment.succeeded'], description: 'Fulfilment' }).expect(201);
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^we_stg_[A-Za-z0-9]+$/), url: 'https://shop.example/hooks', events: ['payment.succeeded'], status: 'enabled' });
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9]{32}$/);
    expect(contract.responseErrors('POST', '/v1/webhook-endpoints', created)).toEqual([]);
    const { id, secret } = created.body;

    const one = await t.http().get(`/v1/webhook-endpoints/${id}`).set(shops.secret).expect(200);
    const list = await t.http().get('/v1/webhook-endpoints').set(shops.secret).expect(200);
    const patched = await t.http().patch(`/v1/webhook-endpoints/${id}`).set(shops.secret).send({ events: ['*'] }).expect(200);
    for (const [path, method, res] of [['/v1/webhook-endpoints/{id}', 'GET', one], ['/v1/webhook-endpoints', 'GET', list], ['/v1/webhook-endpoints/{id}', 'PATCH', patched]] as const) {
      expect([method, path, contract.responseErrors(method, path, res)]).toEqual([method, path, []]);
      expect(res.text).not.toContain(secret);
      expect(res.text).not.toContain('whsec_');
    }
    expect(list.body.items.map((endpoint: { id: string }) => endpoint.id)).toContain(id);

    const rotated = await t.http().post(`/v1/webhook-endpoints/${id}/rotate-secret`).set(shops.secret).expect(200);
    expect(contract.responseErrors('POST', '/v1/webhook-endpoints/{id}/rotate-secret', rotated)).toEqual([]);
    expect(rotated.body.secret).not.toBe(secret);

    const events = await t.http().get('/v1/events?type=WebhookEndpointCreated,WebhookEndpointUpdated,WebhookEndpointSecretRotated').set(shops.secret).expect(200);
    expect(events.body.items.map((event: { type: string }) => event.type)).toEqual(expect.arrayContaining(['WebhookEndpointCreated', 'WebhookEndpointSecretRotated']));
    expect(events.text).not.toContain(secret);
    expect(events.text).not.toContain(rotated.body.secret);
    expect(events.text).not.toContain('whsec_');
  });

  it('does not replay a secret for a repeated Idempotency-Key', async () => {
    const send = () => t.http().post('/v1/webhook-endpoints').set(shops.secret).set('Idempotency-Key', `we-${randomBytes(4).toString('hex')}`);
    const key = `we-${randomBytes(4).toString('hex')}`;
    const body = { url: 'https://shop.example/once', events: ['*'] };
    await t.http().post('/v1/webhook-endpoints').set(shops.secret).set('Idempotency-Key', key).send(body).expect(201);
    const again = await t.http().post('/v1/webhook-endpoints').set(shops.secret).set('Idempotency-Key', key).send(body).expect(409);
    expect(again.text).not.toContain('whsec_');
    await send().send(body).expect(201);
  });

  it('refuses unknown event names, "*" beside others and URLs that are not absolute http(s) with 422; wrong shapes with 400', async () => {
    const post = (body: object) => t.http().post('/v1/webhook-endpoints').set(shops.secret).send(body);
    const unknown = await post({ url: 'https://shop.example/hooks', events: ['payment.succeeded', 'payment.exploded'] }).expect(422);
    expect(unknown.body.errors).toEqual([{ field: 'events[1]', message: 'is not a webhook event type' }]);
    expect(unknown.text).not.toContain('exploded');
    await post({ url: 'https://shop.example/hooks', events: ['*', 'payment.failed'] }).expect(422);
    await post({ url: 'https://shop.example/hooks', events: [] }).expect(422);
    await post({ url: 'shop.example/hooks', events: ['*'] }).expect(422);
    await post({ url: 'https://shop.example/hooks', events: 'payment.succeeded' }).expect(400);
    await post({ url: 'https://shop.example/hooks', events: ['*'], secret: 'whsec_mine' }).expect(400);
    const { id } = await shops.endpoint('https://shop.example/hooks');
    for (const body of [{ url: null }, { events: null }, { status: null }, { status: 'paused' }, { events: ['*'], secret: 'whsec_mine' }]) {
      await t.http().patch(`/v1/webhook-endpoints/${id}`).set(shops.secret).send(body).expect(400);
    }
    await t.http().patch(`/v1/webhook-endpoints/${id}`).set(shops.secret).send({ events: ['payment.succeeded', 'nope'] }).expect(422);
    // The future types of captures and refunds are taken already.
    await post({ url: 'https://shop.example/hooks', events: ['payment.captured', 'refund.succeeded', 'refund.failed', 'payment.canceled', 'payment.requires_capture'] }).expect(201);
  });

  it('delivers a payment signed with the secret, retried on 500 after each pause of the schedule until a 2xx: four tries in the log', async () => {
    const hooks = await receiver((webhook) => (webhook.number <= 3 ? 500 : 204));
    const endpoint = await shops.endpoint(hooks.url, ['payment.succeeded']);
    const { paymentId } = await shops.payment();

    const delivery = await shops.delivery(endpoint.id, 'payment.succeeded', (d) => d.status === 'succeeded');
    expect(delivery.attempts.map((attempt) => attempt.status_code)).toEqual([500, 500, 500, 204]);
    expect(delivery.next_attempt_at).toBeNull();
    const starts = delivery.attempts.map((attempt) => Date.parse(attempt.at));
    for (let i = 1; i < starts.length; i++) expect(starts[i] - starts[i - 1]).toBeGreaterThanOrEqual(PAUSE_MS);

    const received = await hooks.waitFor(4);
    expect(received).toHaveLength(4);
    for (const webhook of received) expect(signersOf(webhook, [endpoint.secret])).toEqual([endpoint.secret]);
    // Every try is the same webhook: receivers dedupe on its id, the stored event's API id.
    expect(new Set(received.map((webhook) => webhook.body)).size).toBe(1);
    const payment = await shops.shop.get(`/v1/payments/${paymentId}`).expect(200);
    expect(received[0].json).toEqual({ id: delivery.event_id, type: 'payment.succeeded', created_at: expect.any(String), data: payment.body });
    expect(delivery.event_id).toMatch(/^evt_stg_[0-9a-f]{32}$/);
    const stored = await shops.shop.get(`/v1/payments/${paymentId}/events`).expect(200);
    expect(stored.body.items.find((event: { type: string }) => event.type === 'PaymentSucceeded').id).toBe(delivery.event_id);
    expect(stored.text).not.toContain(endpoint.secret);
    expect(Math.abs(signatureTime(received[3]) * 1000 - starts[3])).toBeLessThan(1500);

    const metrics = await t.http().get('/metrics').expect(200);
    expect(metrics.text).toMatch(/webhook_deliveries_total\{status="succeeded"\} [1-9]/);
    expect(metrics.text).toMatch(/webhook_delivery_attempts_total\{outcome="http_error"\} [3-9]/);
  });

  it('delivers a completed session as GET shows it with custom_fields, only to endpoints listening to its type', async () => {
    const everything = await receiver();
    const paymentsOnly = await receiver();
    const all = await shops.endpoint(everything.url, ['*']);
    await shops.endpoint(paymentsOnly.url, ['payment.succeeded', 'payment.failed']);
    const { sessionId } = await shops.payment({ order_id: 'order_42' });

    const [completed] = ofType(await until('the session webhook arrives', async () => (ofType(everything.received, 'checkout.session.completed').length > 0 ? everything.received : undefined)), 'checkout.session.completed');
    const session = await shops.shop.get(`/v1/checkout/sessions/${sessionId}?expand=custom_fields`).expect(200);
    expect(completed.json.data).toEqual(session.body);
    expect(completed.json.data).toMatchObject({ status: 'complete', custom_fields: { order_id: 'order_42' } });
    expect(signersOf(completed, [all.secret])).toEqual([all.secret]);
    await until('the payment webhook arrives at the payments-only endpoint', async () => (paymentsOnly.received.length > 0 ? true : undefined));
    await sleep(300);
    expect(paymentsOnly.received.map((webhook) => webhook.json.type)).toEqual(['payment.succeeded']);
  });

  it('never lets an endpoint that hangs delay the deliveries to another', async () => {
    const hanging = await receiver(() => 'hang');
    const answering = await receiver();
    await shops.endpoint(hanging.url, ['payment.succeeded']);
    await shops.endpoint(answering.url, ['payment.succeeded']);
    const started = Date.now();
    for (let i = 0; i < 6; i++) await shops.payment();
    await answering.waitFor(6, 5_000);
    expect(Date.now() - started).toBeLessThan(8_000);
    // The hanging endpoint holds a few tries at most; none of them has been answered.
    expect(hanging.received.length).toBeGreaterThan(0);
    expect(hanging.received.length).toBeLessThanOrEqual(4);
  });

  it('ends a delivery to a receiver that is down for the whole schedule as failed, and a manual retry delivers it once it is back', async () => {
    const port = await freePort();
    const endpoint = await shops.endpoint(`http://127.0.0.1:${port}/webhooks`, ['payment.succeeded']);
    await shops.payment();
    const failed = await shops.delivery(endpoint.id, 'payment.succeeded', (d) => d.status === 'failed');
    expect(failed.attempts).toHaveLength(4);
    expect(failed.attempts.every((attempt) => attempt.status_code === null && /could not connect/.test(attempt.error ?? ''))).toBe(true);
    expect(failed.next_attempt_at).toBeNull();
    expect((await shops.deliveries(endpoint.id, '?status=failed')).map((d) => d.id)).toEqual([failed.id]);
    expect(await shops.deliveries(endpoint.id, '?status=pending')).toEqual([]);

    const back = await receiver(() => 200, port);
    const retried = await t.http().post(`/v1/webhook-deliveries/${failed.id}/retry`).set(shops.secret).expect(200);
    expect(retried.body).toMatchObject({ id: failed.id, status: 'pending' });
    const delivered = await shops.delivery(endpoint.id, 'payment.succeeded', (d) => d.status === 'succeeded');
    expect(delivered.attempts.map((attempt) => attempt.status_code)).toEqual([null, null, null, null, 200]);
    expect(signersOf((await back.waitFor(1))[0], [endpoint.secret])).toEqual([endpoint.secret]);

    const again = await t.http().post(`/v1/webhook-deliveries/${failed.id}/retry`).set(shops.secret).expect(409);
    expect(again.body.detail).toMatch(/acknowledged/);
    const other = await WebhookShop.open(t);
    await t.http().post(`/v1/webhook-deliveries/${failed.id}/retry`).set(other.secret).expect(404);
    await t.http().get(`/v1/webhook-endpoints/${endpoint.id}/deliveries`).set(other.secret).expect(404);
  });

  it('holds the deliveries of a disabled endpoint, sends nothing stored while it is disabled, and goes on once it is enabled', async () => {
    const hooks = await receiver((webhook) => (webhook.number === 1 ? 500 : 200));
    const endpoint = await shops.endpoint(hooks.url, ['payment.succeeded']);
    await shops.payment();
    await hooks.waitFor(1);
    await shops.delivery(endpoint.id, 'payment.succeeded', (d) => d.attempts.length === 1);
    await t.http().patch(`/v1/webhook-endpoints/${endpoint.id}`).set(shops.secret).send({ status: 'disabled' }).expect(200);
    await shops.payment();
    await sleep(PAUSE_MS * 2);
    expect(hooks.received).toHaveLength(1);
    const held = await shops.deliveries(endpoint.id);
    expect(held.map((d) => [d.status, d.attempts.length])).toEqual([['pending', 1]]);
    await t.http().post(`/v1/webhook-deliveries/${held[0].id}/retry`).set(shops.secret).expect(409);

    await t.http().patch(`/v1/webhook-endpoints/${endpoint.id}`).set(shops.secret).send({ status: 'enabled' }).expect(200);
    await shops.delivery(endpoint.id, 'payment.succeeded', (d) => d.status === 'succeeded');
    expect(hooks.received).toHaveLength(2);
    expect(new Set(hooks.received.map((webhook) => webhook.json.id)).size).toBe(1);
  });

  it('makes no delivery to a deleted endpoint, pending ones included, and answers 404 for it from then on', async () => {
    const hooks = await receiver(() => 500);
    const endpoint = await shops.endpoint(hooks.url, ['payment.succeeded']);
    await shops.payment();
    await hooks.waitFor(1);
    await t.http().delete(`/v1/webhook-endpoints/${endpoint.id}`).set(shops.secret).expect(204);
    await shops.payment();
    await sleep(PAUSE_MS * 2);
    expect(hooks.received).toHaveLength(1);
    await t.http().get(`/v1/webhook-endpoints/${endpoint.id}`).set(shops.secret).expect(404);
    await t.http().get(`/v1/webhook-endpoints/${endpoint.id}/deliveries`).set(shops.secret).expect(404);
    await t.http().delete(`/v1/webhook-endpoints/${endpoint.id}`).set(shops.secret).expect(404);
    const list = await t.http().get('/v1/webhook-endpoints?limit=100').set(shops.secret).expect(200);
    expect(list.body.items.map((e: { id: string }) => e.id)).not.toContain(endpoint.id);
  });
});

describe.each([
  ['SQLite', false],
  ['Redis', true],
])('webhooks across a restart, on %s', (_name, redis) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'webhooks-restart-'));
  const env = { WEBHOOK_RETRY_SCHEDULE: '3s,3s', ...storeEnv(redis) };
  const apps: TestApp[] = [];
  const receivers: WebhookReceiver[] = [];
  afterAll(async () => {
    for (const app of apps) await app.close().catch(() => undefined);
    await Promise.all(receivers.map((r) => r.close()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers after a restart in the middle of a backoff, and sends nothing that was acknowledged again', async () => {
    const first = await startTestApp(env, { redis: false, dataDir });
    apps.push(first);
    const shops = await WebhookShop.open(first);
    const failing = await WebhookReceiver.start((webhook) => (webhook.number === 1 ? 503 : 200));
    const acknowledging = await WebhookReceiver.start();
    receivers.push(failing, acknowledging);
    const retried = await shops.endpoint(failing.url, ['payment.succeeded']);
    await shops.endpoint(acknowledging.url, ['payment.succeeded']);
    await shops.payment();
    const pending = await shops.delivery(retried.id, 'payment.succeeded', (d) => d.attempts.length === 1);
    expect(pending.status).toBe('pending');
    await acknowledging.waitFor(1);
    await first.close();

    const second = await startTestApp(env, { redis: false, dataDir });
    apps.push(second);
    const delivered = await deliveryOf(second, shops.shop.account.secret, retried.id, 'payment.succeeded', (d) => d.status === 'succeeded', 20_000);
    expect(delivered.attempts.map((attempt) => attempt.status_code)).toEqual([503, 200]);
    expect(Date.parse(delivered.attempts[1].at) - Date.parse(delivered.attempts[0].at)).toBeGreaterThanOrEqual(3_000);
    expect(failing.received).toHaveLength(2);
    expect(signersOf(failing.received[1], [retried.secret])).toEqual([retried.secret]);
    await sleep(1_000);
    expect(acknowledging.received).toHaveLength(1);
  });
});

describe.each([
  ['SQLite', false],
  ['Redis', true],
])('rotating a webhook secret, on %s', (_name, redis) => {
  const clock = new TestClock();
  let t: TestApp;
  let hooks: WebhookReceiver;
  beforeAll(async () => {
    t = await startTestApp({}, { clock, redis });
    hooks = await WebhookReceiver.start();
  });
  afterAll(async () => {
    await t.close();
    await hooks.close();
  });

  it('signs with the new and the old secret for 24 hours, then with the new one only', async () => {
    const shops = await WebhookShop.open(t);
    const endpoint = await shops.endpoint(hooks.url, ['payment.succeeded']);
    const rotated = (await t.http().post(`/v1/webhook-endpoints/${endpoint.id}/rotate-secret`).set(shops.secret).expect(200)).body.secret as string;
    await shops.payment();
    const [during] = await hooks.waitFor(1);
    expect(during.signature.match(/v1=/g)).toHaveLength(2);
    expect(signersOf(during, [rotated, endpoint.secret])).toEqual([rotated, endpoint.secret]);

    clock.advance(24 * 60 * 60 * 1000 + 1000);
    await shops.payment();
    const [, after] = await hooks.waitFor(2);
    expect(signersOf(after, [rotated, endpoint.secret])).toEqual([rotated]);
  });
});

describe('webhook URLs in prod', () => {
  const prod = { PAYMENTS_ENV: 'prod', CARD_FINGERPRINT_SECRET: 'a-prod-fingerprint-secret-0001', SECRETS_KEY: Buffer.alloc(32, 7).toString('base64') };
  let strict: TestApp;
  let lenient: TestApp;
  beforeAll(async () => {
    [strict, lenient] = await Promise.all([startTestApp(prod), startTestApp({ ...prod, WEBHOOK_ALLOW_PRIVATE_URLS: 'true' })]);
  });
  afterAll(async () => {
    await Promise.all([strict.close(), lenient.close()]);
  });

  const create = async (t: TestApp, url: string) => {
    const { secret } = await openAccount(t);
    return t.http().post('/v1/webhook-endpoints').set(bearer(secret)).send({ url, events: ['*'] });
  };

  it.each(['https://127.0.0.1/hooks', 'https://10.0.0.1/hooks', 'https://169.254.169.254/latest/meta-data', 'https://[::1]/hooks', 'https://localhost/hooks', 'https://[::ffff:10.0.0.1]/hooks'])(
    'refuses %s, which is not a public address',
    async (url) => {
      const res = await create(strict, url);
      expect(res.status).toBe(422);
      expect(res.body.errors).toEqual([{ field: 'url', message: expect.stringMatching(/loopback, private or link-local/) }]);
      expect(res.text).not.toContain(url);
    },
  );

  it('refuses http, and takes https to a public address', async () => {
    expect((await create(strict, 'http://93.184.216.34/hooks')).status).toBe(422);
    expect((await create(strict, 'https://93.184.216.34/hooks')).status).toBe(201);
  });

  it('takes private addresses with WEBHOOK_ALLOW_PRIVATE_URLS=true, but still only https', async () => {
    expect((await create(lenient, 'https://127.0.0.1/hooks')).status).toBe(201);
    expect((await create(lenient, 'https://localhost/hooks')).status).toBe(201);
    expect((await create(lenient, 'http://127.0.0.1/hooks')).status).toBe(422);
  });

  it('checks a changed URL too', async () => {
    const { secret } = await openAccount(strict);
    const created = await strict.http().post('/v1/webhook-endpoints').set(bearer(secret)).send({ url: 'https://93.184.216.34/hooks', events: ['*'] }).expect(201);
    await strict.http().patch(`/v1/webhook-endpoints/${created.body.id}`).set(bearer(secret)).send({ url: 'https://192.168.1.1/hooks' }).expect(422);
  });
});

describe('the log of a failed try', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'webhooks-log-'));
  let service: ServiceProcess | undefined;
  let hooks: WebhookReceiver | undefined;
  afterAll(async () => {
    await service?.kill();
    await hooks?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('names the delivery and the endpoint, never the URL, the secret or the body', async () => {
    service = await startServiceProcess({ DATA_DIR: dataDir, PAYMENTS_SANDBOX: 'false', ADMIN_TOKEN, LOG_LEVEL: 'info', WEBHOOK_RETRY_SCHEDULE: '1h' });
    hooks = await WebhookReceiver.start(() => 500);
    // The shop helpers need only http(); the service in its own process has that too.
    const shops = await WebhookShop.open(service as unknown as TestApp);
    const endpoint = await shops.endpoint(`${hooks.url}?token=merchant_token_1234`, ['payment.succeeded']);
    await shops.payment();
    const [webhook] = await hooks.waitFor(1);
    const line = await until('the failed try is logged', async () => service!.log().split('\n').find((l) => l.includes(`endpoint ${endpoint.id}: try 1 failed`)));

    expect(line).toContain('HTTP 500');
    expect(line).toMatch(/next try at \d{4}-/);
    const log = service.log();
    expect(log).not.toContain(endpoint.secret);
    expect(log).not.toContain('merchant_token_1234');
    expect(log).not.toContain(webhook.body);
  });
});
