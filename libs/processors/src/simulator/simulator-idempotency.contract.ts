import { SimulatorConnector } from './simulator-connector';
import { simulatorProfile, tryOnce, visaRequest } from './simulator-fixtures';
import { SimulatorLedger } from './simulator-ledger';

/** The idempotency the simulator promises, run against every SimulatorLedger implementation. */
export function describeSimulatorIdempotency(ledgerName: string, openLedger: () => SimulatorLedger): void {
  describe(`simulator idempotency with the ${ledgerName} ledger`, () => {
    let ledger: SimulatorLedger;
    let simulator: SimulatorConnector;

    beforeEach(() => {
      ledger = openLedger();
      simulator = new SimulatorConnector(ledger);
    });

    afterEach(() => ledger.close());

    it('answers a repeated key with the first answer even after the settings changed', async () => {
      const first = await simulator.authorize(simulatorProfile({ outcome: 'approve' }), visaRequest, tryOnce('key_1'));
      const again = await simulator.authorize(simulatorProfile({ outcome: 'decline', decline_code: '51' }), visaRequest, tryOnce('key_1'));

      expect(first).toMatchObject({ outcome: 'approved', authCode: expect.stringMatching(/^[A-Z0-9]{6}$/) });
      expect(again).toMatchObject({ outcome: 'approved', authCode: first.authCode });
    });

    it('charges a repeated key once and counts the re-sends', async () => {
      const profile = simulatorProfile({ outcome: 'decline', decline_code: '14' });
      await simulator.authorize(profile, visaRequest, tryOnce('key_1'));
      await simulator.authorize(profile, visaRequest, tryOnce('key_1'));
      await simulator.authorize(profile, visaRequest, tryOnce('key_1'));

      expect(await ledger.chargesFor('key_1')).toEqual([
        expect.objectContaining({
          processorId: 'proc_stg_sim',
          idempotencyKey: 'key_1',
          paymentId: 'pay_stg_1',
          amount: 1999,
          currency: 'USD',
          outcome: 'declined',
          code: '14',
          requestCount: 3,
        }),
      ]);
      expect(await ledger.countCharges()).toBe(1);
    });

    it('charges each new key', async () => {
      const profile = simulatorProfile({ outcome: 'approve' });
      await simulator.authorize(profile, visaRequest, tryOnce('key_1'));
      await simulator.authorize(profile, visaRequest, tryOnce('key_2'));

      expect(await ledger.countCharges()).toBe(2);
    });

    it('keeps the same key apart on two processors', async () => {
      const onA = await simulator.authorize(simulatorProfile({ outcome: 'approve' }, 'proc_stg_a'), visaRequest, tryOnce('key_1'));
      const onB = await simulator.authorize(simulatorProfile({ outcome: 'error' }, 'proc_stg_b'), visaRequest, tryOnce('key_1'));

      expect(onA.outcome).toBe('approved');
      expect(onB.outcome).toBe('error');
      expect((await ledger.chargesFor('key_1')).map((charge) => charge.processorId)).toEqual(['proc_stg_a', 'proc_stg_b']);
    });

    it('records the answer as soon as it is decided, before the latency has passed', async () => {
      const answer = simulator.authorize(simulatorProfile({ outcome: 'approve', latency_ms: 300 }), visaRequest, tryOnce('key_1'));
      await new Promise((resolve) => setTimeout(resolve, 100));

      expect(await ledger.chargesFor('key_1')).toEqual([expect.objectContaining({ outcome: 'approved', requestCount: 1 })]);
      await answer;
    });

    it('answers a re-sent key at once instead of waiting for the latency again', async () => {
      const profile = simulatorProfile({ outcome: 'approve', latency_ms: 300 });
      await simulator.authorize(profile, visaRequest, tryOnce('key_1'));
      const again = await simulator.authorize(profile, visaRequest, tryOnce('key_1'));

      expect(again.outcome).toBe('approved');
      expect(again.durationMs).toBeLessThan(150);
    });

    it('answers a re-sent key that timed out with a timeout again', async () => {
      const profile = simulatorProfile({ outcome: 'timeout' });
      await simulator.authorize(profile, visaRequest, tryOnce('key_1', { timeoutMs: 50 }));
      const again = await simulator.authorize(simulatorProfile({ outcome: 'approve' }), visaRequest, tryOnce('key_1', { timeoutMs: 50 }));

      expect(again.outcome).toBe('timeout');
    });
  });
}
