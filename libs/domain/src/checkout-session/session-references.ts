import { OwnedReference, isOwnedBy } from '../catalog/catalog-item';
import { Coupon, CouponTerms } from '../catalog/coupon';
import { Price } from '../catalog/price';
import { PromotionCode } from '../catalog/promotion-code';
import { FieldError } from '../shared/errors';
import { PricedLineItemInput } from './pricing';
import { CheckoutSessionRequest, requestedTiers } from './session-request';

/**
 * The ids a session request names, as its handler found them. The handler only looks up; this
 * module decides what is unknown, so every unknown id is reported at once with its field path.
 * Anything of another account counts as unknown, as does a deleted route.
 */
export interface CheckoutSessionReferences {
  prices: ReadonlyMap<string, Price>;
  /** Live (not deleted) routes, by id. */
  routes: ReadonlyMap<string, OwnedReference>;
  customer: OwnedReference | undefined;
  /** The promotion code that `promotion_code` names (its claim stream gives the id). */
  promotionCode: PromotionCode | undefined;
  /** The coupon that `coupon_id` names, or else the promotion code's coupon. */
  coupon: Coupon | undefined;
}

/** The discount a session applies to every tier, and where it came from. */
export type SessionDiscount = { coupon_id: string; promotion_code_id: string | null } & CouponTerms;

export interface ResolvedTier {
  field: string;
  line_items: PricedLineItemInput[];
  processor_route_id: string | null;
}

export interface ResolvedSessionReferences {
  tiers: ResolvedTier[];
  discount: SessionDiscount | null;
}

/** The request's tiers with their prices and its discount, or every id it names that is unknown. */
export function resolveSessionReferences(
  accountId: string,
  request: CheckoutSessionRequest,
  references: CheckoutSessionReferences,
): ResolvedSessionReferences | FieldError[] {
  const errors: FieldError[] = [];
  const tiers = requestedTiers(request).map(({ field, line_items, processor_route_id }) => ({
    field,
    processor_route_id,
    line_items: line_items.flatMap(({ price_id, quantity }, index) => {
      const price = references.prices.get(price_id);
      if (!isOwnedBy(price, accountId)) {
        errors.push({ field: `${field}[${index}].price_id`, message: `unknown price ${price_id}` });
        return [];
      }
      return [{ price_id, product_id: price.product_id, quantity, unit_amount: price.unit_amount, currency: price.currency }];
    }),
  }));
  errors.push(...routeErrors(accountId, request, references.routes));
  if (request.customer_id != null && !isOwnedBy(references.customer, accountId)) {
    errors.push({ field: 'customer_id', message: `unknown customer ${request.customer_id}` });
  }
  const discount = resolveDiscount(accountId, request, references, errors);
  return errors.length > 0 ? errors : { tiers, discount };
}

/** Every route id the request names, with the field that names it. */
export function namedRoutes(request: CheckoutSessionRequest): { field: string; routeId: string }[] {
  const named: [string, string | null | undefined][] = [
    ['processor_route_id', request.processor_route_id],
    ...(request.cascade_line_items ?? []).map((tier, index): [string, string | null | undefined] => [`cascade_line_items[${index}].processor_route_id`, tier.processor_route_id]),
  ];
  return named.flatMap(([field, routeId]) => (routeId == null ? [] : [{ field, routeId }]));
}

/** The field errors of a request naming `routeIds` as unknown routes. */
export function unknownRouteErrors(request: CheckoutSessionRequest, routeIds: readonly string[]): FieldError[] {
  return namedRoutes(request)
    .filter(({ routeId }) => routeIds.includes(routeId))
    .map(({ field, routeId }) => ({ field, message: `unknown route ${routeId}` }));
}

function routeErrors(accountId: string, request: CheckoutSessionRequest, routes: CheckoutSessionReferences['routes']): FieldError[] {
  const unknown = namedRoutes(request).map(({ routeId }) => routeId).filter((routeId) => !isOwnedBy(routes.get(routeId), accountId));
  return unknownRouteErrors(request, unknown);
}

function resolveDiscount(accountId: string, request: CheckoutSessionRequest, references: CheckoutSessionReferences, errors: FieldError[]): SessionDiscount | null {
  const { promotionCode, coupon } = references;
  if (request.promotion_code != null) {
    // A promotion code always has its coupon: coupons are never deleted.
    if (!isOwnedBy(promotionCode, accountId) || !isOwnedBy(coupon, accountId) || coupon.id !== promotionCode.coupon_id) {
      errors.push({ field: 'promotion_code', message: `unknown promotion code ${request.promotion_code}` });
      return null;
    }
    return { coupon_id: coupon.id, promotion_code_id: promotionCode.id, ...termsOf(coupon) };
  }
  if (request.coupon_id != null) {
    if (!isOwnedBy(coupon, accountId) || coupon.id !== request.coupon_id) {
      errors.push({ field: 'coupon_id', message: `unknown coupon ${request.coupon_id}` });
      return null;
    }
    return { coupon_id: coupon.id, promotion_code_id: null, ...termsOf(coupon) };
  }
  return null;
}

function termsOf(coupon: CouponTerms): CouponTerms {
  return coupon.percent_off !== null
    ? { percent_off: coupon.percent_off, amount_off: null, currency: null }
    : { percent_off: null, amount_off: coupon.amount_off, currency: coupon.currency };
}
