import { redactSecrets, redactStreamName } from '../src';

describe('what of a stored event may leave the service', () => {
  it("hides an API token's hash, keeping which account and kind of token it is", () => {
    const data = { account_id: 'acc_stg_a', kind: 'secret', token_hash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' };
    expect(redactSecrets('AccountTokenRegistered', data)).toEqual({ account_id: 'acc_stg_a', kind: 'secret', token_hash: '[redacted]' });
  });

  it("hides the name of a token's stream, which is the token's hash, and no other stream's", () => {
    expect(redactStreamName('account_token-e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')).toBe('account_token-[redacted]');
    expect(redactStreamName('account-acc_stg_a')).toBe('account-acc_stg_a');
    expect(redactStreamName('payment-pay_stg_1')).toBe('payment-pay_stg_1');
  });

  it('leaves data without secrets as it is', () => {
    const data = { payment_id: 'pay_stg_1', tier: 0 };
    expect(redactSecrets('PaymentStarted', data)).toBe(data);
  });
});
