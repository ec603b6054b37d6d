import Redis from 'ioredis';
import { TestRedis, openTestRedis } from '../../../read-models/test/test-redis';
import { RedisSimulatorLedger } from './redis-simulator-ledger';
import { SimulatorConnector } from './simulator-connector';
import { simulatorProfile, tryOnce, visaRequest } from './simulator-fixtures';
import { describeSimulatorIdempotency } from './simulator-idempotency.contract';
import { SimulatorAnswer, SimulatorCharge, SimulatorOperationRequest } from './simulator-ledger';
import { decideSimulatorOperation } from './simulator-operations';

describe('RedisSimulatorLedger', () => {
  const opened: TestRedis[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((test) => test.dispose()));
  });
  const openTest = async (): Promise<TestRedis> => {
    const test = await openTestRedis();
    opened.push(test);
    return test;
  };

  // Every test of the contract starts from an empty ledger: a key prefix of its own.
  describeSimulatorIdempotency('redis', async () => new RedisSimulatorLedger((await openTest()).redis));

  it('keeps its keys under simulator: in the client key prefix', async () => {
    const test = await openTest();
    await new SimulatorConnector(new RedisSimulatorLedger(test.redis)).authorize(simulatorProfile({ outcome: 'approve' }), visaRequest, tryOnce('key_1'));

    const found = await test.keys();
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((key) => key.startsWith(`${test.prefix}simulator:`))).toBe(true);
  });

  it('keeps a processor id and a key apart however their colons fall', async () => {
    const ledger = new RedisSimulatorLedger((await openTest()).redis);
    const answer = (processorId: string, idempotencyKey: string): SimulatorAnswer => ({
      processorId,
      idempotencyKey,
      paymentId: 'pay_1',
      amount: 100,
      currency: 'USD',
      outcome: 'declined',
      approved: false,
      captureMethod: 'automatic',
    });

    await ledger.record(answer('a:b', 'c'));
    const other = await ledger.record(answer('a', 'b:c'));

    expect(other.replayed).toBe(false);
    expect(await ledger.countCharges()).toBe(2);
  });

  /**
   * The script holds its own copy of the rules, so it is held to decideSimulatorOperation on every
   * state an authorization can be in and every kind of request: outcome, code and what changed.
   */
  it('decides every capture, void and refund as decideSimulatorOperation does', async () => {
    const ledger = new RedisSimulatorLedger((await openTest()).redis);
    const base = { processorId: 'proc_1', paymentId: 'pay_1', amount: 1999, currency: 'USD', outcome: 'approved' as const, approved: true, authCode: 'AB12CD' };
    /** Each state as an answer and the operations that bring an authorization to it. */
    const states: Array<{ name: string; answer: Omit<SimulatorAnswer, 'idempotencyKey'>; before: Array<Omit<SimulatorOperationRequest, 'processorId' | 'idempotencyKey' | 'authorizationKey'>> }> = [
      { name: 'declined', answer: { ...base, outcome: 'declined', approved: false, authCode: undefined, captureMethod: 'manual' }, before: [] },
      { name: 'authorized', answer: { ...base, captureMethod: 'manual' }, before: [] },
      { name: 'voided', answer: { ...base, captureMethod: 'manual' }, before: [{ kind: 'void' }] },
      { name: 'partly captured', answer: { ...base, captureMethod: 'manual' }, before: [{ kind: 'capture', amount: 500, currency: 'USD' }] },
      { name: 'sale', answer: { ...base, captureMethod: 'automatic' }, before: [] },
      { name: 'partly refunded', answer: { ...base, captureMethod: 'automatic' }, before: [{ kind: 'refund', amount: 1500, currency: 'USD' }] },
      { name: 'refunded', answer: { ...base, captureMethod: 'automatic' }, before: [{ kind: 'refund', amount: 1999, currency: 'USD' }] },
    ];
    const amounts = [1, 499, 500, 501, 1999, 2000, 0, -5, 10.5, Number.NaN, undefined];
    const requests: Array<Omit<SimulatorOperationRequest, 'processorId' | 'idempotencyKey' | 'authorizationKey'>> = [];
    for (const authCode of [undefined, 'AB12CD', 'ZZZZZZ', '']) {
      requests.push({ kind: 'void', authCode });
      for (const amount of amounts)
        for (const currency of ['USD', 'EUR', undefined]) {
          requests.push({ kind: 'capture', amount, currency, authCode });
          for (const refundOutcome of ['succeed', 'fail'] as const) requests.push({ kind: 'refund', amount, currency, authCode, refundOutcome });
        }
    }

    let cases = 0;
    const mismatches: string[] = [];
    const reached = new Set<string>();
    for (const state of [...states, undefined]) {
      await Promise.all(
        requests.map(async (shape, index) => {
          const authorizationKey = `${state?.name ?? 'none'}:${index}`;
          if (state) {
            await ledger.record({ ...state.answer, idempotencyKey: authorizationKey });
            for (const [step, earlier] of state.before.entries())
              await ledger.apply({ ...earlier, processorId: 'proc_1', idempotencyKey: `${authorizationKey}:before:${step}`, authorizationKey });
          }
          const before = await ledger.authorization('proc_1', authorizationKey);
          const request: SimulatorOperationRequest = { ...shape, processorId: 'proc_1', idempotencyKey: `${authorizationKey}:op`, authorizationKey };
          const expected = decideSimulatorOperation(before, request);
          const { operation } = await ledger.apply(request);
          const after = await ledger.authorization('proc_1', authorizationKey);
          const expectedAfter: SimulatorCharge | undefined = before && { ...before, ...(expected.outcome === 'succeeded' ? expected.change : {}) };
          cases++;
          reached.add(`${request.kind}:${expected.outcome === 'failed' ? expected.code : expected.outcome}`);
          const got = { outcome: operation.outcome, code: operation.code, after };
          const want = { outcome: expected.outcome, code: expected.outcome === 'failed' ? expected.code : undefined, after: expectedAfter };
          if (JSON.stringify(got) !== JSON.stringify(want)) mismatches.push(`${state?.name ?? 'none'} ${JSON.stringify(shape)}: ${JSON.stringify(got)} instead of ${JSON.stringify(want)}`);
        }),
      );
    }

    expect(mismatches).toEqual([]);
    expect(cases).toBe(requests.length * (states.length + 1));
    // Every rule was reached, so none of them went unchecked.
    expect([...reached].sort()).toEqual(
      [
        'capture:already_captured',
        'capture:amount_exceeds_authorized',
        'capture:auth_code_mismatch',
        'capture:authorization_not_approved',
        'capture:authorization_not_found',
        'capture:authorization_voided',
        'capture:currency_mismatch',
        'capture:invalid_amount',
        'capture:succeeded',
        'refund:amount_exceeds_captured',
        'refund:auth_code_mismatch',
        'refund:authorization_not_approved',
        'refund:authorization_not_found',
        'refund:authorization_voided',
        'refund:currency_mismatch',
        'refund:invalid_amount',
        'refund:not_captured',
        'refund:refund_declined',
        'refund:succeeded',
        'void:already_captured',
        'void:already_voided',
        'void:auth_code_mismatch',
        'void:authorization_not_approved',
        'void:authorization_not_found',
        'void:succeeded',
      ].sort(),
    );
  }, 60_000);

  describe('shared by two processes (two clients on one Redis)', () => {
    let here: RedisSimulatorLedger;
    let there: RedisSimulatorLedger;
    let other: Redis;
    const approving = simulatorProfile({ outcome: 'approve' });

    beforeEach(async () => {
      const test = await openTest();
      // Another connection with the same key prefix, as a second process of the deployment has.
      other = test.redis.duplicate();
      here = new RedisSimulatorLedger(test.redis);
      there = new RedisSimulatorLedger(other);
    });
    afterEach(() => other.quit());

    const connector = (i: number) => new SimulatorConnector(i % 2 === 0 ? here : there);

    it('records one charge when both send the same idempotency key at once, and both answer it', async () => {
      const sends = 20;
      const answers = await Promise.all(Array.from({ length: sends }, (_, i) => connector(i).authorize(approving, visaRequest, tryOnce('key_1'))));

      expect(await here.countCharges()).toBe(1);
      expect(await there.chargesFor('key_1')).toEqual([expect.objectContaining({ approved: true, capturedAmount: 1999, requestCount: sends })]);
      expect(new Set(answers.map((answer) => `${answer.outcome}:${answer.authCode}`)).size).toBe(1);
    });

    it('never refunds more than captured when both refund one charge at once, 1 % at a time', async () => {
      await new SimulatorConnector(here).authorize(approving, { ...visaRequest, amount: 1000 }, tryOnce('sale_1'));

      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          connector(i).refund(approving, { authorizationKey: 'sale_1', amount: 10, currency: 'USD' }, { idempotencyKey: `re_${i}`, timeoutMs: 10_000 }),
        ),
      );

      expect(answers.filter((answer) => answer.outcome === 'succeeded')).toHaveLength(100);
      expect(await there.authorization('proc_stg_sim', 'sale_1')).toMatchObject({ capturedAmount: 1000, refundedAmount: 1000 });
      const refunds = await here.operationsOn('proc_stg_sim', 'sale_1');
      expect(refunds).toHaveLength(200);
      expect(refunds.filter((refund) => refund.outcome === 'succeeded').reduce((sum, refund) => sum + (refund.amount ?? 0), 0)).toBe(1000);
      expect(new Set(refunds.filter((refund) => refund.outcome === 'failed').map((refund) => refund.code))).toEqual(new Set(['amount_exceeds_captured']));
    }, 30_000);

    it('refunds once when both send the same refund key at once', async () => {
      await new SimulatorConnector(here).authorize(approving, { ...visaRequest, amount: 1000 }, tryOnce('sale_1'));

      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          connector(i).refund(approving, { authorizationKey: 'sale_1', amount: 300, currency: 'USD' }, { idempotencyKey: 're_1', timeoutMs: 10_000 }),
        ),
      );

      expect(answers.every((answer) => answer.outcome === 'succeeded')).toBe(true);
      expect(await here.authorization('proc_stg_sim', 'sale_1')).toMatchObject({ refundedAmount: 300 });
      expect(await there.operationsFor('re_1')).toEqual([expect.objectContaining({ outcome: 'succeeded', amount: 300, requestCount: 10 })]);
    });

    it('keeps one answer for a key sent at once against two authorizations, changing only the first', async () => {
      await new SimulatorConnector(here).authorize(approving, visaRequest, tryOnce('auth_1', { captureMethod: 'manual' }));
      await new SimulatorConnector(here).authorize(approving, visaRequest, tryOnce('auth_2', { captureMethod: 'manual' }));

      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          connector(i).void(approving, { authorizationKey: i % 4 < 2 ? 'auth_1' : 'auth_2' }, { idempotencyKey: 'void_1', timeoutMs: 10_000 }),
        ),
      );

      const [operation, ...more] = await here.operationsFor('void_1');
      expect(more).toEqual([]);
      expect(operation).toMatchObject({ outcome: 'succeeded', requestCount: 10 });
      const voided = await Promise.all(['auth_1', 'auth_2'].map(async (key) => (await there.authorization('proc_stg_sim', key))?.voided));
      expect(voided).toEqual(operation.authorizationKey === 'auth_1' ? [true, false] : [false, true]);
    });
  });
});
