import { FieldError, containsCardNumber } from '@payments/domain';
import { childPath } from './body-shape';

const CARD_NUMBER_FIELD = Symbol('cardNumberField');

/** Marks the one DTO property that takes a card number (`payment_method.card.number`); every other string of a body must not hold one. */
export function CardNumberField(): PropertyDecorator {
  return (target, property) => Reflect.defineMetadata(CARD_NUMBER_FIELD, true, target, property);
}

const MESSAGE = 'must not hold a card number: a card is taken only as payment_method.card.number of a pay request, and never stored';

/**
 * Every string and key of a validated body that holds a card number, but the field marked to
 * take one: a name, an email, a custom field or a URL with a card number in it would be stored
 * and shown back, where no card number may be. Walks the DTO instances the pipe made, since the
 * mark sits on their classes. Iterative, like the body-shape check.
 */
export function cardNumbersOutOfPlace(body: unknown): FieldError[] {
  const errors: FieldError[] = [];
  const pending: Array<{ value: unknown; path: string | undefined }> = [{ value: body, path: undefined }];
  while (pending.length > 0) {
    const { value, path } = pending.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((item, index) => [index, item]) : Object.entries(value);
    for (const [key, item] of entries) {
      const field = childPath(path, key);
      if (typeof key === 'string' && containsCardNumber(key)) errors.push({ field: path ?? 'body', message: `has a key that ${MESSAGE}` });
      else if (typeof item === 'string') {
        if (containsCardNumber(item) && !(typeof key === 'string' && Reflect.getMetadata(CARD_NUMBER_FIELD, value, key) === true)) errors.push({ field, message: MESSAGE });
      } else pending.push({ value: item, path: field });
    }
  }
  return errors;
}
