import { Pool } from 'pg';
import { TestDatabase, createTestDatabase, describeWithPostgres, openTestPool } from '../../../../test/support/test-postgres';
import { PostgresSimulatorLedger } from './postgres-simulator-ledger';
import { SimulatorConnector } from './simulator-connector';
import { simulatorProfile, tryOnce, visaRequest } from './simulator-fixtures';
import { describeSimulatorIdempotency } from './simulator-idempotency.contract';

describeWithPostgres('PostgresSimulatorLedger', () => {
  let database: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    database = await createTestDatabase();
    pool = openTestPool(database.url);
  });
  afterAll(async () => {
    await pool.end();
    await database.drop();
  });

  // Every test of the contract starts from an empty ledger, as its sqlite and memory runs do.
  describeSimulatorIdempotency('postgres', async () => {
    const ledger = await PostgresSimulatorLedger.open(pool);
    await pool.query('TRUNCATE simulator_charges, simulator_operations');
    return ledger;
  });

  describe('shared by two processes (two pools on one database)', () => {
    let other: Pool;
    let here: PostgresSimulatorLedger;
    let there: PostgresSimulatorLedger;

    beforeEach(async () => {
      other = openTestPool(database.url);
      // Both migrate at once, as two processes starting together do.
      [here, there] = await Promise.all([PostgresSimulatorLedger.open(pool), PostgresSimulatorLedger.open(other)]);
      await pool.query('TRUNCATE simulator_charges, simulator_operations');
    });
    afterEach(() => other.end());

    it('records one charge when both send the same idempotency key at once, and both answer it', async () => {
      const approving = simulatorProfile({ outcome: 'approve' });
      const sends = 20;
      const answers = await Promise.all(
        Array.from({ length: sends }, (_, i) => new SimulatorConnector(i % 2 === 0 ? here : there).authorize(approving, visaRequest, tryOnce('key_1'))),
      );

      expect(await here.countCharges()).toBe(1);
      expect(await there.chargesFor('key_1')).toEqual([expect.objectContaining({ approved: true, capturedAmount: 1999, requestCount: sends })]);
      expect(new Set(answers.map((answer) => `${answer.outcome}:${answer.authCode}`)).size).toBe(1);
    });

    it('never refunds more than captured when both refund one charge at once, 1 % at a time', async () => {
      const approving = simulatorProfile({ outcome: 'approve' });
      await new SimulatorConnector(here).authorize(approving, { ...visaRequest, amount: 1000 }, tryOnce('sale_1'));

      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          new SimulatorConnector(i % 2 === 0 ? here : there).refund(
            approving,
            { authorizationKey: 'sale_1', amount: 10, currency: 'USD' },
            { idempotencyKey: `re_${i}`, timeoutMs: 10_000 },
          ),
        ),
      );

      expect(answers.filter((answer) => answer.outcome === 'succeeded')).toHaveLength(100);
      expect(await there.authorization('proc_stg_sim', 'sale_1')).toMatchObject({ capturedAmount: 1000, refundedAmount: 1000 });
      const refunds = await here.operationsOn('proc_stg_sim', 'sale_1');
      expect(refunds.filter((refund) => refund.outcome === 'succeeded').reduce((sum, refund) => sum + (refund.amount ?? 0), 0)).toBe(1000);
      expect(new Set(refunds.filter((refund) => refund.outcome === 'failed').map((refund) => refund.code))).toEqual(new Set(['amount_exceeds_captured']));
    }, 30_000);

    it('refunds once when both send the same refund key at once', async () => {
      const approving = simulatorProfile({ outcome: 'approve' });
      await new SimulatorConnector(here).authorize(approving, { ...visaRequest, amount: 1000 }, tryOnce('sale_1'));

      const answers = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          new SimulatorConnector(i % 2 === 0 ? here : there).refund(approving, { authorizationKey: 'sale_1', amount: 300, currency: 'USD' }, { idempotencyKey: 're_1', timeoutMs: 10_000 }),
        ),
      );

      expect(answers.every((answer) => answer.outcome === 'succeeded')).toBe(true);
      expect(await here.authorization('proc_stg_sim', 'sale_1')).toMatchObject({ refundedAmount: 300 });
      expect(await there.operationsFor('re_1')).toEqual([expect.objectContaining({ outcome: 'succeeded', amount: 300, requestCount: 10 })]);
    });

    it('keeps one answer for a key sent at once against two authorizations, changing only the first', async () => {
      const approving = simulatorProfile({ outcome: 'approve' });
      await new SimulatorConnector(here).authorize(approving, visaRequest, tryOnce('auth_1', { captureMethod: 'manual' }));
      await new SimulatorConnector(here).authorize(approving, visaRequest, tryOnce('auth_2', { captureMethod: 'manual' }));

      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          new SimulatorConnector(i % 2 === 0 ? here : there).void(approving, { authorizationKey: i % 4 < 2 ? 'auth_1' : 'auth_2' }, { idempotencyKey: 'void_1', timeoutMs: 10_000 }),
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
