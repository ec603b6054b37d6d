import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SqliteSimulatorLedger, simulatorLedgerPath } from '@payments/processors';
import { card } from './support/payment-shop';
import { ServiceProcess, startServiceProcess } from './support/service-process';
import { ADMIN_TOKEN, bearer } from './support/test-app';

/**
 * Far longer than the kill takes to land once the refund is seen at the processor, so the service
 * always dies while the processor holds the call; the call re-sent after the restart is answered
 * from the simulator's ledger at once.
 */
const SLOW_PROCESSOR_MS = 5_000;
const WAIT_MS = 20_000;

interface StoredEvent {
  type: string;
  data: { refund_id?: string; idempotency_key?: string };
}

describe('a refund whose service is killed while the processor holds its call', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'refund-crash-'));
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

  it('is sent once: the next start re-sends it under its key, the processor refunds once, and the payment records one refund', async () => {
    const first = await start();
    const account = await first.http().post('/v1/accounts').set(bearer(ADMIN_TOKEN)).send({ name: 'Refund Crash Shop' }).expect(201);
    const secret: string = account.body.secret_token;
    const create = async (path: string, body: object): Promise<string> => (await first.http().post(path).set(bearer(secret)).send(body).expect(201)).body.id;
    const processor = await create('/v1/processors', { name: 'Approver', connector: 'simulator', timeout_ms: SLOW_PROCESSOR_MS * 3, simulator: { outcome: 'approve' } });
    const product = await create('/v1/products', { name: 'Plan' });
    const price = await create('/v1/prices', { product_id: product, unit_amount: 5000, currency: 'USD' });
    const sessionId = await create('/v1/checkout/sessions', { line_items: [{ price_id: price, quantity: 1 }], success_url: 'https://shop.example/ok' });
    const payment = (await first.http().post(`/v1/checkout/sessions/${sessionId}/pay`).set(bearer(secret)).send({ payment_method: card() }).expect(201)).body;
    expect(payment.status).toBe('succeeded');
    // Only the refund is slow: the approval above answered at once.
    await first.http().patch(`/v1/processors/${processor}`).set(bearer(secret)).send({ simulator: { outcome: 'approve', latency_ms: SLOW_PROCESSOR_MS } }).expect(200);

    const refunding = first
      .http()
      .post(`/v1/payments/${payment.id}/refunds`)
      .set(bearer(secret))
      .send({ amount: 1000 })
      .then(
        () => 'answered',
        () => 'cut off',
      );
    const events = async (service: ServiceProcess): Promise<StoredEvent[]> => (await service.http().get(`/v1/payments/${payment.id}/events`).set(bearer(secret)).expect(200)).body.items;
    const requested = await until(first, 'the refund is recorded before its call', async () => (await events(first)).find((event) => event.type === 'RefundRequested'));
    const refundId = requested.data.refund_id!;
    expect(requested.data.idempotency_key).toBe(refundId);
    const ledger = SqliteSimulatorLedger.open(simulatorLedgerPath(dataDir));
    try {
      await until(first, 'the processor holds the refund', async () => ((await ledger.operationsFor(refundId)).length === 1 ? true : undefined));

      expect(await first.kill()).toEqual({ code: null, signal: 'SIGKILL' });
      expect(await refunding).toBe('cut off');

      const second = await start();
      const refund = await until(second, 'the refund succeeds', async () => {
        const res = await second.http().get(`/v1/refunds/${refundId}`).set(bearer(secret));
        return res.status === 200 && res.body.status === 'succeeded' ? res.body : undefined;
      });
      expect(refund).toMatchObject({ id: refundId, payment_id: payment.id, amount: 1000, status: 'succeeded' });
      expect((await second.http().get(`/v1/payments/${payment.id}`).set(bearer(secret)).expect(200)).body).toMatchObject({ amount_captured: 5000, amount_refunded: 1000 });
      const after = await events(second);
      expect(after.filter((event) => event.type.startsWith('Refund')).map((event) => [event.type, event.data.refund_id])).toEqual([
        ['RefundRequested', refundId],
        ['RefundSucceeded', refundId],
      ]);

      // Reached twice (before the kill and after it), refunded once.
      expect(await ledger.operationsFor(refundId)).toEqual([expect.objectContaining({ kind: 'refund', outcome: 'succeeded', amount: 1000, requestCount: 2 })]);
      expect(await ledger.chargesForPayment(payment.id)).toEqual([expect.objectContaining({ capturedAmount: 5000, refundedAmount: 1000 })]);
    } finally {
      await ledger.close();
    }
  }, 120_000);
});

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
