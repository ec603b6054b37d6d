import { signPayload, verifySignature } from './payload-signature';

const body = '{"a":1}';
const now = { nowSeconds: 1_700_000_000 };

describe('signPayload', () => {
  it('signs "<t>.<body>" with HMAC-SHA256 of the secret, in hex', () => {
    // Computed with: printf '%s' '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
    expect(signPayload('whsec_test', body, 1_700_000_000)).toBe(
      't=1700000000,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789',
    );
  });
});

describe('verifySignature', () => {
  const header = signPayload('whsec_test', body, 1_700_000_000);

  it('accepts a signature made with the secret', () => {
    expect(verifySignature('whsec_test', body, header, now)).toBe(true);
  });

  it('rejects a signature made with another secret', () => {
    expect(verifySignature('whsec_other', body, header, now)).toBe(false);
  });

  it('rejects a body changed after signing', () => {
    expect(verifySignature('whsec_test', '{"a":2}', header, now)).toBe(false);
  });

  it('rejects a timestamp older than the tolerance', () => {
    expect(verifySignature('whsec_test', body, header, { nowSeconds: 1_700_000_301 })).toBe(false);
    expect(verifySignature('whsec_test', body, header, { nowSeconds: 1_700_000_301, toleranceSeconds: 400 })).toBe(true);
  });

  it('accepts a header signed with an old and a new secret during rotation', () => {
    const old = signPayload('whsec_old', body, 1_700_000_000);
    const rotated = `${header},${old.slice(old.indexOf('v1='))}`;

    expect(verifySignature('whsec_old', body, rotated, now)).toBe(true);
    expect(verifySignature('whsec_test', body, rotated, now)).toBe(true);
  });

  it.each([
    ['no timestamp', 'v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789'],
    ['no signature', 't=1700000000'],
    ['a signature that is not hex', 't=1700000000,v1=zz'],
    ['two timestamps', `t=1,${header}`],
    ['an empty header', ''],
  ])('rejects a header with %s', (_, badHeader) => {
    expect(verifySignature('whsec_test', body, badHeader, now)).toBe(false);
  });
});
