import { ArgumentMetadata, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import { ValidationTypes, getMetadataStorage } from 'class-validator';
import { FieldError } from '@payments/domain';
import { childPath, unknownPropertyError } from './body-shape';
import { cardNumbersOutOfPlace } from './card-numbers-in-bodies';
import { ProblemException } from './problem-details';

/**
 * class-validator constraints that fail when a value has the wrong SHAPE: unknown property,
 * wrong type, not one of an enum, not an object where one is expected. Every other constraint
 * (ranges, lengths, counts, formats such as URLs or currency codes, duplicates, and custom
 * constraints unless added here) is a broken RULE.
 */
export const SHAPE_CONSTRAINTS: ReadonlySet<string> = new Set([
  'whitelistValidation',
  'nestedValidation',
  'unknownValue',
  'isDefined',
  'isString',
  'isNumber',
  'isInt',
  'isBoolean',
  'isArray',
  'isObject',
  'isEnum',
  'isIn',
  'isInstance',
]);

interface ClassifiedFieldError extends FieldError {
  shape: boolean;
}

/**
 * One field error per failed constraint. A value of the wrong shape reports only its shape
 * problems (its rules were checked on a value that makes no sense), and a missing required
 * property reports only that it is required.
 */
export function flattenValidationErrors(errors: ValidationError[], parent?: string): ClassifiedFieldError[] {
  return errors.flatMap((error) => {
    const constraints = Object.entries(error.constraints ?? {});
    // class-validator's own message quotes the key, which may be anything the client sent.
    if (constraints.some(([name]) => name === 'whitelistValidation')) return [{ ...unknownPropertyError(parent, error.property), shape: true }];
    const field = childPath(parent, error.property);
    let own: ClassifiedFieldError[];
    if (constraints.length > 0 && error.value === undefined) {
      own = [{ field, message: `${error.property} is required`, shape: true }];
    } else {
      const shape = constraints.filter(([name]) => SHAPE_CONSTRAINTS.has(name));
      own = (shape.length > 0 ? shape : constraints).map(([, message]) => ({ field, message, shape: shape.length > 0 }));
    }
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

function validationProblem(errors: ValidationError[]): ProblemException {
  const classified = flattenValidationErrors(errors);
  const fieldErrors = classified.map(({ field, message }) => ({ field, message }));
  const detail = fieldErrors.map((e) => e.message).join('; ');
  return new ProblemException(classified.some((e) => e.shape) ? 'bad_request' : 'validation', detail, { errors: fieldErrors });
}

/**
 * class-validator's ValidateNested takes a list inside a list for one more list and checks its
 * elements, so `rules: [[]]` passed with nothing to check and reached the domain, which wants
 * rule objects (a 500). No contract nests lists of objects in lists: on every nested property of
 * the validated DTOs, each element of a list must be an object. Field paths as elsewhere.
 */
export function listsWhereObjectsBelong(value: unknown, parent?: string): FieldError[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [];
  const nested = getMetadataStorage()
    .getTargetValidationMetadatas(value.constructor, '', true, false)
    .filter((metadata) => metadata.type === ValidationTypes.NESTED_VALIDATION);
  return [...new Set(nested.map((metadata) => metadata.propertyName))].flatMap((property) => {
    const field = childPath(parent, property);
    const item = (value as Record<string, unknown>)[property];
    if (!Array.isArray(item)) return listsWhereObjectsBelong(item, field);
    return item.flatMap((element, index) =>
      Array.isArray(element) ? [{ field: childPath(field, index), message: 'must be an object, not a list' }] : listsWhereObjectsBelong(element, childPath(field, index)),
    );
  });
}

function isClass(metatype: unknown): boolean {
  return typeof metatype === 'function' && ![String, Number, Boolean, Array, Object].includes(metatype as never);
}

/**
 * Validates bodies, queries and params against their DTO classes and answers with problem
 * details listing `errors: [{field, message}]`.
 *
 * 400 or 422:
 * - 400 when the request has the wrong SHAPE: the body is not a JSON object, a property is
 *   unknown, a required one is missing, a value has the wrong type or is not one of an enum
 *   (SHAPE_CONSTRAINTS). If any field has a shape problem, the answer is 400 and lists the
 *   problems of every field.
 * - 422 when the request is well-typed but breaks a rule: ranges, lengths, counts, formats
 *   (URL, currency code), duplicates.
 * - Query strings and path parameters are always 400, whatever the constraint: 422 is about the
 *   request content (RFC 9110 §15.5.21), and API.md makes every bad `limit`/`offset` a 400.
 */
@Injectable()
export class RequestValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      // Keep `value` on errors (to tell a missing property from a wrong one) but not the whole object.
      validationError: { target: false, value: true },
      exceptionFactory: validationProblem,
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // A body-less request arrives as {} from the body parsers; JSON `null`, numbers, strings and arrays are not objects.
    if (metadata.type === 'body' && isClass(metadata.metatype) && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw new ProblemException('bad_request', 'The request body must be a JSON object.');
    }
    try {
      const transformed: unknown = await super.transform(value, metadata);
      const lists = listsWhereObjectsBelong(transformed);
      if (lists.length > 0) throw new ProblemException('bad_request', lists.map((e) => `${e.field}: ${e.message}`).join('; '), { errors: lists });
      const cards = metadata.type === 'body' ? cardNumbersOutOfPlace(transformed) : [];
      if (cards.length > 0) throw new ProblemException('validation', cards.map((e) => `${e.field}: ${e.message}`).join('; '), { errors: cards });
      return transformed;
    } catch (error) {
      if (error instanceof ProblemException && error.kind === 'validation' && metadata.type !== 'body') {
        throw new ProblemException('bad_request', error.detail, error.extras);
      }
      throw error;
    }
  }
}
