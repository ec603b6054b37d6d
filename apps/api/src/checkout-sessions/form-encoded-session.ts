import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import { ApiRequest } from '../http/api-request';
import { integerFromString } from '../http/integer-from-string';

type Fields = Record<string, unknown>;
type Decode = (value: unknown) => unknown;

const FORM_ENCODED = /^application\/x-www-form-urlencoded\b/i;

/** A form sends every value as text: a digit string where an integer belongs becomes that integer. */
const integer: Decode = integerFromString;
/** A form cannot send null; an empty value is how it clears a nullable field (as Stripe reads forms). */
const nullable: Decode = (value) => (value === '' ? null : value);

const lineItems: Decode = (value) => (Array.isArray(value) ? value.map((item) => decodeFields(item, { quantity: integer })) : value);

const SESSION_FIELDS: Record<string, Decode> = {
  customer_id: nullable,
  line_items: lineItems,
  cascade_line_items: (value) => (Array.isArray(value) ? value.map((tier) => decodeFields(tier, { line_items: lineItems, processor_route_id: nullable })) : value),
  processor_route_id: nullable,
  return_url: nullable,
  expires_in_hours: integer,
  params_for_sub: nullable,
  promotion_code: nullable,
  coupon_id: nullable,
};

/** Decodes only the named fields of an object; anything else is left for validation to judge. */
function decodeFields(value: unknown, decoders: Record<string, Decode>): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const fields = { ...(value as Fields) };
  for (const [name, decode] of Object.entries(decoders)) if (Object.hasOwn(fields, name)) fields[name] = decode(fields[name]);
  return fields;
}

/**
 * Turns a form-encoded checkout session (`line_items[0][quantity]=1`) into the JSON shape before
 * validation, so that JSON bodies stay strict: there `"quantity": "1"` is still a 400. Only the
 * fields the contract types as integers or nullable are decoded; custom field values stay text.
 */
@Injectable()
export class FormEncodedCheckoutSession implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<ApiRequest>();
    if (FORM_ENCODED.test(request.headers['content-type'] ?? '')) request.body = decodeFields(request.body, SESSION_FIELDS);
    return next.handle();
  }
}
