import { FieldError, invalid } from '../shared/errors';
import { networkFromBin } from './bin-network';
import { BinInfo, CardFunding } from './bin-table';
import { fullYear, isExpired } from './expiry';
import { passesLuhn } from './luhn';
import { CardNetwork, isCardNetwork } from './networks';

/** The card as the payer sends it (`payment_method.card`). Holds the PAN: it must not outlive the request. */
export interface CardInput {
  number: string;
  exp_month: number;
  exp_year: number;
  cvc?: string;
  /** Names the network to route on, e.g. a debit network (`star`) that the BIN cannot tell. */
  network?: string;
}

/** What the service keeps of a card: enough to route, show and recognise it, never the PAN or cvc. */
export interface CardSummary {
  last4: string;
  /** The first six digits. */
  bin: string;
  network: CardNetwork;
  fingerprint: string;
  /**
   * The issuing country (ISO 3166-1 alpha-2) from the BIN table; null when the table does not
   * hold the BIN. Absent in payments started before the BIN table existed: read as null.
   */
  country?: string | null;
  /** From the BIN table; `unknown` when the table does not hold the BIN. Absent in payments started before the BIN table existed: read as unknown. */
  funding?: CardFunding;
}

/**
 * Recognises the same card across payments without storing its number. The service passes a
 * keyed HMAC of the digits, so the domain never holds the key and the fingerprint cannot be
 * reversed by brute force over the card number space.
 */
export type CardFingerprint = (digits: string) => string;

const FIELD = 'payment_method.card';
const NUMBER_SHAPE = /^\d{12,19}$/;

/** The card number's digits: payers paste numbers grouped as printed, and the groups carry no meaning. */
export function cardDigits(number: string): string {
  return number.replace(/\s+/g, '');
}

/**
 * Checks a card and reduces it to its summary. Every broken rule is reported at once, each with
 * its field path, as one `invalid` error (422). `bin` is what the BIN table holds for the card's
 * number, looked up by the caller (`longestPrefixMatch` over `cardDigits`), so this stays pure.
 */
export function summariseCard(card: CardInput, options: { now: Date; fingerprint: CardFingerprint; bin: BinInfo }): CardSummary {
  const digits = cardDigits(card.number);
  const errors: FieldError[] = [...numberErrors(digits), ...expiryErrors(card, options.now), ...cvcErrors(card.cvc)];
  const network = cardNetwork(digits, card.network, errors);
  if (errors.length > 0 || network === undefined) throw invalid('the card is not valid', errors);
  const { country, funding } = options.bin;
  return { last4: digits.slice(-4), bin: digits.slice(0, 6), network, fingerprint: options.fingerprint(digits), country, funding };
}

function numberErrors(digits: string): FieldError[] {
  if (!NUMBER_SHAPE.test(digits)) return [{ field: `${FIELD}.number`, message: 'must be 12 to 19 digits' }];
  if (!passesLuhn(digits)) return [{ field: `${FIELD}.number`, message: 'is not a valid card number (Luhn check failed)' }];
  return [];
}

function expiryErrors(card: CardInput, now: Date): FieldError[] {
  const errors: FieldError[] = [];
  const monthValid = Number.isInteger(card.exp_month) && card.exp_month >= 1 && card.exp_month <= 12;
  const yearValid = Number.isInteger(card.exp_year) && card.exp_year >= 0 && card.exp_year <= 9999;
  if (!monthValid) errors.push({ field: `${FIELD}.exp_month`, message: 'must be a month from 1 to 12' });
  if (!yearValid) errors.push({ field: `${FIELD}.exp_year`, message: 'must be a two- or four-digit year' });
  if (monthValid && yearValid && isExpired(card.exp_month, card.exp_year, now)) {
    // Point at the field the payer has to correct: the year when it is past, else the month.
    const field = fullYear(card.exp_year) < now.getUTCFullYear() ? 'exp_year' : 'exp_month';
    errors.push({ field: `${FIELD}.${field}`, message: 'the card has expired' });
  }
  return errors;
}

function cvcErrors(cvc: string | undefined): FieldError[] {
  if (cvc === undefined || /^\d{3,4}$/.test(cvc)) return [];
  return [{ field: `${FIELD}.cvc`, message: 'must be 3 or 4 digits' }];
}

/** A named network wins over the BIN, because a debit card's BIN names its brand, not the debit network. */
function cardNetwork(digits: string, named: string | undefined, errors: FieldError[]): CardNetwork | undefined {
  if (named !== undefined) {
    if (isCardNetwork(named)) return named;
    errors.push({ field: `${FIELD}.network`, message: `unknown card network ${named}` });
    return undefined;
  }
  const derived = networkFromBin(digits);
  // A malformed number already has its error; an unknown range only matters for a well-formed one.
  if (derived === undefined && NUMBER_SHAPE.test(digits)) {
    errors.push({ field: `${FIELD}.number`, message: 'the card network cannot be told from the number; name it in card.network' });
  }
  return derived;
}
