import { parseStatusResponse } from './status-message';

describe('parseStatusResponse', () => {
  it('reads an approval with where it stands', () => {
    expect(parseStatusResponse('{"outcome":"approved","auth_code":"A1","state":"captured","captured_amount":500,"refunded_amount":100}')).toEqual({
      outcome: 'approved',
      auth_code: 'A1',
      state: 'captured',
      captured_amount: 500,
      refunded_amount: 100,
    });
    expect(parseStatusResponse('{"outcome":"approved","state":null}')).toEqual({ outcome: 'approved' });
  });

  it('reads a decline and a key the processor never saw', () => {
    expect(parseStatusResponse('{"outcome":"declined","code":"51"}')).toEqual({ outcome: 'declined', code: '51' });
    expect(parseStatusResponse('{"outcome":"not_found"}')).toEqual({ outcome: 'not_found' });
  });

  it.each([
    ['text that is not JSON', 'approved'],
    ['an unknown outcome', '{"outcome":"pending"}'],
    ['an unknown state', '{"outcome":"approved","state":"settled"}'],
    ['a negative amount', '{"outcome":"approved","captured_amount":-1}'],
    ['an amount with a fraction', '{"outcome":"approved","refunded_amount":1.5}'],
    ['an auth code that is not a string', '{"outcome":"approved","auth_code":1}'],
  ])('refuses %s', (_, text) => {
    expect(parseStatusResponse(text)).toBeUndefined();
  });
});
