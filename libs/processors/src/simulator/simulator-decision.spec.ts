import { AuthorizationRequest, SimulatorSettings } from '../connector';
import { decideSimulatorAuthorization } from './simulator-decision';

const request = (card: Partial<AuthorizationRequest['card']> = {}): AuthorizationRequest => ({
  paymentId: 'pay_stg_1',
  amount: 1999,
  currency: 'USD',
  card: { network: 'visa', bin: '424242', last4: '4242', ...card },
});

const decide = (settings: SimulatorSettings, card?: Partial<AuthorizationRequest['card']>, optimized = false) =>
  decideSimulatorAuthorization(settings, request(card), optimized);

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
});
