import { isCountryCode } from '../shared/country-codes';
import { CardNetwork, isCardNetwork } from './networks';

/** How a card is funded, as a BIN table tells it. */
export const BIN_FUNDING_TYPES = ['credit', 'debit', 'prepaid'] as const;
export type BinFundingType = (typeof BIN_FUNDING_TYPES)[number];
/** The card summary's funding: the BIN table's type, or `unknown` for a BIN the table does not hold. */
export const CARD_FUNDINGS = [...BIN_FUNDING_TYPES, 'unknown'] as const;
export type CardFunding = (typeof CARD_FUNDINGS)[number];

/** The columns of a BIN table file (API.md "BIN table"), in their order. */
export const BIN_TABLE_COLUMNS = ['bin_prefix', 'country', 'network', 'type'] as const;

export const MIN_BIN_PREFIX_LENGTH = 6;
export const MAX_BIN_PREFIX_LENGTH = 8;

/** One row of the BIN table: the cards whose number starts with `bin_prefix`. */
export interface BinRange {
  /** 6 to 8 digits. */
  bin_prefix: string;
  /** ISO 3166-1 alpha-2 issuing country. */
  country: string;
  network: CardNetwork;
  funding: BinFundingType;
}

/** What the card summary takes from the BIN table. */
export interface BinInfo {
  country: string | null;
  funding: CardFunding;
}

/** A card whose BIN the table does not hold: no `bin_country` condition holds for it. */
export const UNKNOWN_BIN: BinInfo = { country: null, funding: 'unknown' };

export function binInfoOf(range: BinRange | undefined): BinInfo {
  return range === undefined ? UNKNOWN_BIN : { country: range.country, funding: range.funding };
}

const PREFIX_SHAPE = /^\d{6,8}$/;

/**
 * One row of a BIN table file as a range, or what is wrong with it, each problem naming its
 * column. Values are taken as written except for surrounding spaces; country and type are not
 * case-folded, so a table says `GB` and `credit` exactly as the API answers them.
 */
export function parseBinRow(row: Readonly<Record<(typeof BIN_TABLE_COLUMNS)[number], string>>): { range: BinRange } | { errors: string[] } {
  const [bin_prefix, country, network, funding] = BIN_TABLE_COLUMNS.map((column) => (row[column] ?? '').trim());
  const errors: string[] = [];
  if (!PREFIX_SHAPE.test(bin_prefix)) errors.push(`bin_prefix must be ${MIN_BIN_PREFIX_LENGTH} to ${MAX_BIN_PREFIX_LENGTH} digits, not "${bin_prefix}"`);
  if (!isCountryCode(country)) errors.push(`country must be an upper-case ISO 3166-1 alpha-2 code, not "${country}"`);
  if (!isCardNetwork(network)) errors.push(`network must be a card network (visa, mastercard, ...), not "${network}"`);
  if (!isFundingType(funding)) errors.push(`type must be one of ${BIN_FUNDING_TYPES.join(', ')}, not "${funding}"`);
  if (errors.length > 0) return { errors };
  return { range: { bin_prefix, country, network: network as CardNetwork, funding: funding as BinFundingType } };
}

function isFundingType(value: string): value is BinFundingType {
  return (BIN_FUNDING_TYPES as readonly string[]).includes(value);
}

/**
 * The prefixes of a card number a BIN table can hold, longest first, so that the first one
 * found is the longest match ("longest prefix wins"). None for what is not a card number.
 */
export function binPrefixesOf(digits: string): string[] {
  if (!/^\d+$/.test(digits) || digits.length < MIN_BIN_PREFIX_LENGTH) return [];
  const prefixes: string[] = [];
  for (let length = Math.min(MAX_BIN_PREFIX_LENGTH, digits.length); length >= MIN_BIN_PREFIX_LENGTH; length--) prefixes.push(digits.slice(0, length));
  return prefixes;
}

/** The range with the longest prefix of the card number among `find`'s answers. */
export function longestPrefixMatch(digits: string, find: (prefix: string) => BinRange | undefined): BinRange | undefined {
  for (const prefix of binPrefixesOf(digits)) {
    const range = find(prefix);
    if (range !== undefined) return range;
  }
  return undefined;
}
