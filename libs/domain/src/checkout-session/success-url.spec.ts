import { successUrlOf } from './success-url';

describe('successUrlOf', () => {
  it('replaces every {CHECKOUT_SESSION_ID} with the session id', () => {
    expect(successUrlOf({ id: 'cs_stg_abc', success_url: 'https://shop.example/ok?session_id={CHECKOUT_SESSION_ID}&again={CHECKOUT_SESSION_ID}' })).toBe(
      'https://shop.example/ok?session_id=cs_stg_abc&again=cs_stg_abc',
    );
  });

  it('leaves a success_url without the placeholder as it is', () => {
    expect(successUrlOf({ id: 'cs_stg_abc', success_url: 'https://shop.example/thanks' })).toBe('https://shop.example/thanks');
  });
});
