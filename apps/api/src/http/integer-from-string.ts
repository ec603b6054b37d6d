import { Transform } from 'class-transformer';

/** A string of digits (optionally negative) as a number; anything else as it is. */
export const integerFromString = (value: unknown): unknown => (typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value);

/**
 * Turns a string of digits (optionally negative) into a number and leaves anything else as it
 * is, so that `IsInt` rejects `abc`, `1.5`, `1e2`, `''` or a repeated parameter where a
 * lenient `Number()` would accept some of them. For query strings and form bodies, whose
 * values always arrive as strings.
 */
export const IntegerFromString = () => Transform(({ value }: { value: unknown }) => integerFromString(value));
