import { formatMoney, formatTime } from './money-format';

describe('formatMoney', () => {
  it('reads minor units with the currency’s own number of decimals', () => {
    expect(formatMoney(4900, 'USD')).toBe('$49.00');
    expect(formatMoney(500, 'JPY')).toBe('¥500');
    expect(formatMoney(1500, 'KWD')).toMatch(/^KWD\s1\.500$/);
    expect(formatMoney(1999, 'EUR')).toBe('€19.99');
  });
});

describe('formatTime', () => {
  it('shows a timestamp to the second in UTC', () => {
    expect(formatTime('2026-12-01T14:03:07.123Z')).toBe('2026-12-01 14:03:07 UTC');
  });
});
