import { Transform } from 'class-transformer';

/**
 * A string of digits (optionally negative) as a number, when a number can hold it exactly;
 * anything else as it is. Past Number.MAX_SAFE_INTEGER the digits would round to another
 * integer (`offset=9007199254740993` read as ...992), which passed validation and broke the
 * read model's own check with a 500; left a string, the value is refused as not an integer.
 */
export const integerFromString = (value: unknown): unknown => {
  if (typeof value !== 'string' || !/^-?\d+$/.test(value)) return value;
  const number = Number(value);
  return Number.isSafeInteger(number) ? number : value;
};

/**
 * Turns a string of digits (optionally negative) into a number and leaves anything else as it
 * is, so that `IsInt` rejects `abc`, `1.5`, `1e2`, `''`, a repeated parameter or an integer no
 * number holds, where a lenient `Number()` would accept some of them. For query strings and
 * form bodies, whose values always arrive as strings.
 */
export const IntegerFromString = () => Transform(({ value }: { value: unknown }) => integerFromString(value));
