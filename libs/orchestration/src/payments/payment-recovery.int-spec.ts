import { mkdtempSync, rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { ProjectionsService } from '../projections/projections.service';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PaymentStep, nextPaymentStep } from '@payments/domain';
import { WrongExpectedRevision } from '@payments/event-store';
import { AccountsReader } from '../accounts/accounts.reader';
import { SessionPayments } from '../checkout-sessions/session-payments';
import { paymentTiers } from './pay-checkout-session';
import { PaymentRecovery, UNSTARTED_PAYMENT_GRACE_MS } from './payment-recovery';
import { PaymentWorkLog, readLowWaterMark } from './payment-work-log';
import { UpdateProcessor } from '../accounts/accounts.commands';
import { loadPayment, runPaymentCommand } from './payment-stream';
import { ProcessorCall } from './processor-call';
import { TierRoutingResolver } from './tier-routing';
import { PaymentHarness } from './test/payment-harness';

/** A run of the service that stops (as if killed) at a chosen point of a payment, and the run after it on the same data. */
describe('recovery of unfinished payments at start', () => {
  let dataDir: string;
  const running: PaymentHarness[] = [];

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'payments-recovery-'));
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((h) => h.close()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(options: { accountId?: string; clockOffsetMs?: number } = {}): Promise<PaymentHarness> {
    const offset = options.clockOffsetMs ?? 0;
    const h = await PaymentHarness.start({ dataDir, accountId: options.accountId, clock: { now: () => new Date(Date.now() + offset) } });
    running.push(h);
    return h;
  }

  async function stop(h: PaymentHarness): Promise<void> {
    running.splice(running.indexOf(h), 1);
    await h.close();
  }

  /** What AttemptPayment records before the saga takes over: the session's beginning, then PaymentStarted. */
  async function begin(h: PaymentHarness, sessionId: string, options: { start: boolean }): Promise<string> {
    const paymentId = `pay_stg_${Math.random().toString(36).slice(2)}`;
    await h.module.get(SessionPayments).begin(h.accountId, sessionId, paymentId, {});
    if (!options.start) return paymentId;
    const session = await h.checkoutSession(sessionId);
    const { processorIds } = await h.module.get(AccountsReader).account(h.accountId);
    const start = { type: 'StartPayment' as const, paymentId, checkoutSessionId: sessionId, accountId: h.accountId, tiers: paymentTiers(session, null), card: h.card(), binCountry: null, accountProcessorIds: processorIds };
    await runPaymentCommand(h.runner, start, {});
    return paymentId;
  }

  /** The saga's steps, taken by hand up to the first that `stopAt` picks, which is left undone. */
  async function stepUntil(h: PaymentHarness, paymentId: string, stopAt: (step: PaymentStep) => boolean): Promise<PaymentStep> {
    for (;;) {
      const { state } = await loadPayment(h.runner, paymentId);
      if (state.status === 'none') throw new Error('not started');
      const step = nextPaymentStep(state);
      if (stopAt(step)) return step;
      if (step.kind === 'start_tier') {
        const routing = await h.module.get(TierRoutingResolver).resolve(h.accountId, step.route_id, { network: state.payment.card.network, currency: state.payment.tiers[step.tier].currency });
        await runPaymentCommand(h.runner, { type: 'StartNextTier', paymentId, tier: step.tier, routing }, {});
      } else if (step.kind === 'call') {
        await runPaymentCommand(h.runner, await h.module.get(ProcessorCall).make(h.accountId, step), {});
      }
    }
  }

  const isCall = (step: PaymentStep) => step.kind === 'call';
  const isFinished = (step: PaymentStep) => step.kind === 'finished';

  async function eventually(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('condition not reached in time');
      await sleep(20);
    }
  }

  const sessionSettled = (h: PaymentHarness, sessionId: string) => async () => (await h.checkoutSession(sessionId)).activePaymentId === null;

  it('re-sends a call recorded before the crash with the same idempotency key, so the processor charges once', async () => {
    const first = await start();
    await first.processor('Approving');
    const sessionId = await first.session([{ amount: 5000 }]);
    const paymentId = await begin(first, sessionId, { start: true });
    const call = await stepUntil(first, paymentId, isCall);
    if (call.kind !== 'call') throw new Error('expected a pending call');
    // The call reached the processor, whose answer was lost with the process.
    await first.module.get(ProcessorCall).make(first.accountId, call);
    await stop(first);

    const second = await start({ accountId: first.accountId });
    await eventually(sessionSettled(second, sessionId));

    expect(await second.eventTypes(paymentId)).toEqual(['PaymentStarted', 'TierStarted', 'ProcessorAttempted', 'ProcessorApproved', 'PaymentSucceeded']);
    const charges = await second.ledger.chargesFor(call.idempotency_key);
    expect(charges).toEqual([expect.objectContaining({ outcome: 'approved', amount: 5000, requestCount: 2 })]);
    expect((await second.events(paymentId))[4].data).toMatchObject({ auth_code: charges[0].authCode });
    expect(await second.checkoutSession(sessionId)).toMatchObject({ status: 'complete', paymentStatus: 'paid' });
    expect(Object.fromEntries(second.metrics.counts)).toEqual({ [`${call.processor_id}:approved`]: 1, 'payments:succeeded': 1 });
  });

  it('starts the next tier of a payment that stopped between tiers', async () => {
    const first = await start();
    const declining = await first.route({ processors: [{ processor_id: await first.processor('Declining', { simulator: { outcome: 'decline' } }) }] });
    const approving = await first.route({ processors: [{ processor_id: await first.processor('Approving') }] });
    const sessionId = await first.session([
      { amount: 5000, routeId: declining },
      { amount: 4000, routeId: approving },
    ]);
    const paymentId = await begin(first, sessionId, { start: true });
    await stepUntil(first, paymentId, (step) => step.kind === 'start_tier' && step.tier === 1);
    await stop(first);

    const second = await start({ accountId: first.accountId });
    await eventually(sessionSettled(second, sessionId));

    expect(await second.eventTypes(paymentId)).toEqual([
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
    expect((await second.events(paymentId))[5].data).toMatchObject({ tier: 1, route_id: approving });
  });

  it('ends on its session a payment that finished before the session was told', async () => {
    const first = await start();
    await first.processor('Approving');
    const sessionId = await first.session([{ amount: 5000 }]);
    const paymentId = await begin(first, sessionId, { start: true });
    await stepUntil(first, paymentId, isFinished);
    await stop(first);

    const second = await start({ accountId: first.accountId });
    await eventually(sessionSettled(second, sessionId));

    expect(await second.checkoutSession(sessionId)).toMatchObject({ status: 'complete', paymentStatus: 'paid', paymentIds: [paymentId] });
  });

  it('opens the session again for a payment that began but never started, once its grace has passed', async () => {
    const first = await start();
    const sessionId = await first.session([{ amount: 5000 }]);
    const paymentId = await begin(first, sessionId, { start: false });
    await stop(first);

    const second = await start({ accountId: first.accountId, clockOffsetMs: UNSTARTED_PAYMENT_GRACE_MS + 1000 });
    await eventually(sessionSettled(second, sessionId));

    expect(await second.checkoutSession(sessionId)).toMatchObject({ status: 'open', activePaymentId: null, paymentIds: [paymentId] });
    expect(await second.eventTypes(paymentId)).toEqual([]);
  });

  it('leaves a payment that began moments ago to the pay that may still be starting it', async () => {
    const first = await start();
    const sessionId = await first.session([{ amount: 5000 }]);
    const paymentId = await begin(first, sessionId, { start: false });

    const other = await start({ accountId: first.accountId });
    await other.module.get(PaymentRecovery).recover();

    expect(await other.checkoutSession(sessionId)).toMatchObject({ activePaymentId: paymentId });
  });

  it('counts a resumption its caller could not make as a first try, then tries again until the session takes payments again', async () => {
    const h = await start();
    const sessionId = await h.session([{ amount: 5000 }]);
    const paymentId = await begin(h, sessionId, { start: false });

    // As a pay whose start and whose own resumption both failed hands the payment over.
    h.module.get(PaymentRecovery).resumeUntilDone(paymentId, sessionId, { error: new Error('the event store is down') });
    await eventually(sessionSettled(h, sessionId));

    expect(h.metrics.counts.get('retry:resume')).toBe(1);
    expect(await h.checkoutSession(sessionId)).toMatchObject({ status: 'open', activePaymentId: null, paymentIds: [paymentId] });
  });

  it('lets exactly one of concurrent pays of a session begin, across two processes that each hold only their own lock', async () => {
    const one = await start();
    await one.processor('Approving', { simulator: { latency_ms: 50 } });
    const sessionId = await one.session([{ amount: 5000 }]);
    const two = await start({ accountId: one.accountId });

    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? one : two).attempt(sessionId)));

    const begun = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    expect(begun).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') expect(result.reason instanceof WrongExpectedRevision || result.reason?.kind === 'conflict').toBe(true);
    }
    await begun[0].finished;
    expect(await one.checkoutSession(sessionId)).toMatchObject({ status: 'complete', paymentIds: [begun[0].paymentId] });
  });

  /** A payment begun and started as a pay does, left at its first call as if the service died before making it. */
  async function startedUpToItsCall(h: PaymentHarness, sessionId: string): Promise<Extract<PaymentStep, { kind: 'call' }>> {
    const paymentId = await begin(h, sessionId, { start: true });
    const call = await stepUntil(h, paymentId, isCall);
    if (call.kind !== 'call') throw new Error('expected a pending call');
    return call;
  }

  it('finishes a payment left unfinished although the read models lost their documents (as an evicting Redis would) and kept their checkpoints', async () => {
    const first = await start();
    await first.processor('Approving');
    const sessionId = await first.session([{ amount: 5000 }]);
    const call = await startedUpToItsCall(first, sessionId);
    // The projections have seen it all, so their checkpoints say nothing is left to apply.
    let last = 0n;
    for await (const event of first.runner.store.readAll()) last = event.position;
    expect(await first.module.get(ProjectionsService).waitFor(last)).toBe(true);
    await stop(first);
    const readModels = new Database(join(dataDir, 'read-models.db'));
    readModels.exec('DELETE FROM documents; DELETE FROM index_entries;');
    readModels.close();

    const second = await start({ accountId: first.accountId });
    await eventually(sessionSettled(second, sessionId));

    expect(await second.eventTypes(call.payment_id)).toEqual(['PaymentStarted', 'TierStarted', 'ProcessorAttempted', 'ProcessorApproved', 'PaymentSucceeded']);
    expect(await second.ledger.chargesFor(call.idempotency_key)).toHaveLength(1);
  });

  it('moves its low-water mark to just before the oldest payment still owed work, and a start from there finds it', async () => {
    const first = await start();
    await first.processor('Approving');
    const done = await first.pay(await first.session([{ amount: 1000 }]));
    const sessionId = await first.session([{ amount: 5000 }]);
    const call = await startedUpToItsCall(first, sessionId);
    const stored: { type: string; position: bigint; paymentId?: string }[] = [];
    for await (const event of first.runner.store.readAll()) stored.push({ type: event.type, position: event.position, paymentId: (event.data as { payment_id?: string }).payment_id });

    await first.module.get(PaymentWorkLog).moveMark();

    const mark = await readLowWaterMark(first.runner.store);
    const lastOfDone = stored.filter((event) => event.paymentId === done).at(-1)!.position;
    const beganPending = stored.find((event) => event.type === 'SessionPaymentBegan' && event.paymentId === call.payment_id)!.position;
    expect(mark).toBeGreaterThanOrEqual(lastOfDone);
    expect(mark).toBeLessThan(beganPending);
    await stop(first);

    const second = await start({ accountId: first.accountId });
    await eventually(sessionSettled(second, sessionId));
    expect(await second.eventTypes(call.payment_id)).toContain('PaymentSucceeded');
  });

  it('writes no new mark while nothing but its own marks was appended', async () => {
    const first = await start();
    await first.processor('Approving');
    await first.pay(await first.session([{ amount: 1000 }]));
    const log = first.module.get(PaymentWorkLog);

    for (let round = 0; round < 5; round++) {
      await log.moveMark();
      // Time for the live subscription to see the mark just written, as the next interval would.
      await sleep(100);
    }

    let marks = 0;
    for await (const event of first.runner.store.readAll()) if (event.type === 'PaymentWorkLowWaterMarkAdvanced') marks++;
    expect(marks).toBe(1);
  });

  it('re-sends a call with the processor settings its tier was planned with, not those a change made since', async () => {
    const first = await start();
    const processorId = await first.processor('Approving, then declining');
    const sessionId = await first.session([{ amount: 5000 }]);
    const call = await startedUpToItsCall(first, sessionId);
    await first.commands.execute(new UpdateProcessor(first.accountId, processorId, { simulator: { outcome: 'decline', decline_code: '05' } }, {}));
    await stop(first);

    const second = await start({ accountId: first.accountId });
    await eventually(sessionSettled(second, sessionId));

    expect(call.processor_revision).toBe(0);
    expect(await second.eventTypes(call.payment_id)).toEqual(['PaymentStarted', 'TierStarted', 'ProcessorAttempted', 'ProcessorApproved', 'PaymentSucceeded']);
  });
});
