import { BinRange, CardInput, UNKNOWN_BIN, binInfoOf, binPrefixesOf, longestPrefixMatch, networkFromBin, parseBinRow, passesLuhn, summariseCard } from '@payments/domain/card';
import { errorOf } from './domain-error';

const now = new Date('2026-11-21T10:00:00.000Z');
const fingerprint = (digits: string) => `fp_${digits.length}_${digits.slice(-2)}`;
const visa: CardInput = { number: '4242424242424242', exp_month: 12, exp_year: 2030, cvc: '123' };

describe('Luhn check', () => {
  it.each(['4242424242424242', '4000000000000002', '378282246310005', '6011111111111117', '3530111333300000', '5555555555554444', '36227206271667'])(
    'accepts the valid number %s',
    (number) => expect(passesLuhn(number)).toBe(true),
  );

  it.each(['4242424242424241', '4242424242424224', '1234567812345678'])('rejects %s, which a mistyped or swapped digit broke', (number) => {
    expect(passesLuhn(number)).toBe(false);
  });
});

describe('network from BIN', () => {
  const pad = (prefix: string) => prefix.padEnd(16, '0');

  it.each([
    ['4', 'visa'],
    ['51', 'mastercard'],
    ['55', 'mastercard'],
    ['2221', 'mastercard'],
    ['2720', 'mastercard'],
    ['34', 'amex'],
    ['37', 'amex'],
    ['6011', 'discover'],
    ['644', 'discover'],
    ['649', 'discover'],
    ['65', 'discover'],
    ['622126', 'discover'],
    ['622925', 'discover'],
    ['3528', 'jcb'],
    ['3589', 'jcb'],
    ['62', 'unionpay'],
    ['622125', 'unionpay'],
    ['622926', 'unionpay'],
    ['300', 'diners'],
    ['305', 'diners'],
    ['36', 'diners'],
    ['38', 'diners'],
    ['39', 'diners'],
  ])('reads a number starting %s as %s', (prefix, network) => {
    expect(networkFromBin(pad(prefix))).toBe(network);
  });

  it.each(['50', '56', '2220', '2721', '35', '3527', '3590', '306', '6010', '643', '1', '9'])('knows no network for a number starting %s', (prefix) => {
    expect(networkFromBin(pad(prefix))).toBeUndefined();
  });
});

describe('card summary', () => {
  it('keeps the last four, the first six, the network and the fingerprint, never the number or cvc', () => {
    const summary = summariseCard(visa, { now, fingerprint, bin: UNKNOWN_BIN });
    expect(summary).toEqual({ last4: '4242', bin: '424242', network: 'visa', fingerprint: 'fp_16_42', country: null, funding: 'unknown' });
    expect(JSON.stringify(summary)).not.toMatch(/4242424242424242|123/);
  });

  it('fingerprints the digits without the grouping spaces a payer pastes', () => {
    const seen: string[] = [];
    summariseCard({ ...visa, number: '4242 4242 4242 4242' }, { now, fingerprint: (digits) => (seen.push(digits), 'fp'), bin: UNKNOWN_BIN });
    expect(seen).toEqual(['4242424242424242']);
  });

  it('routes a card on the network it names, such as a debit network its BIN cannot tell', () => {
    expect(summariseCard({ ...visa, network: 'star' }, { now, fingerprint, bin: UNKNOWN_BIN }).network).toBe('star');
  });

  it('takes a named network for a number whose BIN is unknown', () => {
    expect(summariseCard({ ...visa, number: '9000000000000001', network: 'maestro' }, { now, fingerprint, bin: UNKNOWN_BIN }).network).toBe('maestro');
  });

  it('refuses a number whose network is unknown and not named', () => {
    const error = errorOf(() => summariseCard({ ...visa, number: '9000000000000001' }, { now, fingerprint, bin: UNKNOWN_BIN }));
    expect(error.kind).toBe('invalid');
    expect(error.errors).toEqual([{ field: 'payment_method.card.number', message: expect.stringMatching(/network/) }]);
  });

  it('refuses a network it does not know', () => {
    const error = errorOf(() => summariseCard({ ...visa, network: 'bancomat' }, { now, fingerprint, bin: UNKNOWN_BIN }));
    expect(error.errors).toEqual([{ field: 'payment_method.card.network', message: 'unknown card network bancomat' }]);
  });

  it('refuses a number that fails the Luhn check', () => {
    const error = errorOf(() => summariseCard({ ...visa, number: '4242424242424241' }, { now, fingerprint, bin: UNKNOWN_BIN }));
    expect(error.kind).toBe('invalid');
    expect(error.errors).toEqual([{ field: 'payment_method.card.number', message: expect.stringMatching(/Luhn/) }]);
  });

  it.each(['42424242424', '42424242424242424242', '4242-4242-4242-4242', ''])('refuses %p, which is not 12 to 19 digits', (number) => {
    expect(errorOf(() => summariseCard({ ...visa, number }, { now, fingerprint, bin: UNKNOWN_BIN })).errors).toEqual([
      { field: 'payment_method.card.number', message: 'must be 12 to 19 digits' },
    ]);
  });

  it('accepts a card through the last moment of its expiry month', () => {
    expect(() => summariseCard({ ...visa, exp_month: 11, exp_year: 2026 }, { now: new Date('2026-11-30T23:59:59.999Z'), fingerprint, bin: UNKNOWN_BIN })).not.toThrow();
  });

  it('refuses a card from the first moment after its expiry month, pointing at the month', () => {
    const error = errorOf(() => summariseCard({ ...visa, exp_month: 11, exp_year: 2026 }, { now: new Date('2026-12-01T00:00:00.000Z'), fingerprint, bin: UNKNOWN_BIN }));
    expect(error.errors).toEqual([{ field: 'payment_method.card.exp_month', message: 'the card has expired' }]);
  });

  it('points at the year when the expiry year is past', () => {
    const error = errorOf(() => summariseCard({ ...visa, exp_month: 12, exp_year: 2025 }, { now, fingerprint, bin: UNKNOWN_BIN }));
    expect(error.errors).toEqual([{ field: 'payment_method.card.exp_year', message: 'the card has expired' }]);
  });

  it('reads a two-digit expiry year as 20xx', () => {
    expect(() => summariseCard({ ...visa, exp_year: 30 }, { now, fingerprint, bin: UNKNOWN_BIN })).not.toThrow();
    expect(errorOf(() => summariseCard({ ...visa, exp_year: 25 }, { now, fingerprint, bin: UNKNOWN_BIN })).errors).toEqual([
      { field: 'payment_method.card.exp_year', message: 'the card has expired' },
    ]);
  });

  it.each([0, 13, 1.5])('refuses the expiry month %p', (exp_month) => {
    expect(errorOf(() => summariseCard({ ...visa, exp_month }, { now, fingerprint, bin: UNKNOWN_BIN })).errors).toEqual([
      { field: 'payment_method.card.exp_month', message: 'must be a month from 1 to 12' },
    ]);
  });

  it('refuses a cvc that is not 3 or 4 digits, and takes a card without one', () => {
    expect(errorOf(() => summariseCard({ ...visa, cvc: '12a' }, { now, fingerprint, bin: UNKNOWN_BIN })).errors).toEqual([{ field: 'payment_method.card.cvc', message: 'must be 3 or 4 digits' }]);
    expect(() => summariseCard({ number: visa.number, exp_month: 12, exp_year: 2030 }, { now, fingerprint, bin: UNKNOWN_BIN })).not.toThrow();
  });

  it('reports every broken rule at once', () => {
    const error = errorOf(() => summariseCard({ number: '4242424242424241', exp_month: 13, exp_year: 2030, cvc: 'x', network: 'bancomat' }, { now, fingerprint, bin: UNKNOWN_BIN }));
    expect(error.errors.map((e) => e.field)).toEqual([
      'payment_method.card.number',
      'payment_method.card.exp_month',
      'payment_method.card.cvc',
      'payment_method.card.network',
    ]);
  });
});

