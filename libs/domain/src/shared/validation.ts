import { FieldError, invalid } from './errors';

/** An integer from `min` to `max`, both included. */
export function isIntegerBetween(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

/**
 * Characters that make a name show as something else in a log, a terminal or a dashboard: C0 and
 * C1 controls (NUL, line breaks, escape sequences), line and paragraph separators, and the
 * bidirectional overrides that reverse text. Joiners stay, since emoji sequences need them.
 */
const CONTROL_CHARACTERS = /[\p{Cc}\p{Zl}\p{Zp}\u202A-\u202E\u2066-\u2069]/u;

/** A name or description that is not blank, has no control characters and is at most `maxLength` characters long. */
export function nameErrors(field: string, name: string, maxLength: number): FieldError[] {
  if (name.trim() === '') return [{ field, message: 'must not be empty' }];
  if (CONTROL_CHARACTERS.test(name)) return [{ field, message: 'must not contain control characters' }];
  if (name.length > maxLength) return [{ field, message: `must be at most ${maxLength} characters` }];
  return [];
}

/** Every broken rule at once, as one `invalid` error (422). */
export function assertNoErrors(errors: FieldError[], what: string): void {
  if (errors.length > 0) throw invalid(`the ${what} is invalid`, errors);
}
