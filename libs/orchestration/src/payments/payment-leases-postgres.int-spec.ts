import { randomBytes } from 'node:crypto';
import { WrongExpectedRevision } from '@payments/event-store';
import { createTestDatabase, describeWithPostgres, TestDatabase } from '../../../../test/support/test-postgres';
import { LeaseKeeper } from '../leases/lease-keeper';
import { AttemptPayment, PayCheckoutSession } from './pay-checkout-session';
import { PaymentsReader } from './payments.reader';
import { PaymentHarness } from './test/payment-harness';

/**
 * Two harnesses on one PostgreSQL database (events, read models, leases, the simulator's
 * ledger): two processes of a deployment, each with its own data directory. Each projection
 * runs in one of them, so half the pays are answered by a process that waits for read models
 * another process fills.
 */
describeWithPostgres('payments of a deployment of two processes on PostgreSQL', () => {
  let database: TestDatabase;
  let one: PaymentHarness;
  let two: PaymentHarness;

  beforeAll(async () => {
    database = await createTestDatabase();
    const env = {
      POSTGRES_URL: database.url,
      CARD_FINGERPRINT_SECRET: 'a-fingerprint-secret-of-this-test',
      SECRETS_KEY: randomBytes(32).toString('base64'),
      LEASE_TTL: '1s',
    };
    one = await PaymentHarness.start({ env });
    two = await PaymentHarness.start({ env, accountId: one.accountId });
  }, 60_000);

  afterAll(async () => {
    await two?.close();
    await one?.close();
    await database?.drop();
  });

  it('begins one payment per session of two concurrent pays through either process, answers each without waiting out the read models, and lists it at once', async () => {
    await one.processor('Approving');
    const sessions = await Promise.all(Array.from({ length: 8 }, () => one.session([{ amount: 1000 }])));
    const pay = (h: PaymentHarness, sessionId: string) => h.module.get(PayCheckoutSession).pay(new AttemptPayment(h.accountId, sessionId, h.card(), undefined, {}));
    // Each projection is run by one of the two: the other's waits read the checkpoints from the store.

    const answered = await Promise.all(
      sessions.map(async (sessionId, i) => {
        const through = i % 2 === 0 ? [one, two] : [two, one];
        const startedAt = Date.now();
        const results = await Promise.allSettled(through.map((h) => pay(h, sessionId)));
        const tookMs = Date.now() - startedAt;
        const paid = results.flatMap((result, at) => (result.status === 'fulfilled' ? [{ view: result.value, by: through[at] }] : []));
        for (const result of results) {
          if (result.status === 'rejected') expect(result.reason instanceof WrongExpectedRevision || result.reason?.kind === 'conflict').toBe(true);
        }
        return { sessionId, paid, tookMs };
      }),
    );

    for (const { sessionId, paid, tookMs } of answered) {
      expect(paid).toHaveLength(1);
      expect(paid[0].view.status).toBe('succeeded');
      expect(tookMs).toBeLessThan(4000);
      // Read-your-writes in the process that answered, whichever process runs the payments projection.
      const listed = await paid[0].by.module.get(PaymentsReader).list(one.accountId, { checkoutSessionId: sessionId, limit: 10, offset: 0 });
      expect(listed.items.map((item) => [item.id, item.status])).toEqual([[paid[0].view.id, 'succeeded']]);
      expect(await one.checkoutSession(sessionId)).toMatchObject({ status: 'complete', paymentIds: [paid[0].view.id] });
    }
    expect(one.module.get(LeaseKeeper).holder).not.toBe(two.module.get(LeaseKeeper).holder);
  }, 60_000);
});
