import { AuthorizationRequest, AuthorizeOptions, ProcessorProfile, SimulatorSettings } from '../connector';

/** Test data shared by the simulator specs. */
export function simulatorProfile(simulator: SimulatorSettings, id = 'proc_stg_sim'): ProcessorProfile {
  return { id, accountId: 'acc_stg_test', connector: 'simulator', timeoutMs: 5000, simulator };
}

export const visaRequest: AuthorizationRequest = {
  paymentId: 'pay_stg_1',
  amount: 1999,
  currency: 'USD',
  card: { network: 'visa', bin: '424242', last4: '4242' },
};

export function tryOnce(idempotencyKey: string, overrides: Partial<AuthorizeOptions> = {}): AuthorizeOptions {
  return { idempotencyKey, timeoutMs: 5000, optimized: false, ...overrides };
}
