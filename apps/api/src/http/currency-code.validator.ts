import { ValidateBy, ValidationOptions, buildMessage } from 'class-validator';
import { isCurrency } from '@payments/domain';

/**
 * An upper-case ISO 4217 code (API.md "Money"). class-validator's IsISO4217CurrencyCode accepts
 * `usd` too, which the contract does not.
 */
export function IsCurrencyCode(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCurrencyCode',
      validator: {
        validate: (value) => isCurrency(value),
        defaultMessage: buildMessage((each) => `${each}$property must be an upper-case ISO 4217 currency code`, options),
      },
    },
    options,
  );
}
