import { SimulatorCharge, SimulatorOperationRequest } from './simulator-ledger';

export type ChargeChange = Partial<Pick<SimulatorCharge, 'capturedAmount' | 'voided' | 'refundedAmount'>>;

/** What the simulated processor answers to a capture, void or refund, and what it changes. */
export type SimulatorOperationDecision = { outcome: 'succeeded'; change: ChargeChange } | { outcome: 'failed'; code: string };

const fail = (code: string): SimulatorOperationDecision => ({ outcome: 'failed', code });

function amountError(request: SimulatorOperationRequest, charge: SimulatorCharge): string | undefined {
  if (request.currency !== charge.currency) return 'currency_mismatch';
  if (!Number.isSafeInteger(request.amount) || (request.amount ?? 0) <= 0) return 'invalid_amount';
  return undefined;
}

/**
 * The rules of a card processor, against the authorization as it stands: capture only a live
 * authorization, once, for at most the authorized amount; void only one not captured; refund
 * only a captured one, in several parts up to the captured amount. A failure changes nothing.
 */
export function decideSimulatorOperation(charge: SimulatorCharge | undefined, request: SimulatorOperationRequest): SimulatorOperationDecision {
  if (!charge) return fail('authorization_not_found');
  if (!charge.approved) return fail('authorization_not_approved');
  if (request.authCode !== undefined && request.authCode !== charge.authCode) return fail('auth_code_mismatch');
  switch (request.kind) {
    case 'capture': {
      if (charge.voided) return fail('authorization_voided');
      if (charge.capturedAmount > 0) return fail('already_captured');
      const error = amountError(request, charge);
      if (error) return fail(error);
      if ((request.amount as number) > charge.amount) return fail('amount_exceeds_authorized');
      return { outcome: 'succeeded', change: { capturedAmount: request.amount } };
    }
    case 'void':
      if (charge.voided) return fail('already_voided');
      if (charge.capturedAmount > 0) return fail('already_captured');
      return { outcome: 'succeeded', change: { voided: true } };
    case 'refund': {
      if (charge.voided) return fail('authorization_voided');
      if (charge.capturedAmount === 0) return fail('not_captured');
      const error = amountError(request, charge);
      if (error) return fail(error);
      if (charge.refundedAmount + (request.amount as number) > charge.capturedAmount) return fail('amount_exceeds_captured');
      if (request.refundOutcome === 'fail') return fail('refund_declined');
      return { outcome: 'succeeded', change: { refundedAmount: charge.refundedAmount + (request.amount as number) } };
    }
  }
}
