import { endpointUrl, statusPath, statusSignedText } from './processor-endpoints';

describe('endpointUrl', () => {
  it.each([
    ['https://processor.example/pay', 'https://processor.example/pay/captures'],
    ['https://processor.example/pay/', 'https://processor.example/pay/captures'],
    ['https://processor.example', 'https://processor.example/captures'],
    ['https://processor.example/pay?api_key=k', 'https://processor.example/pay/captures?api_key=k'],
  ])('puts the path below %s', (base, expected) => {
    expect(endpointUrl(base, 'captures')).toBe(expected);
  });
});

describe('status requests', () => {
  it('put the key into one encoded path segment', () => {
    expect(statusPath('pay_stg_1:0:1')).toBe('authorizations/pay_stg_1%3A0%3A1');
    expect(statusPath('a/b?c')).toBe('authorizations/a%2Fb%3Fc');
  });

  it('sign the method and the resource with the key as it is', () => {
    expect(statusSignedText('pay_stg_1:0:1')).toBe('GET /authorizations/pay_stg_1:0:1');
  });
});
