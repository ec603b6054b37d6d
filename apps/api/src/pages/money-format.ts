/** The pages' language: one for now; the formats below follow it. */
export const PAGE_LOCALE = 'en-US';

const formats = new Map<string, Intl.NumberFormat>();

function formatOf(currency: string): Intl.NumberFormat {
  let format = formats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat(PAGE_LOCALE, { style: 'currency', currency });
    formats.set(currency, format);
  }
  return format;
}

/** An amount in minor units as people read it: 4900 USD is "$49.00", 500 JPY "¥500", 1500 KWD "KWD 1.500". */
export function formatMoney(amount: number, currency: string): string {
  const format = formatOf(currency);
  return format.format(amount / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2));
}

/** A timestamp as operators read it, in UTC so that every operator reads the same time: "2026-12-01 14:03:07 UTC". */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
