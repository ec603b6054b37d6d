import { createHmac } from 'node:crypto';
import { BinRange, DomainError, longestPrefixMatch } from '@payments/domain';
import { loadSettings } from '../settings';
import { PaymentCards } from './payment-cards';

describe('payment cards', () => {
  const settings = loadSettings({ CARD_FINGERPRINT_SECRET: 'fingerprint-secret-0123456789' });
  const clock = { now: () => new Date('2026-11-21T10:00:00.000Z') };
  const GB_RANGE: BinRange = { bin_prefix: '42424242', country: 'GB', network: 'visa', funding: 'debit' };
  const binTable = { lookup: (digits: string) => longestPrefixMatch(digits, (prefix) => (prefix === GB_RANGE.bin_prefix ? GB_RANGE : undefined)) };
  const cards = new PaymentCards(settings, clock, binTable);

  it('keeps the last four digits, the bin, the network and an HMAC-SHA256 fingerprint keyed with CARD_FINGERPRINT_SECRET', () => {
    const summary = cards.summarise({ number: '4242 4242 4242 4242', exp_month: 12, exp_year: 2030, cvc: '123' });

    expect(summary).toEqual({
      last4: '4242',
      bin: '424242',
      network: 'visa',
      fingerprint: createHmac('sha256', 'fingerprint-secret-0123456789').update('4242424242424242').digest('hex'),
      country: 'GB',
      funding: 'debit',
    });
  });

  it('gives a card whose BIN the table does not hold no country and an unknown funding', () => {
    expect(cards.summarise({ number: '5555555555554444', exp_month: 12, exp_year: 2030 })).toMatchObject({ country: null, funding: 'unknown' });
  });

  it('gives one card the same fingerprint whatever its expiry, and another key another fingerprint', () => {
    const other = new PaymentCards(loadSettings({ CARD_FINGERPRINT_SECRET: 'another-secret-0123456789ab' }), clock, binTable);
    const card = { number: '5555555555554444', exp_month: 1, exp_year: 2031 };

    expect(cards.summarise(card).fingerprint).toBe(cards.summarise({ ...card, exp_year: 2035 }).fingerprint);
    expect(other.summarise(card).fingerprint).not.toBe(cards.summarise(card).fingerprint);
  });

  it('refuses a card the domain refuses, naming the field and never the number', () => {
    let error: unknown;
    try {
      cards.summarise({ number: '4242424242424241', exp_month: 12, exp_year: 2030 });
    } catch (thrown) {
      error = thrown;
    }

    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ kind: 'invalid', errors: [{ field: 'payment_method.card.number' }] });
    expect(JSON.stringify({ message: (error as Error).message, errors: (error as DomainError).errors })).not.toContain('4242424242424241');
  });
});
