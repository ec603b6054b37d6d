import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AccountsReader } from '../accounts/accounts.reader';
import { SessionPayments } from '../checkout-sessions/session-payments';
import { InProcessLeaseStore } from '../leases/in-process-lease-store';
import { systemClock } from '../random-ids';
import { paymentTiers } from './pay-checkout-session';
import { PaymentCascade, paymentLease } from './payment-cascade';
import { runPaymentCommand } from './payment-stream';
import { ProcessorCall } from './processor-call';
import { PaymentHarness } from './test/payment-harness';

const LEASE_TTL_MS = 600;

/**
 * Two harnesses on one data directory sharing one lease store: two processes of one deployment,
 * each with its own saga, recovery and aggregate cache.
 */
describe('payments driven under their lease by one process of a deployment at a time', () => {
  let dataDir: string;
  let leases: InProcessLeaseStore;
  const running: PaymentHarness[] = [];

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'payment-leases-'));
    leases = new InProcessLeaseStore(systemClock);
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await Promise.all(running.splice(0).map((h) => h.close()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(accountId?: string): Promise<PaymentHarness> {
    const h = await PaymentHarness.start({ dataDir, accountId, leases, env: { LEASE_TTL: `${LEASE_TTL_MS}ms` } });
    running.push(h);
    return h;
  }

  async function eventually(check: () => Promise<boolean>, timeoutMs = 8000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('condition not reached in time');
      await sleep(20);
    }
  }

  /** What a pay records before the saga takes over, as a pay that died right after would leave it. */
  async function startedPayment(h: PaymentHarness, sessionId: string): Promise<string> {
    const paymentId = `pay_stg_${Math.random().toString(36).slice(2)}`;
    await h.module.get(SessionPayments).begin(h.accountId, sessionId, paymentId, {});
    const session = await h.checkoutSession(sessionId);
    const { processorIds } = await h.module.get(AccountsReader).account(h.accountId);
    const start = { type: 'StartPayment' as const, paymentId, checkoutSessionId: sessionId, accountId: h.accountId, tiers: paymentTiers(session, null), card: h.card(), binCountry: null, accountProcessorIds: processorIds };
    await runPaymentCommand(h.runner, start, {});
    return paymentId;
  }

  it('lets the other process wait for the payment the first drives, calling no processor itself, and settle with its outcome', async () => {
    const one = await start();
    await one.processor('Slow', { simulator: { latency_ms: 400 } });
    const sessionId = await one.session([{ amount: 5000 }]);
    const two = await start(one.accountId);
    const callsOfTwo = jest.spyOn(two.module.get(ProcessorCall), 'make');

    const { paymentId, finished } = await one.attempt(sessionId);
    const [byOne, byTwo] = await Promise.all([finished, two.module.get(PaymentCascade).drive(paymentId)]);

    expect(byOne?.state.status).toBe('succeeded');
    expect(byTwo?.state.status).toBe('succeeded');
    expect(callsOfTwo).not.toHaveBeenCalled();
    expect((await one.eventTypes(paymentId)).filter((type) => type === 'ProcessorAttempted')).toHaveLength(1);
    expect(await two.checkoutSession(sessionId)).toMatchObject({ status: 'complete', activePaymentId: null });
  });

  it('leaves a payment whose lease a live process holds to it, and finishes it once that lease lapses', async () => {
    const one = await start();
    await one.processor('Approving');
    const sessionId = await one.session([{ amount: 5000 }]);
    const two = await start(one.accountId);
    const paymentId = await startedPayment(one, sessionId);
    // A process that took the lease and then died: it never renews it.
    expect(await leases.acquire(paymentLease(paymentId), 'dead-process', LEASE_TTL_MS)).toBe(true);
    const takenAt = Date.now();

    await eventually(async () => (await two.checkoutSession(sessionId)).status === 'complete');

    expect(Date.now() - takenAt).toBeGreaterThanOrEqual(LEASE_TTL_MS);
    expect(await one.eventTypes(paymentId)).toEqual(['PaymentStarted', 'TierStarted', 'ProcessorAttempted', 'ProcessorApproved', 'PaymentSucceeded']);
  });
});
