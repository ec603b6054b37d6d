import { CouponTerms } from '../catalog/coupon';
import { FieldError, invalid } from '../shared/errors';

/** A line item with its price looked up. */
export interface PricedLineItemInput {
  price_id: string;
  product_id: string;
  quantity: number;
  unit_amount: number;
  currency: string;
}

export interface SessionLineItem {
  price_id: string;
  product_id: string;
  quantity: number;
  unit_amount: number;
  amount_subtotal: number;
}

export interface PricedTier {
  line_items: SessionLineItem[];
  amount_subtotal: number;
  amount_discount: number;
  amount_total: number;
  currency: string;
}

/**
 * A tier's amounts in minor units. All its prices share one currency. A percentage discount
 * rounds half up to a whole minor unit; an amount discount must be in the tier's currency (a
 * coupon for 5 USD says nothing about what to take off a EUR tier) and never takes the total
 * below 0. `field` is where the tier's line items sit in the request, for error paths.
 */
export function priceTier(lineItems: readonly PricedLineItemInput[], discount: CouponTerms | null, field = 'line_items'): PricedTier {
  if (lineItems.length === 0) throw invalid('a tier needs at least one line item', [{ field, message: 'list at least one line item' }]);
  const currency = lineItems[0].currency;
  const otherCurrencies: FieldError[] = lineItems.flatMap((item, index) =>
    item.currency === currency
      ? []
      : [{ field: `${field}[${index}].price_id`, message: `price ${item.price_id} is in ${item.currency}, the tier's first price in ${currency}` }],
  );
  if (otherCurrencies.length > 0) throw invalid('all prices of a tier must share one currency', otherCurrencies);
  const line_items = lineItems.map(({ price_id, product_id, quantity, unit_amount }) => ({
    price_id,
    product_id,
    quantity,
    unit_amount,
    amount_subtotal: unit_amount * quantity,
  }));
  const amount_subtotal = line_items.reduce((sum, item) => sum + item.amount_subtotal, 0);
  const amount_discount = discountOn(amount_subtotal, currency, discount, field);
  return { line_items, amount_subtotal, amount_discount, amount_total: amount_subtotal - amount_discount, currency };
}

function discountOn(subtotal: number, currency: string, discount: CouponTerms | null, field: string): number {
  if (discount === null) return 0;
  if (discount.percent_off !== null) return percentOf(subtotal, discount.percent_off);
  if (discount.currency !== currency) {
    throw invalid(`the coupon takes ${discount.amount_off} ${discount.currency} off and cannot apply to a tier in ${currency}`, [
      { field, message: `priced in ${currency}, but the coupon takes an amount off in ${discount.currency}` },
    ]);
  }
  return Math.min(discount.amount_off, subtotal);
}

/** Exact: the percentage as whole basis points, in integers wide enough for any subtotal. */
function percentOf(amount: number, percent: number): number {
  const basisPoints = BigInt(Math.round(percent * 100));
  return Number((BigInt(amount) * basisPoints + 5_000n) / 10_000n);
}
