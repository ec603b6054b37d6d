import { ServerResponse } from 'node:http';
import { ApiRequest } from './api-request';
import { requestIdFor } from './request-id';

function idFor(offered: string): { id: string; header: unknown } {
  const headers: Record<string, unknown> = {};
  const response = { setHeader: (name: string, value: unknown) => (headers[name] = value) } as unknown as ServerResponse;
  const id = requestIdFor({ headers: { 'x-request-id': offered } } as unknown as ApiRequest, response);
  return { id, header: headers['X-Request-Id'] };
}

describe('requestIdFor', () => {
  it("echoes a caller's sane id", () => {
    expect(idFor('order-42:retry.1_a')).toEqual({ id: 'order-42:retry.1_a', header: 'order-42:retry.1_a' });
  });

  it('replaces an id with characters that could forge log lines or headers', () => {
    expect(idFor('a b\r\nX-Injected: 1').id).toMatch(/^req_[A-Za-z0-9]{24}$/);
  });

  // Found by the OpenAPI fuzz suite: the card number came back in X-Request-Id and went into the logs and events.
  it.each([
    ['a card number', '4242424242424242'],
    ['a card number grouped by dashes', '5555-5555-5555-4444'],
    ['a card number inside a longer id', 'retry:4242424242424242'],
    ['a secret token', 'st_stg_walkthroughSecret0001'],
  ])('replaces an id holding %s instead of repeating it', (_what, offered) => {
    const { id, header } = idFor(offered);
    expect(id).toMatch(/^req_[A-Za-z0-9]{24}$/);
    expect(header).toBe(id);
  });
});
