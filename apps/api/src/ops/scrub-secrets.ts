/**
 * 13 to 19 digits, optionally grouped by single spaces or dashes ("4242 4242 4242 4242"), also
 * as a URL writes the space (`%20`, or `+` in a query): paths and queries are repeated raw in
 * log lines and in a problem's `instance`. The digit before the first may be the 0 of a `%20`,
 * whose 2 is no first digit.
 * No Luhn check on purpose: a mistyped card number is as sensitive as a valid one.
 */
const CARD_NUMBER = /(?<!%|(?<!%2)\d)\d(?:(?:[ +-]|%20)?\d){12,18}(?!\d)/g;

/** Our API tokens, `st_<env>_<random>` and `pt_<env>_<random>`. */
const API_TOKEN = /(?<![A-Za-z0-9])(st|pt)_(prod|stg)_[A-Za-z0-9]+/g;

/**
 * A 3–4 digit security code next to its name, as JSON (`"cvc":"123"`), a query string
 * (`cvc=123`) or a form key (`card[cvc]=123`); a bare 3-digit number is not recognisable.
 */
const SECURITY_CODE = /\b(cvc2?|cvv2?)(["'\]]?\s*[:=]\s*["']?)\d{3,4}(?!\d)/gi;

/**
 * Masks card numbers, card security codes and API tokens in any text, keeping what helps
 * support (the last four digits, the token kind and environment) so a masked log line can
 * still be matched to a payment or an account.
 */
export function scrubSecrets(text: string): string {
  return text
    .replace(CARD_NUMBER, (digits) => `****${digits.replace(/\D/g, '').slice(-4)}`)
    .replace(API_TOKEN, '$1_$2_****')
    .replace(SECURITY_CODE, '$1$2***');
}
