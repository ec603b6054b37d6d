import { networkFromBin } from './bin-network';
import { passesLuhn } from './luhn';

/**
 * 12 to 19 digits, grouped as printed or pasted: by single spaces or dashes, or by the `+` and
 * `%20` a URL writes a space as.
 */
const DIGIT_RUN = /(?<!\d)\d(?:(?:[ -]|\+|%20)?\d){11,18}(?!\d)/g;

/**
 * Whether a text holds what this service would take as a card number: a digit run that passes
 * Luhn and starts like a known network's card. Both, so that order numbers and other long ids in
 * free text are not mistaken for one (nine in ten random digit strings fail Luhn, and most
 * start with no network's digits).
 */
export function containsCardNumber(text: string): boolean {
  for (const [run] of text.matchAll(DIGIT_RUN)) {
    const digits = run.replace(/%20|\D/g, '');
    if (passesLuhn(digits) && networkFromBin(digits) !== undefined) return true;
  }
  return false;
}
