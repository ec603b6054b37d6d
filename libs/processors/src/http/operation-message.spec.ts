import { captureRequestBody, parseOperationResponse, refundRequestBody, refusalCode, voidRequestBody } from './operation-message';

describe('capture, void and refund bodies', () => {
  it('name the authorization by its key and carry what each operation needs', () => {
    expect(captureRequestBody({ authorizationKey: 'pay_stg_1:0:1', authCode: 'A1B2C3', amount: 500, currency: 'USD' })).toEqual({
      authorization_key: 'pay_stg_1:0:1',
      auth_code: 'A1B2C3',
      amount: 500,
      currency: 'USD',
    });
    expect(voidRequestBody({ authorizationKey: 'pay_stg_1:0:1' })).toEqual({ authorization_key: 'pay_stg_1:0:1', auth_code: null });
    expect(refundRequestBody({ authorizationKey: 'pay_stg_1:0:1', amount: 100, currency: 'EUR' })).toEqual({
      authorization_key: 'pay_stg_1:0:1',
      amount: 100,
      currency: 'EUR',
    });
  });

  it('leave out anything else a caller passed', () => {
    const leaky = { authorizationKey: 'k', amount: 1, currency: 'USD', card: { number: '4242424242424242' } };

    expect(JSON.stringify([captureRequestBody(leaky), voidRequestBody(leaky), refundRequestBody(leaky)])).not.toContain('4242424242424242');
  });
});

describe('parseOperationResponse', () => {
  it('reads a success and a failure with its code', () => {
    expect(parseOperationResponse('{"outcome":"succeeded"}')).toEqual({ outcome: 'succeeded' });
    expect(parseOperationResponse('{"outcome":"failed","code":"already_captured"}')).toEqual({ outcome: 'failed', code: 'already_captured' });
    expect(parseOperationResponse('{"outcome":"failed","code":null}')).toEqual({ outcome: 'failed' });
  });

  it.each([
    ['text that is not JSON', 'ok'],
    ['no outcome', '{}'],
    ['an authorization outcome', '{"outcome":"approved"}'],
    ['a code that is not a string', '{"outcome":"failed","code":7}'],
  ])('refuses %s', (_, text) => {
    expect(parseOperationResponse(text)).toBeUndefined();
  });
});

describe('refusalCode', () => {
  it('reads the code of a refusal body, if it has one', () => {
    expect(refusalCode('{"code":"amount_exceeds_captured","message":"no"}')).toBe('amount_exceeds_captured');
    expect(refusalCode('Bad Request')).toBeUndefined();
    expect(refusalCode('{"code":{}}')).toBeUndefined();
  });
});
