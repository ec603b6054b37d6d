import { containsCardNumber } from '../src/card/card-number-in-text';

describe('a card number in free text', () => {
  it.each([
    ['plain digits', 'paid with 4242424242424242'],
    ['groups of four with spaces', 'Card 4242 4242 4242 4242'],
    ['groups with dashes', '5555-5555-5555-4444'],
    ['a URL-encoded space between groups', '?card=4242%204242%204242%204242'],
    ['plus signs of a form between groups', 'card=4242+4242+4242+4242'],
    ['an amex number', 'ref 378282246310005'],
  ])('is found as %s', (_how, text) => {
    expect(containsCardNumber(text)).toBe(true);
  });

  it.each([
    ['a digit run that fails Luhn', '4242424242424241'],
    ['a Luhn-valid run that starts like no network', '7992739871300'],
    ['an order number', 'order 1234567890123456'],
    ['a run too short for a card', '42424242424'],
    ['a card number inside a longer run', '142424242424242421'],
    ['a timestamp in milliseconds', '1764625200000'],
  ])('is not found in %s', (_what, text) => {
    expect(containsCardNumber(text)).toBe(false);
  });
});
