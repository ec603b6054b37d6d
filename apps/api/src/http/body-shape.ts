import { FieldError } from '@payments/domain';
import { bodyErrorOf, deferBodyError } from './deferred-body-errors';
import { ProblemException } from './problem-details';

/**
 * Keys that reach an object's prototype when a library copies them onto an instance
 * (class-transformer does): `__proto__` swaps the prototype, `constructor` broke validation
 * with a 500. No contract field has these names, so at any depth they are unknown properties.
 */
const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The deepest nesting any contract body needs is five levels (a route's rules[].conditions[].value[]);
 * validation and transformation recurse, so a body nested thousands deep would exhaust the stack.
 */
export const MAX_BODY_DEPTH = 32;

/** Property names the API may quote back in an error: a plain identifier of reasonable length. */
const PLAIN_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

const MAX_REPORTED = 10;

/**
 * A non-zero number closer to zero than this is written in exponent form (`1e-7`), on which
 * class-validator's maxDecimalPlaces check throws (typestack/class-validator#1705) and the
 * request answered 500. No contract field takes six decimals, let alone more.
 */
const SMALLEST_FRACTION = 1e-6;

/** Field paths are dotted with array indexes in brackets (`processors[1].split`); `body` is the whole body. */
export function childPath(parent: string | undefined, property: string | number): string {
  if (typeof property === 'number' || /^\d+$/.test(property)) return `${parent ?? 'body'}[${property}]`;
  return parent === undefined ? property : `${parent}.${property}`;
}

/**
 * Whether a key can be named in an error. A key that is not a plain identifier could be
 * anything the client sent, such as a whole JSON document with a card number in it when JSON
 * is posted as a form, so it is described instead.
 */
export function isQuotableKey(key: string): boolean {
  return PLAIN_IDENTIFIER.test(key);
}

/** The field error of an unknown property, naming it only when it is a plain identifier. */
export function unknownPropertyError(parent: string | undefined, key: string): FieldError {
  if (isQuotableKey(key)) return { field: childPath(parent, key), message: `property ${key} should not exist` };
  return { field: parent ?? 'body', message: 'has a property whose name is not a plain identifier (letters, digits and underscores); the name is not repeated here' };
}

/**
 * Refuses, before any parsing into DTOs, what would otherwise reach prototypes or the stack:
 * prototype keys at any depth and nesting deeper than MAX_BODY_DEPTH; and numbers the validators
 * cannot check (SMALLEST_FRACTION). Iterative, so checking a deep body cannot itself overflow.
 * Throws a 400 problem naming the field paths.
 */
export function assertSafeBodyShape(body: unknown): void {
  const errors: FieldError[] = [];
  const pending: Array<{ value: unknown; path: string | undefined; depth: number }> = [{ value: body, path: undefined, depth: 0 }];
  while (pending.length > 0 && errors.length < MAX_REPORTED) {
    const { value, path, depth } = pending.pop()!;
    if (typeof value === 'number' && value !== 0 && Math.abs(value) < SMALLEST_FRACTION) {
      errors.push({ field: path ?? 'body', message: 'is a number with more than 6 decimal places' });
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_BODY_DEPTH) {
      errors.push({ field: path ?? 'body', message: `is nested deeper than ${MAX_BODY_DEPTH} levels` });
      continue;
    }
    if (Array.isArray(value)) {
      value.forEach((item, index) => pending.push({ value: item, path: childPath(path, index), depth: depth + 1 }));
      continue;
    }
    for (const key of Object.keys(value)) {
      if (PROTOTYPE_KEYS.has(key)) errors.push(unknownPropertyError(path, key));
      else pending.push({ value: (value as Record<string, unknown>)[key], path: childPath(path, key), depth: depth + 1 });
    }
  }
  if (errors.length > 0) {
    throw new ProblemException('bad_request', errors.map((error) => `${error.field}: ${error.message}`).join('; '), { errors });
  }
}

/** Set on a request whose form body named `__proto__`, which qs drops in silence as it parses. */
const FORM_PROTO_KEY = Symbol('formProtoKey');

/**
 * The urlencoded parser's `verify` hook, which sees the raw body: any other prototype key
 * survives parsing and is caught by assertSafeBodyShape, but `__proto__` would not.
 */
export function noteFormPrototypeKeys(request: object, _response: unknown, raw: Buffer): void {
  for (const key of new URLSearchParams(raw.toString('utf8')).keys()) {
    if (key.includes('__proto__')) Object.assign(request, { [FORM_PROTO_KEY]: true });
  }
}

/** Express middleware after the body parsers: keeps what assertSafeBodyShape finds for RequestBodyGuard, unless the parsers failed already. */
export function refuseUnsafeBodyShapes(request: { body?: unknown }, _response: unknown, next: () => void): void {
  if (bodyErrorOf(request) !== undefined) return next();
  try {
    if ((request as { [FORM_PROTO_KEY]?: boolean })[FORM_PROTO_KEY]) {
      const error = unknownPropertyError(undefined, '__proto__');
      throw new ProblemException('bad_request', `${error.field}: ${error.message}`, { errors: [error] });
    }
    assertSafeBodyShape(request.body);
  } catch (error) {
    deferBodyError(request, error);
  }
  next();
}
