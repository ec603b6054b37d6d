import { BIN_NETWORKS } from './networks';

export type BinNetwork = (typeof BIN_NETWORKS)[number];

interface BinRange {
  network: BinNetwork;
  /** How many leading digits the range compares. */
  length: number;
  from: number;
  to: number;
}

/**
 * Issuer ranges by leading digits. Order matters: discover's 622126–622925 sits inside
 * unionpay's 62, so it is listed first and the first matching range wins.
 */
const BIN_RANGES: readonly BinRange[] = [
  { network: 'visa', length: 1, from: 4, to: 4 },
  { network: 'mastercard', length: 2, from: 51, to: 55 },
  { network: 'mastercard', length: 4, from: 2221, to: 2720 },
  { network: 'amex', length: 2, from: 34, to: 34 },
  { network: 'amex', length: 2, from: 37, to: 37 },
  { network: 'discover', length: 4, from: 6011, to: 6011 },
  { network: 'discover', length: 3, from: 644, to: 649 },
  { network: 'discover', length: 2, from: 65, to: 65 },
  { network: 'discover', length: 6, from: 622126, to: 622925 },
  { network: 'jcb', length: 4, from: 3528, to: 3589 },
  { network: 'unionpay', length: 2, from: 62, to: 62 },
  { network: 'diners', length: 3, from: 300, to: 305 },
  { network: 'diners', length: 2, from: 36, to: 36 },
  { network: 'diners', length: 2, from: 38, to: 39 },
];

/** The network a card number's leading digits belong to, or undefined when no known range holds them. */
export function networkFromBin(digits: string): BinNetwork | undefined {
  return BIN_RANGES.find((range) => {
    if (digits.length < range.length) return false;
    const prefix = Number(digits.slice(0, range.length));
    return prefix >= range.from && prefix <= range.to;
  })?.network;
}
