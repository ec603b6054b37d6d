import { loadSettings } from '../settings';
import { CheckoutSessionLinks } from './checkout-session-links';

describe('CheckoutSessionLinks', () => {
  const links = new CheckoutSessionLinks(loadSettings({ CARD_FINGERPRINT_SECRET: 'a-secret-of-16-or-more', PUBLIC_URL: 'https://pay.example/' }));
  const sessionId = 'cs_stg_4kR8wQz1';

  it('derives the same token for a session every time, and another for another session', () => {
    const token = links.secureToken(sessionId);

    expect(token).toMatch(/^cs_stg_4kR8wQz1_[0-9a-f]{32}$/);
    expect(links.secureToken(sessionId)).toBe(token);
    expect(links.secureToken('cs_stg_other').slice(-32)).not.toBe(token.slice(-32));
  });

  it('links the hosted checkout page under the public URL', () => {
    expect(links.url(sessionId)).toBe(`https://pay.example/checkout/${links.secureToken(sessionId)}`);
  });

  it('opens the session of a token it issued', () => {
    expect(links.sessionIdOf(links.secureToken(sessionId))).toBe(sessionId);
  });

  it.each([
    ['a changed signature', (token: string) => token.replace(/.$/, (last) => (last === '0' ? '1' : '0'))],
    ["another session's signature", (token: string) => token.replace(sessionId, 'cs_stg_other')],
    ['a bare session id', () => sessionId],
    ['anything else', () => 'not a token'],
  ])('opens nothing for %s', (_, tamper) => {
    expect(links.sessionIdOf(tamper(links.secureToken(sessionId)))).toBeUndefined();
  });

  it('opens nothing for a token made with another secret', () => {
    const other = new CheckoutSessionLinks(loadSettings({ CARD_FINGERPRINT_SECRET: 'another-secret-of-16-chars' }));

    expect(links.sessionIdOf(other.secureToken(sessionId))).toBeUndefined();
  });
});
