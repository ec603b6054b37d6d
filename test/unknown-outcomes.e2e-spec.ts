import { mkdtempSync, rmSync } from 'node:fs';
import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { SimulatorCharge, SqliteSimulatorLedger, isLiveCharge, simulatorLedgerPath } from '@payments/processors';
import { PaymentShop, card } from './support/payment-shop';
import { ServiceProcess, freePort, startServiceProcess } from './support/service-process';
import { TestClock } from './support/test-clock';
import { ADMIN_TOKEN, TestApp, bearer, startTestApp } from './support/test-app';

/**
 * API.md "Outcomes that may hide a charge", over HTTP: a processor that approves but loses its
 * answer (`outcome: "timeout", charge_on_timeout: true`) is first in the route, an approving one
 * second. ATTEMPT_RESOLUTION_DELAY holds the resolver back for an hour, so what the payment shows
 * before the resolution is certain; the test clock, or a restart without the delay, lets it run.
 */
const HELD_BACK = { ATTEMPT_RESOLUTION_DELAY: '1h' };
const HOUR_MS = 3_600_000;
const WAIT_MS = 20_000;
const AMOUNT = 5000;

interface Attempt {
  processor_id: string;
  outcome: string | null;
  reason: string | null;
  resolution: string | null;
}

interface StoredEvent {
  type: string;
  data: Record<string, unknown>;
}

type Http = () => ReturnType<typeof request>;

/** Polls `probe` until it gives a value; `log` adds what the service printed to the failure. */
async function until<T>(what: string, probe: () => Promise<T | undefined>, log: () => string = () => ''): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`waited ${WAIT_MS} ms in vain until ${what}${log() && `; the service logged:\n${log()}`}`);
    await sleep(25);
  }
}