describe('BIN table', () => {
  const row = (over: Partial<Record<'bin_prefix' | 'country' | 'network' | 'type', string>> = {}) => ({ bin_prefix: '424242', country: 'GB', network: 'visa', type: 'debit', ...over });

  it('reads a row as a range, trimming the spaces around values', () => {
    expect(parseBinRow(row({ bin_prefix: ' 42424242 ', country: 'GB ' }))).toEqual({ range: { bin_prefix: '42424242', country: 'GB', network: 'visa', funding: 'debit' } });
  });

  it('names every column that is wrong in a row', () => {
    const parsed = parseBinRow({ bin_prefix: '42424', country: 'gb', network: 'bitcoin', type: 'charge' });
    expect('errors' in parsed && parsed.errors.map((error) => error.split(' ')[0])).toEqual(['bin_prefix', 'country', 'network', 'type']);
  });

  it.each(['12345', '123456789', '12345a'])('refuses the prefix %s, which is not 6 to 8 digits', (bin_prefix) => {
    expect(parseBinRow(row({ bin_prefix }))).toHaveProperty('errors');
  });

  it('looks up the prefixes of a card number longest first, 8 digits down to 6', () => {
    expect(binPrefixesOf('4242424242424242')).toEqual(['42424242', '4242424', '424242']);
    expect(binPrefixesOf('42 42')).toEqual([]);
  });

  it('lets the longest prefix win', () => {
    const table = new Map<string, BinRange>([
      ['424242', { bin_prefix: '424242', country: 'US', network: 'visa', funding: 'credit' }],
      ['4242424', { bin_prefix: '4242424', country: 'GB', network: 'visa', funding: 'debit' }],
    ]);
    const find = (prefix: string) => table.get(prefix);
    expect(longestPrefixMatch('4242424242424242', find)?.country).toBe('GB');
    expect(longestPrefixMatch('4242420000000000', find)?.country).toBe('US');
    expect(longestPrefixMatch('5555555555554444', find)).toBeUndefined();
  });

  it('gives the summary the country and funding of the range, and null and unknown without one', () => {
    const gb: BinRange = { bin_prefix: '424242', country: 'GB', network: 'visa', funding: 'prepaid' };
    expect(summariseCard(visa, { now, fingerprint, bin: binInfoOf(gb) })).toMatchObject({ country: 'GB', funding: 'prepaid' });
    expect(summariseCard(visa, { now, fingerprint, bin: binInfoOf(undefined) })).toMatchObject({ country: null, funding: 'unknown' });
  });
});
