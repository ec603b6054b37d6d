/**
 * Domain errors carry a kind that the HTTP edge maps to a status; the domain never speaks HTTP.
 * - invalid:   the command breaks a rule or names an unknown id (422)
 * - malformed: the command's shape is wrong (400)
 * - not_found: the target does not exist for this account (404)
 * - conflict:  the target's state forbids the command now (409)
 * - gone:      the target has expired (410)
 * - too_many:  too many of these commands failed already (429); `retryAfterMs` says when one may
 *              be taken again, and its absence that waiting will not help
 */
export type DomainErrorKind = 'invalid' | 'malformed' | 'not_found' | 'conflict' | 'gone' | 'too_many';

export interface FieldError {
  field: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly kind: DomainErrorKind,
    message: string,
    readonly errors: FieldError[] = [],
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const invalid = (message: string, errors: FieldError[] = []) => new DomainError('invalid', message, errors);
export const malformed = (message: string, errors: FieldError[] = []) => new DomainError('malformed', message, errors);
export const notFound = (message: string) => new DomainError('not_found', message);
export const conflict = (message: string) => new DomainError('conflict', message);
export const gone = (message: string) => new DomainError('gone', message);