/** A sample of a Prometheus text exposition, as a number; undefined when absent. */
function metric(text: string, sample: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${sample} `));
  return line === undefined ? undefined : Number(line.slice(sample.length + 1));
}

async function liveCharges(dataDir: string, paymentId: string): Promise<SimulatorCharge[]> {
  const ledger = SqliteSimulatorLedger.open(simulatorLedgerPath(dataDir));
  try {
    return (await ledger.chargesForPayment(paymentId)).filter(isLiveCharge);
  } finally {
    await ledger.close();
  }
}

/** A processor losing its answer after charging, then an approving one, and a session on that route; over any HTTP client. */
async function openLateApprovalShop(http: Http, extra: object = {}) {
  const account = await http().post('/v1/accounts').set(bearer(ADMIN_TOKEN)).send({ name: 'Late Approval Shop' }).expect(201);
  const secret: string = account.body.secret_token;
  const create = async (path: string, body: object): Promise<string> => (await http().post(path).set(bearer(secret)).send(body).expect(201)).body.id;
  const lost = await create('/v1/processors', { name: 'Loses its answer', connector: 'simulator', timeout_ms: 50, simulator: { outcome: 'timeout', charge_on_timeout: true } });
  const approving = await create('/v1/processors', { name: 'Approving', connector: 'simulator' });
  const route = await create('/v1/processor-routes', { name: 'Lost then approving', processors: [{ processor_id: lost }, { processor_id: approving }] });
  const product = await create('/v1/products', { name: 'Plan' });
  const price = await create('/v1/prices', { product_id: product, unit_amount: AMOUNT, currency: 'USD' });
  const sessionId = await create('/v1/checkout/sessions', { line_items: [{ price_id: price, quantity: 1 }], processor_route_id: route, success_url: 'https://shop.example/ok', ...extra });
  return {
    lost,
    approving,
    pay: () => http().post(`/v1/checkout/sessions/${sessionId}/pay`).set(bearer(secret)).send({ payment_method: card() }).expect(201),
    payment: async (id: string) => (await http().get(`/v1/payments/${id}`).set(bearer(secret)).expect(200)).body,
    events: async (id: string): Promise<StoredEvent[]> => (await http().get(`/v1/payments/${id}/events`).set(bearer(secret)).expect(200)).body.items,
  };
}

type LateApprovalShop = Awaited<ReturnType<typeof openLateApprovalShop>>;

/** What the payment must show once the late approval is undone, and that the processors hold one charge. */
async function expectLateApprovalUndone(shop: LateApprovalShop, dataDir: string, paymentId: string, method: 'void' | 'refund', log?: () => string): Promise<void> {
  const payment = await until(
    'the late approval is undone',
    async () => {
      const shown = await shop.payment(paymentId);
      return shown.attempts[0].resolution === 'late_approval_voided' ? shown : undefined;
    },
    log,
  );
  expect(payment.attempts.map((attempt: Attempt) => [attempt.processor_id, attempt.outcome, attempt.resolution])).toEqual([
    [shop.lost, 'timeout', 'late_approval_voided'],
    [shop.approving, 'approved', null],
  ]);
  const events = await shop.events(paymentId);
  const key = `${paymentId}:0:1`;
  expect(events.slice(-2).map(({ type, data }) => ({ type, data }))).toEqual([
    {
      type: 'ProcessorAttemptResolved',
      data: expect.objectContaining({ idempotency_key: key, processor_id: shop.lost, outcome: 'approved', state: method === 'void' ? 'authorized' : 'captured' }),
    },
    { type: 'LateApprovalVoided', data: expect.objectContaining({ idempotency_key: key, processor_id: shop.lost, method, operation_key: `${key}:${method}`, amount: AMOUNT, currency: 'USD' }) },
  ]);
  expect((await liveCharges(dataDir, paymentId)).map((charge) => [charge.processorId, charge.idempotencyKey])).toEqual([[shop.approving, `${paymentId}:0:2`]]);
}

describe('a processor that charged but lost its answer, first in a route whose second processor approves', () => {
  let clock: TestClock;
  let t: TestApp;

  // An app and a clock each: a clock moved for one payment would make the next one due at once.
  beforeEach(async () => {
    clock = new TestClock();
    t = await startTestApp(HELD_BACK, { clock });
  });

  afterEach(async () => {
    await t.close();
  });

  it.each([
    ['a sale (automatic capture): refunded', {}, 'refund', 'succeeded'],
    ['an authorization (manual capture): voided', { capture_method: 'manual' }, 'void', 'requires_capture'],
  ] as const)('ends with one live charge, at the second processor, once the first one’s late approval is undone: %s', async (_case, sessionSettings, method, status) => {
    const shop = await openLateApprovalShop(t.http, sessionSettings);
    const paid = (await shop.pay()).body;

    // The customer waits for no one: the payment is approved by the second processor at once.
    expect(paid).toMatchObject({ status, processor_id: shop.approving });
    expect(paid.attempts).toEqual([
      expect.objectContaining({ processor_id: shop.lost, outcome: 'timeout', reason: 'the simulated processor did not answer within 50 ms', resolution: 'unresolved' }),
      expect.objectContaining({ processor_id: shop.approving, outcome: 'approved', reason: null, resolution: null }),
    ]);
    // Until the resolver runs, both processors hold the customer's money.
    expect((await liveCharges(t.dataDir, paid.id)).map((charge) => charge.processorId).sort()).toEqual([shop.lost, shop.approving].sort());
    expect(await shop.events(paid.id)).not.toContainEqual(expect.objectContaining({ type: 'ProcessorAttemptResolved' }));
    await until('/metrics counts the unresolved attempt', async () => {
      const unresolved = metric((await t.http().get('/metrics').expect(200)).text, 'processor_attempts_unresolved');
      return unresolved !== undefined && unresolved >= 1 ? unresolved : undefined;
    });

    clock.advance(HOUR_MS);
    await expectLateApprovalUndone(shop, t.dataDir, paid.id, method);
    expect((await shop.payment(paid.id)).status).toBe(status);
    const metrics = await until('/metrics shows no unresolved attempt', async () => {
      const text = (await t.http().get('/metrics').expect(200)).text;
      return metric(text, 'processor_attempts_unresolved') === 0 ? text : undefined;
    });
    expect(metric(metrics, 'processor_attempt_resolutions_total{outcome="approved"}')).toBe(1);
    expect(metric(metrics, `late_approvals_undone_total{method="${method}",outcome="succeeded"}`)).toBe(1);
  });
});

describe('an http processor that gives no usable answer, first in a route whose second processor approves', () => {
  let t: TestApp;
  let shop: PaymentShop;
  let gateway: Server;
  let gatewayUrl: string;
  /** The status the local gateway answers every request with. */
  let gatewayStatus = 503;

  beforeAll(async () => {
    t = await startTestApp(HELD_BACK);
    shop = await PaymentShop.open(t);
    gateway = createServer((_req, res) => res.writeHead(gatewayStatus, { 'Content-Type': 'application/json' }).end('{}'));
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    gatewayUrl = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/authorize`;
  });

  afterAll(async () => {
    await t.close();
    await new Promise((resolve) => gateway.close(resolve));
  });

  const pay = async (url: string) => {
    const http = await shop.create('/v1/processors', { name: 'Gateway', connector: 'http', http: { url, secret: 'proc_secret_0123456789' } });
    const route = await shop.route([http, await shop.processor('Approving')]);
    const payment = (await shop.pay(await shop.session([{ amount: 2500 }], route)).expect(201)).body;
    expect(payment.status).toBe('succeeded');
    return payment.attempts[0] as Attempt;
  };

  it('says why a closed port failed, and keeps the attempt unresolved: it may have charged', async () => {
    const port = await freePort();
    const attempt = await pay(`http://127.0.0.1:${port}/authorize`);
    expect(attempt).toMatchObject({ outcome: 'error', reason: 'could not reach the processor (ECONNREFUSED)', resolution: 'unresolved' });
  });

  it('says why a 5xx failed, and keeps the attempt unresolved', async () => {
    gatewayStatus = 503;
    expect(await pay(gatewayUrl)).toMatchObject({ outcome: 'error', reason: 'the processor answered HTTP 503', resolution: 'unresolved' });
  });

  it('says why a refusal (a 4xx) failed, with nothing to resolve: nothing was charged', async () => {
    gatewayStatus = 400;
    expect(await pay(gatewayUrl)).toMatchObject({ outcome: 'error', reason: 'the processor answered HTTP 400', resolution: null });
  });
});

