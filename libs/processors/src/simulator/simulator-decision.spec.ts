import { AuthorizationRequest, SimulatorSettings } from '../connector';
import { decideSimulatorAuthorization } from './simulator-decision';

const request = (card: Partial<AuthorizationRequest['card']> = {}): AuthorizationRequest => ({
  paymentId: 'pay_stg_1',
  amount: 1999,
  currency: 'USD',
  card: { network: 'visa', bin: '424242', last4: '4242', ...card },
});

const decide = (settings: SimulatorSettings, card?: Partial<AuthorizationRequest['card']>, optimized = false) =>
  decideSimulatorAuthorization(settings, request(card), { processorId: 'proc_stg_sim', optimized });

/** The decision for each of `count` payments at one processor. */
const decideForPayments = (settings: SimulatorSettings, count: number, processorId = 'proc_stg_sim') =>
  Array.from({ length: count }, (_, index) =>
    decideSimulatorAuthorization(settings, { ...request(), paymentId: `pay_stg_${index}` }, { processorId, optimized: false }),
  );

describe('decideSimulatorAuthorization', () => {
  it('approves when the outcome is approve', () => {
    expect(decide({ outcome: 'approve' })).toEqual({ outcome: 'approved' });
  });

  it('declines with the configured decline code', () => {
    expect(decide({ outcome: 'decline', decline_code: '51' })).toEqual({ outcome: 'declined', code: '51' });
  });

  it("declines with '05' when no decline code is configured", () => {
    expect(decide({ outcome: 'decline' })).toEqual({ outcome: 'declined', code: '05' });
  });

  it('times out when the outcome is timeout', () => {
    expect(decide({ outcome: 'timeout' })).toEqual({ outcome: 'timeout' });
  });

  it('errors when the outcome is error', () => {
    expect(decide({ outcome: 'error' })).toEqual({ outcome: 'error' });
  });

  describe('approve_optimized_retry', () => {
    it("declines a try that is not optimized with '05'", () => {
      expect(decide({ outcome: 'approve', approve_optimized_retry: true })).toEqual({ outcome: 'declined', code: '05' });
    });

    it('approves an optimized retry', () => {
      expect(decide({ outcome: 'approve', approve_optimized_retry: true }, {}, true)).toEqual({ outcome: 'approved' });
    });
  });

  it.each(['approve', 'decline', 'timeout', 'error'] as const)(
    "declines card 4000000000000002 with '05' when the outcome is %s",
    (outcome) => {
      expect(decide({ outcome, decline_code: '14' }, { bin: '400000', last4: '0002' })).toEqual({ outcome: 'declined', code: '05' });
    },
  );

  it.each(['approve', 'decline', 'timeout', 'error'] as const)(
    "declines card 4000000000009995 with '51' when the outcome is %s",
    (outcome) => {
      expect(decide({ outcome, decline_code: '14' }, { bin: '400000', last4: '9995' })).toEqual({ outcome: 'declined', code: '51' });
    },
  );

  it('declines a magic card even on an optimized retry', () => {
    expect(decide({ outcome: 'approve', approve_optimized_retry: true }, { bin: '400000', last4: '9995' }, true)).toEqual({
      outcome: 'declined',
      code: '51',
    });
  });

  it('treats a card as magic only when both bin and last4 match', () => {
    expect(decide({ outcome: 'approve' }, { bin: '424242', last4: '0002' })).toEqual({ outcome: 'approved' });
    expect(decide({ outcome: 'approve' }, { bin: '400000', last4: '4242' })).toEqual({ outcome: 'approved' });
  });

  describe('approval_rate', () => {
    const approvedShare = (settings: SimulatorSettings) => decideForPayments(settings, 2000).filter((d) => d.outcome === 'approved').length / 2000;

    it('approves about that share of payments', () => {
      expect(approvedShare({ outcome: 'decline', approval_rate: 0.3 })).toBeCloseTo(0.3, 1);
      expect(approvedShare({ outcome: 'decline', approval_rate: 0.85 })).toBeCloseTo(0.85, 1);
    });

    it('approves every payment at 1 and none at 0, whatever the outcome', () => {
      expect(approvedShare({ outcome: 'error', approval_rate: 1 })).toBe(1);
      expect(approvedShare({ outcome: 'approve', approval_rate: 0 })).toBe(0);
    });

    it('gives the other payments the configured outcome', () => {
      const outcomes = new Set(decideForPayments({ outcome: 'timeout', approval_rate: 0.5 }, 200).map((d) => d.outcome));

      expect(outcomes).toEqual(new Set(['approved', 'timeout']));
    });

    it('declines the other payments with the decline code when the outcome is approve', () => {
      const others = decideForPayments({ outcome: 'approve', decline_code: '61', approval_rate: 0.5 }, 200).filter((d) => d.outcome !== 'approved');

      expect(others.length).toBeGreaterThan(0);
      expect(new Set(others.map((d) => JSON.stringify(d)))).toEqual(new Set([JSON.stringify({ outcome: 'declined', code: '61' })]));
    });

    it('draws the same for every try of one payment at one processor', () => {
      const settings: SimulatorSettings = { outcome: 'decline', approval_rate: 0.5 };

      expect(decideForPayments(settings, 100)).toEqual(decideForPayments(settings, 100));
      expect(decideSimulatorAuthorization(settings, request(), { processorId: 'proc_stg_sim', optimized: true })).toEqual(decide(settings));
    });

    it('draws independently at another processor', () => {
      const settings: SimulatorSettings = { outcome: 'decline', approval_rate: 0.5 };

      expect(decideForPayments(settings, 100, 'proc_stg_other')).not.toEqual(decideForPayments(settings, 100));
    });

    it('still declines a magic card at 1', () => {
      expect(decide({ outcome: 'approve', approval_rate: 1 }, { bin: '400000', last4: '0002' })).toEqual({ outcome: 'declined', code: '05' });
    });
  });
});
