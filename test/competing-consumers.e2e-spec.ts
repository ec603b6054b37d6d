import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { LeaseKeeper, PostgresLeaseStore, operationsLease } from '@payments/orchestration';
import { PaymentShop } from './support/payment-shop';
import { WebhookReceiver } from './support/webhook-receiver';
import { createTestDatabase, describeWithPostgres, openTestPool, TestDatabase } from './support/test-postgres';
import { TestApp, bearer, startTestApp } from './support/test-app';

const LEASE_TTL_MS = 1000;

/**
 * Two apps, each as main.ts builds it with a data directory of its own, on one PostgreSQL
 * database: two processes of a deployment behind a load balancer.
 */
describeWithPostgres('two processes of a deployment on PostgreSQL', () => {
  let database: TestDatabase;
  let pool: Pool;
  const dirs: string[] = [];
  let one: TestApp;
  let two: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = openTestPool(database.url, { max: 2 });
    const env = {
      POSTGRES_URL: database.url,
      CARD_FINGERPRINT_SECRET: 'a-fingerprint-secret-of-this-test',
      SECRETS_KEY: randomBytes(32).toString('base64'),
      LEASE_TTL: `${LEASE_TTL_MS}ms`,
    };
    const dataDir = () => {
      const dir = mkdtempSync(join(tmpdir(), 'competing-consumers-'));
      dirs.push(dir);
      return dir;
    };
    one = await startTestApp(env, { dataDir: dataDir() });
    two = await startTestApp(env, { dataDir: dataDir() });
  }, 60_000);

  afterAll(async () => {
    await two?.close();
    await one?.close();
    await pool?.end();
    await database?.drop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('sends a capture asked of one process while another process holds the payment’s operations, once that lease lapses, and once', async () => {
    const shop = await PaymentShop.open(one);
    const route = await shop.route([await shop.processor('Approver', { simulator: { outcome: 'approve' } })]);
    const sessionId = await shop.session([{ amount: 5000 }], route, { capture_method: 'manual' });
    const paid = await shop.pay(sessionId).expect(201);
    expect(paid.body.status).toBe('requires_capture');
    // A process that took the payment's operations and died: it never renews the lease.
    const leases = await PostgresLeaseStore.open(pool);
    expect(await leases.acquire(operationsLease(paid.body.id), 'dead-process', LEASE_TTL_MS)).toBe(true);
    const takenAt = Date.now();

    const captured = await two.http().post(`/v1/payments/${paid.body.id}/capture`).set(bearer(shop.account.secret)).expect(200);

    expect(captured.body.status).toBe('succeeded');
    expect(Date.now() - takenAt).toBeGreaterThanOrEqual(LEASE_TTL_MS - 100);
    const types = await shop.eventTypes(paid.body.id);
    expect(types.filter((type) => type === 'PaymentCaptured')).toHaveLength(1);
  }, 30_000);

  it('sends each webhook from one of the processes, once, for payments paid through either', async () => {
    const receiver = await WebhookReceiver.start();
    try {
      const shop = await PaymentShop.open(one);
      await one.http().post('/v1/webhook-endpoints').set(bearer(shop.account.secret)).send({ url: receiver.url, events: ['payment.succeeded'] }).expect(201);
      const route = await shop.route([await shop.processor('Approver', { simulator: { outcome: 'approve' } })]);
      const paymentIds: string[] = [];
      for (const [i, t] of [one, two, one, two, one, two].entries()) {
        const sessionId = await shop.session([{ amount: 1000 + i }], route);
        const paid = await t.http().post(`/v1/checkout/sessions/${sessionId}/pay`).set(bearer(shop.account.secret)).send({ payment_method: { type: 'card', card: { number: '4242424242424242', exp_month: 12, exp_year: 2040, cvc: '123' } } }).expect(201);
        paymentIds.push(paid.body.id);
      }

      const received = await receiver.waitFor(paymentIds.length);
      // A little longer: a second process sending too would show by now.
      await new Promise((resolve) => setTimeout(resolve, 1000));

      expect(received.map((webhook) => webhook.json.data.id).sort()).toEqual([...paymentIds].sort());
    } finally {
      await receiver.close();
    }
  }, 30_000);

  it('gives each process a lease holder of its own', () => {
    expect(one.app.get(LeaseKeeper).holder).not.toBe(two.app.get(LeaseKeeper).holder);
  });
});