describe('a late approval whose service is killed before the resolver ran', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'unknown-outcomes-crash-'));
  const started: ServiceProcess[] = [];
  const start = async (env: Record<string, string> = {}) => {
    const service = await startServiceProcess({ DATA_DIR: dataDir, PAYMENTS_SANDBOX: 'false', ADMIN_TOKEN, LOG_LEVEL: 'info', ...env });
    started.push(service);
    return service;
  };

  afterAll(async () => {
    await Promise.all(started.map((service) => service.kill()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is undone by the next start on the same DATA_DIR, found from the event store', async () => {
    const first = await start(HELD_BACK);
    // The service's address changes with the restart: requests go to the process running now.
    let current = first;
    const shop = await openLateApprovalShop(() => current.http());
    const paid = (await shop.pay()).body;
    expect(paid).toMatchObject({ status: 'succeeded', processor_id: shop.approving });
    expect(paid.attempts[0]).toMatchObject({ processor_id: shop.lost, outcome: 'timeout', resolution: 'unresolved' });
    expect(await liveCharges(dataDir, paid.id)).toHaveLength(2);
    expect((await shop.events(paid.id)).map((event) => event.type)).not.toContain('ProcessorAttemptResolved');

    expect(await first.kill()).toEqual({ code: null, signal: 'SIGKILL' });

    current = await start();
    await expectLateApprovalUndone(shop, dataDir, paid.id, 'refund', () => current.log());
    const ledger = SqliteSimulatorLedger.open(simulatorLedgerPath(dataDir));
    try {
      expect(await ledger.operationsFor(`${paid.id}:0:1:refund`)).toEqual([expect.objectContaining({ kind: 'refund', outcome: 'succeeded', amount: AMOUNT, requestCount: 1 })]);
    } finally {
      await ledger.close();
    }
  }, 120_000);
});
