import { FieldError } from '../shared/errors';
import { isIntegerBetween } from '../shared/validation';
import { CaptureMethod } from '../payment/after-approval/capture-method';

export const MAX_LINE_ITEMS = 100;
export const MAX_QUANTITY = 10_000;
/** Tiers after the session's own line items: 10 tiers in all. */
export const MAX_CASCADE_TIERS = 9;
export const DEFAULT_EXPIRES_IN_HOURS = 24;
export const MAX_EXPIRES_IN_HOURS = 720;
export const MAX_CUSTOM_FIELDS = 50;
export const MAX_CUSTOM_FIELD_KEY_LENGTH = 40;
export const MAX_CUSTOM_FIELD_VALUE_LENGTH = 500;

export interface LineItemRequest {
  price_id: string;
  quantity: number;
}

export interface CascadeTierRequest {
  line_items: LineItemRequest[];
  /** Null or absent: the session's route. */
  processor_route_id?: string | null;
}

export type CustomFields = Record<string, string>;

export interface ParamsForSub {
  custom_fields?: CustomFields;
}

/** `POST /v1/checkout/sessions` as API.md defines it, after the DTO has checked its shape. */
export interface CheckoutSessionRequest {
  customer_id?: string | null;
  line_items: LineItemRequest[];
  cascade_line_items?: CascadeTierRequest[];
  processor_route_id?: string | null;
  success_url: string;
  return_url?: string | null;
  expires_in_hours?: number;
  custom_fields?: CustomFields;
  params_for_sub?: ParamsForSub | null;
  promotion_code?: string | null;
  coupon_id?: string | null;
  /** Absent: automatic. */
  capture_method?: CaptureMethod;
}

/** One tier as requested, with the field path its errors are reported under. */
export interface TierRequest {
  field: string;
  line_items: LineItemRequest[];
  processor_route_id: string | null;
}

/** The session's own line items are tier 0; each cascade entry is a further tier, in order. */
export function requestedTiers(request: CheckoutSessionRequest): TierRequest[] {
  return [
    { field: 'line_items', line_items: request.line_items, processor_route_id: null },
    ...(request.cascade_line_items ?? []).map((tier, index) => ({
      field: `cascade_line_items[${index}].line_items`,
      line_items: tier.line_items,
      processor_route_id: tier.processor_route_id ?? null,
    })),
  ];
}

/**
 * Every rule of API.md a request breaks that needs no lookup. The handler asks before it looks
 * the named ids up, and the checkout session decider asks again.
 */
export function validateCheckoutSessionRequest(request: CheckoutSessionRequest): FieldError[] {
  const cascade = request.cascade_line_items ?? [];
  return [
    ...(cascade.length > MAX_CASCADE_TIERS ? [{ field: 'cascade_line_items', message: `at most ${MAX_CASCADE_TIERS} further tiers, not ${cascade.length}` }] : []),
    ...requestedTiers(request).flatMap((tier) => lineItemErrors(tier)),
    ...urlErrors('success_url', request.success_url),
    ...(request.return_url == null ? [] : urlErrors('return_url', request.return_url)),
    ...expiresInHoursErrors(request.expires_in_hours),
    ...customFieldErrors('custom_fields', request.custom_fields ?? {}),
    ...customFieldErrors('params_for_sub.custom_fields', request.params_for_sub?.custom_fields ?? {}),
    ...(request.promotion_code != null && request.coupon_id != null
      ? [{ field: 'promotion_code', message: 'promotion_code and coupon_id are exclusive: give one of them' }]
      : []),
  ];
}

function lineItemErrors({ field, line_items }: TierRequest): FieldError[] {
  if (line_items.length === 0 || line_items.length > MAX_LINE_ITEMS) {
    return [{ field, message: `list 1 to ${MAX_LINE_ITEMS} line items, not ${line_items.length}` }];
  }
  return line_items.flatMap(({ quantity }, index) =>
    isIntegerBetween(quantity, 1, MAX_QUANTITY)
      ? []
      : [{ field: `${field}[${index}].quantity`, message: `must be an integer from 1 to ${MAX_QUANTITY}` }],
  );
}

function urlErrors(field: string, value: string): FieldError[] {
  return isAbsoluteHttpUrl(value) ? [] : [{ field, message: 'must be an absolute http or https URL' }];
}

function isAbsoluteHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function expiresInHoursErrors(hours: number | undefined): FieldError[] {
  if (hours === undefined || isIntegerBetween(hours, 1, MAX_EXPIRES_IN_HOURS)) return [];
  return [{ field: 'expires_in_hours', message: `must be an integer from 1 to ${MAX_EXPIRES_IN_HOURS}` }];
}

function customFieldErrors(field: string, fields: CustomFields): FieldError[] {
  const entries = Object.entries(fields);
  if (entries.length > MAX_CUSTOM_FIELDS) return [{ field, message: `at most ${MAX_CUSTOM_FIELDS} fields, not ${entries.length}` }];
  return entries.flatMap(([key, value]) => {
    if (key === '' || key.length > MAX_CUSTOM_FIELD_KEY_LENGTH) return [{ field: `${field}.${key}`, message: `keys must be 1 to ${MAX_CUSTOM_FIELD_KEY_LENGTH} characters` }];
    if (typeof value !== 'string' || value.length > MAX_CUSTOM_FIELD_VALUE_LENGTH) {
      return [{ field: `${field}.${key}`, message: `must be a string of at most ${MAX_CUSTOM_FIELD_VALUE_LENGTH} characters` }];
    }
    return [];
  });
}
