import { AuthorizationRequest } from '../connector';
import { authorizationRequestBody, parseAuthorizationResponse } from './authorization-message';

describe('authorizationRequestBody', () => {
  const plain = { optimized: false, captureMethod: 'automatic' as const };
  const request: AuthorizationRequest = {
    paymentId: 'pay_stg_1',
    amount: 1999,
    currency: 'USD',
    card: { network: 'visa', bin: '424242', last4: '4242', token: 'tok_1' },
  };

  it('carries amount, currency, the card summary, the optimized flag and the capture method', () => {
    expect(authorizationRequestBody(request, { optimized: true, captureMethod: 'manual' })).toEqual({
      amount: 1999,
      currency: 'USD',
      card: { network: 'visa', bin: '424242', last4: '4242', token: 'tok_1' },
      optimized: true,
      capture_method: 'manual',
    });
  });

  it('sends a null token when the card has none', () => {
    expect(authorizationRequestBody({ ...request, card: { network: 'visa', bin: '424242', last4: '4242' } }, plain).card.token).toBeNull();
  });

  it('leaves out anything else a caller put on the card', () => {
    const leaky = { ...request, card: { ...request.card, number: '4242424242424242', cvc: '123' } };

    expect(JSON.stringify(authorizationRequestBody(leaky, plain))).not.toMatch(/4242424242424242|cvc/);
  });
});

describe('parseAuthorizationResponse', () => {
  it('reads outcome, code and auth_code', () => {
    expect(parseAuthorizationResponse('{"outcome":"approved","code":"00","auth_code":"A1B2C3"}')).toEqual({
      outcome: 'approved',
      code: '00',
      auth_code: 'A1B2C3',
    });
  });

  it('treats a null code or auth code as absent', () => {
    expect(parseAuthorizationResponse('{"outcome":"declined","code":"51","auth_code":null}')).toEqual({ outcome: 'declined', code: '51' });
  });

  it.each([
    ['text that is not JSON', 'approved'],
    ['a JSON array', '[{"outcome":"approved"}]'],
    ['no outcome', '{"code":"00"}'],
    ['an unknown outcome', '{"outcome":"approve"}'],
    ['a code that is not a string', '{"outcome":"declined","code":51}'],
    ['an auth code that is not a string', '{"outcome":"approved","auth_code":{}}'],
  ])('refuses %s', (_, text) => {
    expect(parseAuthorizationResponse(text)).toBeUndefined();
  });
});
