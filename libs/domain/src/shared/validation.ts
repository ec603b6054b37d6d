import { FieldError, invalid } from './errors';

/** An integer from `min` to `max`, both included. */
export function isIntegerBetween(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}

/** A name that is not blank and at most `maxLength` characters long. */
export function nameErrors(field: string, name: string, maxLength: number): FieldError[] {
  if (name.trim() === '') return [{ field, message: 'must not be empty' }];
  if (name.length > maxLength) return [{ field, message: `must be at most ${maxLength} characters` }];
  return [];
}

/** Every broken rule at once, as one `invalid` error (422). */
export function assertNoErrors(errors: FieldError[], what: string): void {
  if (errors.length > 0) throw invalid(`the ${what} is invalid`, errors);
}
