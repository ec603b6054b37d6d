import { scrubSecrets } from './scrub-secrets';

describe('scrubSecrets', () => {
  it('masks a card number but keeps its last four digits', () => {
    expect(scrubSecrets('declined card 4000000000000002')).toBe('declined card ****0002');
  });

  it('masks card numbers of 13 to 19 digits, also grouped by spaces or dashes', () => {
    const text = scrubSecrets('4222222222222 / 4242 4242 4242 4242 / 6011-1111-1111-1117 / 6250941006528599123');
    expect(text).toBe('****2222 / ****4242 / ****1117 / ****9123');
  });

  it('masks a card number inside a URL or a JSON string', () => {
    expect(scrubSecrets('/v1/pay?number=4242424242424242&x=1')).toBe('/v1/pay?number=****4242&x=1');
    expect(scrubSecrets('{"number":"5555555555554444"}')).toBe('{"number":"****4444"}');
  });

  // Found by the OpenAPI fuzz suite: `GET /v1/payments/4242%204242%204242%204242` came back whole in `instance` and in the log.
  it('masks a card number grouped by spaces as a URL writes them', () => {
    expect(scrubSecrets('/v1/payments/4242%204242%204242%204242')).toBe('/v1/payments/****4242');
    expect(scrubSecrets('/v1/coupons/Card%205555%205555%205555%204444%20exp')).toBe('/v1/coupons/Card%20****4444%20exp');
    expect(scrubSecrets('/v1/payments?checkout_session_id=4242+4242+4242+4242&limit=1')).toBe('/v1/payments?checkout_session_id=****4242&limit=1');
  });

  it('leaves shorter and longer digit runs, amounts and ISO timestamps alone', () => {
    const text = 'amount 123456789012 at 2030-12-01T10:00:00.000Z, position 12345678901234567890, sum 1+2+3, %2012';
    expect(scrubSecrets(text)).toBe(text);
  });

  it('masks secret and publishable tokens but keeps their kind and environment', () => {
    expect(scrubSecrets('Bearer st_stg_9f8e7d6c5b4a3f2e1d0c')).toBe('Bearer st_stg_****');
    expect(scrubSecrets('token=pt_prod_AbCdEfGh12345678')).toBe('token=pt_prod_****');
  });

  it('does not mistake an id for a token', () => {
    expect(scrubSecrets('cus_stg_abc123 proute_stg_xyz')).toBe('cus_stg_abc123 proute_stg_xyz');
  });

  it('masks a security code written as JSON, query string or form key', () => {
    expect(scrubSecrets('{"cvc":"123","exp_month":12}')).toBe('{"cvc":"***","exp_month":12}');
    expect(scrubSecrets('cvv=1234&card[cvc]=987')).toBe('cvv=***&card[cvc]=***');
  });
});
