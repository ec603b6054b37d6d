import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SqliteSimulatorLedger, simulatorLedgerPath } from '@payments/processors';
import { card } from './support/payment-shop';
import { ServiceProcess, startServiceProcess } from './support/service-process';
import { ADMIN_TOKEN, bearer } from './support/test-app';

/**
 * Far longer than the kill takes to land on a loaded machine once the call is seen, so the
 * service always dies while the processor works; the call re-sent after the restart is answered
 * from the simulator's ledger at once, so the wait costs the test nothing.
 */
const SLOW_PROCESSOR_MS = 5_000;
const WAIT_MS = 20_000;

interface StoredEvent {
  id: string;
  type: string;
  data: { processor_id?: string; idempotency_key?: string };
}

interface Shop {
  secret: string;
  slowProcessorId: string;
  sessionId: string;
}

describe('a payment whose service is killed while a processor is answering', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'payments-crash-'));
  const started: ServiceProcess[] = [];
  const start = async () => {
    const service = await startServiceProcess({ DATA_DIR: dataDir, PAYMENTS_SANDBOX: 'false', ADMIN_TOKEN, LOG_LEVEL: 'info' });
    started.push(service);
    return service;
  };
  afterAll(async () => {
    await Promise.all(started.map((service) => service.kill()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is finished by the next start, re-sending the call under its idempotency key so each key is charged once', async () => {
    const first = await start();
    const shop = await openShop(first);
    const paying = first
      .http()
      .post(`/v1/checkout/sessions/${shop.sessionId}/pay`)
      .set(bearer(shop.secret))
      .send({ payment_method: card() })
      .then(
        () => 'answered',
        () => 'cut off',
      );
    // The pay answers only at the end, so the payment is found through its session.
    const paymentId = await until(first, 'the payment is listed', async () => {
      const res = await first.http().get(`/v1/payments?checkout_session_id=${shop.sessionId}`).set(bearer(shop.secret)).expect(200);
      return res.body.items[0]?.id as string | undefined;
    });
    const slowCall = await until(first, 'the slow processor is called', async () => {
      const last = (await eventsOf(first, shop, paymentId)).at(-1);
      return last?.type === 'ProcessorAttempted' && last.data.processor_id === shop.slowProcessorId ? last : undefined;
    });

    expect(await first.kill()).toEqual({ code: null, signal: 'SIGKILL' });
    expect(await paying).toBe('cut off');

    const second = await start();
    const payment = await until(second, 'the payment succeeds', async () => {
      const res = await second.http().get(`/v1/payments/${paymentId}`).set(bearer(shop.secret)).expect(200);
      return res.body.status === 'succeeded' ? res.body : undefined;
    });
    const events = await eventsOf(second, shop, paymentId);
    expect(events.map((event) => event.type)).toEqual([
      'PaymentStarted',
      'TierStarted',
      'ProcessorAttempted',
      'ProcessorDeclined',
      'ProcessorAttempted',
      'ProcessorApproved',
      'PaymentSucceeded',
    ]);
    // The call of the slow processor was recorded once, before the crash, and re-sent from that record.
    expect(events.filter((event) => event.type === 'ProcessorAttempted' && event.data.processor_id === shop.slowProcessorId)).toEqual([slowCall]);
    const session = await second.http().get(`/v1/checkout/sessions/${shop.sessionId}`).set(bearer(shop.secret)).expect(200);
    expect(session.body).toMatchObject({ status: 'complete', payment_status: 'paid' });

    const ledger = SqliteSimulatorLedger.open(simulatorLedgerPath(dataDir));
    try {
      const keys = events.filter((event) => event.type === 'ProcessorAttempted').map((event) => event.data.idempotency_key as string);
      const charges = await Promise.all(keys.map((key) => ledger.chargesFor(key)));
      expect(charges.map((forKey) => forKey.length)).toEqual(keys.map(() => 1));
      expect(await ledger.countCharges()).toBe(keys.length);
      // Reached twice (before the crash and after), charged once, and the payment holds the first answer.
      expect(await ledger.chargesFor(slowCall.data.idempotency_key as string)).toEqual([
        expect.objectContaining({ processorId: shop.slowProcessorId, outcome: 'approved', authCode: payment.auth_code, requestCount: 2 }),
      ]);
    } finally {
      await ledger.close();
    }
  }, 120_000);
});

/** An account whose route declines on its first processor, softly, and approves slowly on its second; and a session to pay. */
async function openShop(service: ServiceProcess): Promise<Shop> {
  const account = await service.http().post('/v1/accounts').set(bearer(ADMIN_TOKEN)).send({ name: 'Crash Shop' }).expect(201);
  const secret: string = account.body.secret_token;
  const create = async (path: string, body: object): Promise<string> => (await service.http().post(path).set(bearer(secret)).send(body).expect(201)).body.id;
  const declining = await create('/v1/processors', { name: 'Declining', connector: 'simulator', simulator: { outcome: 'decline', decline_code: '05' } });
  const slowProcessorId = await create('/v1/processors', {
    name: 'Slow',
    connector: 'simulator',
    timeout_ms: SLOW_PROCESSOR_MS * 3,
    simulator: { outcome: 'approve', latency_ms: SLOW_PROCESSOR_MS },
  });
  const route = await create('/v1/processor-routes', { name: 'Decline then slow', processors: [{ processor_id: declining }, { processor_id: slowProcessorId }] });
  const product = await create('/v1/products', { name: 'Plan' });
  const price = await create('/v1/prices', { product_id: product, unit_amount: 5000, currency: 'USD' });
  const sessionId = await create('/v1/checkout/sessions', { line_items: [{ price_id: price, quantity: 1 }], processor_route_id: route, success_url: 'https://shop.example/ok' });
  return { secret, slowProcessorId, sessionId };
}

async function eventsOf(service: ServiceProcess, shop: Shop, paymentId: string): Promise<StoredEvent[]> {
  return (await service.http().get(`/v1/payments/${paymentId}/events`).set(bearer(shop.secret)).expect(200)).body.items;
}

/** Polls `read` until it gives a value; fails with the service's log when it does not in time. */
async function until<T>(service: ServiceProcess, what: string, read: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    const value = await read();
    if (value !== undefined) return value;
    await sleep(50);
  }
  throw new Error(`waited ${WAIT_MS} ms in vain until ${what}; the service logged:\n${service.log()}`);
}
