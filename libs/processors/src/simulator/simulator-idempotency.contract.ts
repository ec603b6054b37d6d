import { AuthorizeOptions, ProcessorProfile, SimulatorSettings } from '../connector';
import { SimulatorConnector } from './simulator-connector';
import { simulatorProfile, tryOnce, visaRequest } from './simulator-fixtures';
import { SimulatorLedger, isLiveCharge } from './simulator-ledger';

/**
 * What the simulated processor promises, run against every SimulatorLedger implementation:
 * every call idempotent by its key, the rules of capture, void and refund, approvals whose answer
 * is lost, and a ledger that shows every charge as it stands.
 */
export function describeSimulatorIdempotency(ledgerName: string, openLedger: () => SimulatorLedger | Promise<SimulatorLedger>): void {
  describe(`simulator idempotency with the ${ledgerName} ledger`, () => {
    let ledger: SimulatorLedger;
    let simulator: SimulatorConnector;

    beforeEach(async () => {
      ledger = await openLedger();
      simulator = new SimulatorConnector(ledger);
    });

    afterEach(() => ledger.close());

    const approving = simulatorProfile({ outcome: 'approve' });
    const op = (idempotencyKey: string, timeoutMs = 5000) => ({ idempotencyKey, timeoutMs });
    const authorize = (key: string, profile: ProcessorProfile = approving, overrides: Partial<AuthorizeOptions> = {}) =>
      simulator.authorize(profile, visaRequest, tryOnce(key, overrides));
    const capture = (authorizationKey: string, amount: number, key: string, profile: ProcessorProfile = approving) =>
      simulator.capture(profile, { authorizationKey, amount, currency: 'USD' }, op(key));
    const refund = (authorizationKey: string, amount: number, key: string, profile: ProcessorProfile = approving) =>
      simulator.refund(profile, { authorizationKey, amount, currency: 'USD' }, op(key));
    const voidIt = (authorizationKey: string, key: string, profile: ProcessorProfile = approving) => simulator.void(profile, { authorizationKey }, op(key));
    const charge = async (key: string) => (await ledger.authorization('proc_stg_sim', key))!;

    describe('authorizations', () => {
      it('answers a repeated key with the first answer even after the settings changed', async () => {
        const first = await authorize('key_1');
        const again = await authorize('key_1', simulatorProfile({ outcome: 'decline', decline_code: '51' }));

        expect(first).toMatchObject({ outcome: 'approved', uncertain: false, authCode: expect.stringMatching(/^[A-Z0-9]{6}$/) });
        expect(again).toMatchObject({ outcome: 'approved', authCode: first.authCode });
      });

      it('charges a repeated key once and counts the re-sends', async () => {
        const profile = simulatorProfile({ outcome: 'decline', decline_code: '14' });
        await authorize('key_1', profile);
        await authorize('key_1', profile);
        await authorize('key_1', profile);

        expect(await ledger.chargesFor('key_1')).toEqual([
          expect.objectContaining({
            processorId: 'proc_stg_sim',
            idempotencyKey: 'key_1',
            paymentId: 'pay_stg_1',
            amount: 1999,
            currency: 'USD',
            outcome: 'declined',
            code: '14',
            approved: false,
            requestCount: 3,
          }),
        ]);
        expect(await ledger.countCharges()).toBe(1);
      });

      it('charges each new key', async () => {
        await authorize('key_1');
        await authorize('key_2');

        expect(await ledger.countCharges()).toBe(2);
      });

      it('keeps the same key apart on two processors', async () => {
        const onA = await authorize('key_1', simulatorProfile({ outcome: 'approve' }, 'proc_stg_a'));
        const onB = await authorize('key_1', simulatorProfile({ outcome: 'error' }, 'proc_stg_b'));

        expect(onA.outcome).toBe('approved');
        expect(onB.outcome).toBe('error');
        expect((await ledger.chargesFor('key_1')).map((each) => each.processorId)).toEqual(['proc_stg_a', 'proc_stg_b']);
      });

      it('records the answer as soon as it is decided, before the latency has passed', async () => {
        const answer = authorize('key_1', simulatorProfile({ outcome: 'approve', latency_ms: 300 }));
        await new Promise((resolve) => setTimeout(resolve, 100));

        expect(await ledger.chargesFor('key_1')).toEqual([expect.objectContaining({ outcome: 'approved', requestCount: 1 })]);
        await answer;
      });

      it('answers a re-sent key at once instead of waiting for the latency again', async () => {
        const profile = simulatorProfile({ outcome: 'approve', latency_ms: 300 });
        await authorize('key_1', profile);
        const again = await authorize('key_1', profile);

        expect(again.outcome).toBe('approved');
        expect(again.durationMs).toBeLessThan(150);
      });

      it('answers a re-sent key that timed out with a timeout again', async () => {
        await authorize('key_1', simulatorProfile({ outcome: 'timeout' }), { timeoutMs: 50 });
        const again = await authorize('key_1', approving, { timeoutMs: 50 });

        expect(again).toMatchObject({ outcome: 'timeout', uncertain: true });
      });

      it('takes the whole amount with an approval by default, a live charge', async () => {
        await authorize('key_1');

        expect(await charge('key_1')).toMatchObject({ approved: true, captureMethod: 'automatic', capturedAmount: 1999, voided: false, refundedAmount: 0 });
        expect(isLiveCharge(await charge('key_1'))).toBe(true);
      });

      it('only holds the amount when the capture is manual, a live charge too', async () => {
        await authorize('key_1', approving, { captureMethod: 'manual' });

        expect(await charge('key_1')).toMatchObject({ approved: true, captureMethod: 'manual', capturedAmount: 0 });
        expect(isLiveCharge(await charge('key_1'))).toBe(true);
      });

      it.each<[string, SimulatorSettings]>([
        ['a decline', { outcome: 'decline' }],
        ['a timeout', { outcome: 'timeout' }],
        ['an error', { outcome: 'error' }],
      ])('keeps no live charge for %s', async (_, settings) => {
        await authorize('key_1', simulatorProfile(settings), { timeoutMs: 50 });

        expect(await charge('key_1')).toMatchObject({ approved: false, capturedAmount: 0 });
        expect(isLiveCharge(await charge('key_1'))).toBe(false);
      });
    });

    describe('charge_on_timeout', () => {
      it('with outcome timeout answers an uncertain timeout but keeps the charge, and status tells the approval', async () => {
        const profile = simulatorProfile({ outcome: 'timeout', charge_on_timeout: true });

        const answer = await authorize('key_1', profile, { timeoutMs: 50 });
        const again = await authorize('key_1', profile, { timeoutMs: 50 });

        expect(answer).toMatchObject({ outcome: 'timeout', uncertain: true });
        expect(again).toMatchObject({ outcome: 'timeout', uncertain: true });
        const kept = await charge('key_1');
        expect(kept).toMatchObject({ outcome: 'timeout', approved: true, capturedAmount: 1999, requestCount: 2 });
        expect(isLiveCharge(kept)).toBe(true);
        expect(await simulator.status(profile, 'key_1', { timeoutMs: 1000 })).toEqual({
          outcome: 'approved',
          authCode: kept.authCode,
          state: 'captured',
          capturedAmount: 1999,
          refundedAmount: 0,
          durationMs: expect.any(Number),
        });
      });

      it('with outcome error answers an uncertain error without the auth code, and keeps the charge', async () => {
        const profile = simulatorProfile({ outcome: 'error', charge_on_timeout: true });

        const answer = await authorize('key_1', profile, { captureMethod: 'manual' });

        expect(answer).toEqual({ outcome: 'error', uncertain: true, message: expect.any(String), durationMs: expect.any(Number) });
        expect(await simulator.status(profile, 'key_1', { timeoutMs: 1000 })).toMatchObject({ outcome: 'approved', authCode: expect.any(String), state: 'authorized' });
      });

      it('leaves a declined card declined', async () => {
        const profile = simulatorProfile({ outcome: 'timeout', charge_on_timeout: true });

        await simulator.authorize(profile, { ...visaRequest, card: { network: 'visa', bin: '400000', last4: '9995' } }, tryOnce('key_1'));

        expect(await simulator.status(profile, 'key_1', { timeoutMs: 1000 })).toMatchObject({ outcome: 'declined', code: '51' });
      });
    });

    describe('approval_rate', () => {
      it('answers every try of a payment at a processor alike', async () => {
        const profile = simulatorProfile({ outcome: 'decline', approval_rate: 0.5 });
        const payments = Array.from({ length: 20 }, (_, index) => `pay_stg_${index}`);
        const tryAll = (attempt: number) =>
          Promise.all(payments.map((paymentId) => simulator.authorize(profile, { ...visaRequest, paymentId }, tryOnce(`${paymentId}:0:${attempt}`))));

        const first = (await tryAll(1)).map((answer) => answer.outcome);
        const second = (await tryAll(2)).map((answer) => answer.outcome);

        expect(second).toEqual(first);
        expect(new Set(first)).toEqual(new Set(['approved', 'declined']));
      });
    });

    describe('status', () => {
      it('answers not_found for a key the processor never saw, also one another processor saw', async () => {
        await authorize('key_1', simulatorProfile({ outcome: 'approve' }, 'proc_stg_other'));

        expect(await simulator.status(approving, 'key_1', { timeoutMs: 1000 })).toEqual({ outcome: 'not_found', durationMs: expect.any(Number) });
      });

      it('answers declined with the code for a decline, and declined for a timeout that charged nothing', async () => {
        await authorize('key_1', simulatorProfile({ outcome: 'decline', decline_code: '61' }));
        await authorize('key_2', simulatorProfile({ outcome: 'timeout' }), { timeoutMs: 50 });

        expect(await simulator.status(approving, 'key_1', { timeoutMs: 1000 })).toEqual({ outcome: 'declined', code: '61', durationMs: expect.any(Number) });
        expect(await simulator.status(approving, 'key_2', { timeoutMs: 1000 })).toEqual({ outcome: 'declined', durationMs: expect.any(Number) });
      });

      it('tells a live, a captured and a voided authorization apart, with the amounts', async () => {
        const manual = { captureMethod: 'manual' as const };
        await authorize('live', approving, manual);
        await authorize('captured', approving, manual);
        await capture('captured', 1500, 'cap_1');
        await refund('captured', 500, 're_1');
        await authorize('voided', approving, manual);
        await voidIt('voided', 'void_1');

        const states = await Promise.all(['live', 'captured', 'voided'].map((key) => simulator.status(approving, key, { timeoutMs: 1000 })));

        expect(states).toEqual([
          expect.objectContaining({ outcome: 'approved', state: 'authorized', capturedAmount: 0, refundedAmount: 0 }),
          expect.objectContaining({ outcome: 'approved', state: 'captured', capturedAmount: 1500, refundedAmount: 500 }),
          expect.objectContaining({ outcome: 'approved', state: 'voided', capturedAmount: 0, refundedAmount: 0 }),
        ]);
      });
    });

    describe('capture', () => {
      beforeEach(() => authorize('auth_1', approving, { captureMethod: 'manual' }));

      it('captures part of a live authorization, once', async () => {
        const first = await capture('auth_1', 1200, 'cap_1');
        const second = await capture('auth_1', 799, 'cap_2');

        expect(first).toEqual({ outcome: 'succeeded', durationMs: expect.any(Number) });
        expect(second).toMatchObject({ outcome: 'failed', code: 'already_captured' });
        expect(await charge('auth_1')).toMatchObject({ capturedAmount: 1200 });
      });

      it('answers a repeated key with the first answer and captures once', async () => {
        await capture('auth_1', 1999, 'cap_1');
        const again = await capture('auth_1', 1999, 'cap_1');

        expect(again).toMatchObject({ outcome: 'succeeded' });
        expect(await ledger.operationsFor('cap_1')).toEqual([
          expect.objectContaining({ kind: 'capture', authorizationKey: 'auth_1', amount: 1999, currency: 'USD', outcome: 'succeeded', requestCount: 2 }),
        ]);
        expect(await charge('auth_1')).toMatchObject({ capturedAmount: 1999 });
      });

      it('answers a repeated key of a refused capture with the refusal, even when the capture would now pass', async () => {
        await capture('auth_1', 5000, 'cap_1');
        const again = await capture('auth_1', 1000, 'cap_1');

        expect(again).toMatchObject({ outcome: 'failed', code: 'amount_exceeds_authorized' });
        expect(await charge('auth_1')).toMatchObject({ capturedAmount: 0 });
      });

      it('refuses more than the authorized amount, changing nothing', async () => {
        expect(await capture('auth_1', 2000, 'cap_1')).toMatchObject({ outcome: 'failed', code: 'amount_exceeds_authorized' });
        expect(await capture('auth_1', 1999, 'cap_2')).toMatchObject({ outcome: 'succeeded' });
      });

      it.each([
        ['nothing', 0, 'invalid_amount'],
        ['a negative amount', -5, 'invalid_amount'],
        ['a fraction', 10.5, 'invalid_amount'],
      ])('refuses to capture %s', async (_, amount, code) => {
        expect(await capture('auth_1', amount, 'cap_1')).toMatchObject({ outcome: 'failed', code });
      });

      it('refuses another currency and another auth code', async () => {
        expect(await simulator.capture(approving, { authorizationKey: 'auth_1', amount: 100, currency: 'EUR' }, op('cap_1'))).toMatchObject({
          outcome: 'failed',
          code: 'currency_mismatch',
        });
        expect(await simulator.capture(approving, { authorizationKey: 'auth_1', authCode: 'ZZZZZZ', amount: 100, currency: 'USD' }, op('cap_2'))).toMatchObject({
          outcome: 'failed',
          code: 'auth_code_mismatch',
        });
        const { authCode } = await charge('auth_1');
        expect(await simulator.capture(approving, { authorizationKey: 'auth_1', authCode, amount: 100, currency: 'USD' }, op('cap_3'))).toMatchObject({
          outcome: 'succeeded',
        });
      });

      it('refuses an authorization it never made, a declined one, a voided one and a sale', async () => {
        await authorize('declined', simulatorProfile({ outcome: 'decline' }));
        await authorize('sale');
        await voidIt('auth_1', 'void_1');

        expect(await capture('nope', 1, 'cap_1')).toMatchObject({ outcome: 'failed', code: 'authorization_not_found' });
        expect(await capture('declined', 1, 'cap_2')).toMatchObject({ outcome: 'failed', code: 'authorization_not_approved' });
        expect(await capture('auth_1', 1, 'cap_3')).toMatchObject({ outcome: 'failed', code: 'authorization_voided' });
        expect(await capture('sale', 1, 'cap_4')).toMatchObject({ outcome: 'failed', code: 'already_captured' });
      });

      it('captures the authorization of its own processor only', async () => {
        expect(await capture('auth_1', 1, 'cap_1', simulatorProfile({ outcome: 'approve' }, 'proc_stg_other'))).toMatchObject({
          outcome: 'failed',
          code: 'authorization_not_found',
        });
      });
    });

    describe('void', () => {
      beforeEach(() => authorize('auth_1', approving, { captureMethod: 'manual' }));

      it('releases a live authorization, which then is no live charge and cannot be captured', async () => {
        expect(await voidIt('auth_1', 'void_1')).toEqual({ outcome: 'succeeded', durationMs: expect.any(Number) });

        expect(isLiveCharge(await charge('auth_1'))).toBe(false);
        expect(await capture('auth_1', 1999, 'cap_1')).toMatchObject({ outcome: 'failed', code: 'authorization_voided' });
      });

      it('answers a repeated key with its success, and another key with already_voided', async () => {
        await voidIt('auth_1', 'void_1');

        expect(await voidIt('auth_1', 'void_1')).toMatchObject({ outcome: 'succeeded' });
        expect(await voidIt('auth_1', 'void_2')).toMatchObject({ outcome: 'failed', code: 'already_voided' });
        expect((await ledger.operationsOn('proc_stg_sim', 'auth_1')).map(({ idempotencyKey, outcome, requestCount }) => ({ idempotencyKey, outcome, requestCount }))).toEqual([
          { idempotencyKey: 'void_1', outcome: 'succeeded', requestCount: 2 },
          { idempotencyKey: 'void_2', outcome: 'failed', requestCount: 1 },
        ]);
      });

      it('refuses a captured authorization', async () => {
        await capture('auth_1', 1000, 'cap_1');

        expect(await voidIt('auth_1', 'void_1')).toMatchObject({ outcome: 'failed', code: 'already_captured' });
        expect(isLiveCharge(await charge('auth_1'))).toBe(true);
      });
    });

    describe('refund', () => {
      beforeEach(() => authorize('sale_1'));

      it('refunds in parts up to the captured amount, and no further', async () => {
        expect(await refund('sale_1', 1000, 're_1')).toEqual({ outcome: 'succeeded', durationMs: expect.any(Number) });
        expect(await refund('sale_1', 999, 're_2')).toMatchObject({ outcome: 'succeeded' });
        expect(await refund('sale_1', 1, 're_3')).toMatchObject({ outcome: 'failed', code: 'amount_exceeds_captured' });

        expect(await charge('sale_1')).toMatchObject({ capturedAmount: 1999, refundedAmount: 1999 });
        expect(isLiveCharge(await charge('sale_1'))).toBe(false);
      });

      it('refunds no more than a partial capture', async () => {
        await authorize('auth_1', approving, { captureMethod: 'manual' });
        await capture('auth_1', 500, 'cap_1');

        expect(await refund('auth_1', 501, 're_1')).toMatchObject({ outcome: 'failed', code: 'amount_exceeds_captured' });
        expect(await refund('auth_1', 500, 're_2')).toMatchObject({ outcome: 'succeeded' });
      });

      it('answers a repeated key with the first answer and refunds once', async () => {
        await refund('sale_1', 700, 're_1');
        await refund('sale_1', 700, 're_1');
        await refund('sale_1', 700, 're_1');

        expect(await charge('sale_1')).toMatchObject({ refundedAmount: 700 });
        expect(await ledger.operationsFor('re_1')).toEqual([expect.objectContaining({ kind: 'refund', amount: 700, outcome: 'succeeded', requestCount: 3 })]);
      });

      it('refuses an authorization that was not captured, and one that was voided', async () => {
        await authorize('auth_1', approving, { captureMethod: 'manual' });
        await authorize('auth_2', approving, { captureMethod: 'manual' });
        await voidIt('auth_2', 'void_1');

        expect(await refund('auth_1', 1, 're_1')).toMatchObject({ outcome: 'failed', code: 'not_captured' });
        expect(await refund('auth_2', 1, 're_2')).toMatchObject({ outcome: 'failed', code: 'authorization_voided' });
      });

      it('fails definitely with refund_outcome fail, refunding nothing, and its key keeps the failure', async () => {
        const failing = simulatorProfile({ outcome: 'approve', refund_outcome: 'fail' });

        expect(await refund('sale_1', 500, 're_1', failing)).toEqual({ outcome: 'failed', code: 'refund_declined', durationMs: expect.any(Number) });
        expect(await refund('sale_1', 500, 're_1', approving)).toMatchObject({ outcome: 'failed', code: 'refund_declined' });
        expect(await charge('sale_1')).toMatchObject({ refundedAmount: 0 });
        expect(await refund('sale_1', 500, 're_2', approving)).toMatchObject({ outcome: 'succeeded' });
      });

      it('keeps the keys of captures, voids and refunds apart', async () => {
        await authorize('auth_1', approving, { captureMethod: 'manual' });
        await capture('auth_1', 1999, 'op_1');

        expect(await refund('auth_1', 100, 'op_1')).toMatchObject({ outcome: 'succeeded' });
        expect(await voidIt('auth_1', 'op_1')).toMatchObject({ outcome: 'failed', code: 'already_captured' });
        expect((await ledger.operationsFor('op_1')).map((each) => each.kind)).toEqual(['capture', 'refund', 'void']);
      });

      it('records a refund as soon as it is decided, before the latency has passed', async () => {
        const slow = simulatorProfile({ outcome: 'approve', latency_ms: 300 });
        const answer = refund('sale_1', 100, 're_1', slow);
        await new Promise((resolve) => setTimeout(resolve, 100));

        expect(await charge('sale_1')).toMatchObject({ refundedAmount: 100 });
        expect(await answer).toMatchObject({ outcome: 'succeeded' });
        const again = await refund('sale_1', 100, 're_1', slow);
        expect(again.durationMs).toBeLessThan(150);
      });
    });

    describe("a payment's charges", () => {
      it('voids an approval whose answer was lost, leaving one live charge for the payment', async () => {
        const lost = simulatorProfile({ outcome: 'timeout', charge_on_timeout: true }, 'proc_stg_late');
        await simulator.authorize(lost, visaRequest, tryOnce('pay_stg_1:0:1', { timeoutMs: 50, captureMethod: 'manual' }));
        await authorize('pay_stg_1:0:2');

        expect(await simulator.void(lost, { authorizationKey: 'pay_stg_1:0:1' }, op('pay_stg_1:0:1:void'))).toMatchObject({ outcome: 'succeeded' });

        const charges = await ledger.chargesForPayment('pay_stg_1');
        expect(charges.map(({ processorId, idempotencyKey, voided }) => ({ processorId, idempotencyKey, voided }))).toEqual([
          { processorId: 'proc_stg_late', idempotencyKey: 'pay_stg_1:0:1', voided: true },
          { processorId: 'proc_stg_sim', idempotencyKey: 'pay_stg_1:0:2', voided: false },
        ]);
        expect(charges.filter(isLiveCharge).map((each) => each.idempotencyKey)).toEqual(['pay_stg_1:0:2']);
      });
    });
  });
}
