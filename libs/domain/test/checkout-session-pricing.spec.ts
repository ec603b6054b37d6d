import { CouponTerms } from '@payments/domain/catalog';
import { PricedLineItemInput, priceTier } from '@payments/domain/checkout-session';
import { errorOf } from './domain-error';

const item = (unit_amount: number, quantity = 1, currency = 'USD', price_id = 'price_stg_1'): PricedLineItemInput => ({
  price_id,
  product_id: 'prod_stg_1',
  quantity,
  unit_amount,
  currency,
});
const percentOff = (percent_off: number): CouponTerms => ({ percent_off, amount_off: null, currency: null });
const amountOff = (amount_off: number, currency = 'USD'): CouponTerms => ({ percent_off: null, amount_off, currency });

describe('tier pricing', () => {
  it('multiplies unit amounts by quantities and adds them up', () => {
    expect(priceTier([item(4900, 2, 'USD', 'price_stg_a'), item(150, 3, 'USD', 'price_stg_b')], null)).toEqual({
      line_items: [
        { price_id: 'price_stg_a', product_id: 'prod_stg_1', quantity: 2, unit_amount: 4900, amount_subtotal: 9800 },
        { price_id: 'price_stg_b', product_id: 'prod_stg_1', quantity: 3, unit_amount: 150, amount_subtotal: 450 },
      ],
      amount_subtotal: 10250,
      amount_discount: 0,
      amount_total: 10250,
      currency: 'USD',
    });
  });

  it.each([
    [101, 50, 51],
    [999, 12.5, 125],
    [1000, 33.33, 333],
    [5, 10, 1],
    [4, 10, 0],
    [3, 16.67, 1],
  ])('rounds a percentage discount half up: %i at %p%% takes %i off', (subtotal, percent, discount) => {
    const tier = priceTier([item(subtotal)], percentOff(percent));
    expect([tier.amount_discount, tier.amount_total]).toEqual([discount, subtotal - discount]);
  });

  it('stays exact for the largest possible tier', () => {
    const tier = priceTier(Array.from({ length: 100 }, () => item(99_999_999, 10_000)), percentOff(33.33));
    expect(tier.amount_subtotal).toBe(99_999_999_000_000);
    expect(tier.amount_discount).toBe(33_329_999_666_700);
  });

  it('takes everything off at 100 percent', () => {
    expect(priceTier([item(4900)], percentOff(100)).amount_total).toBe(0);
  });

  it('takes an amount off in the tier currency, never below 0', () => {
    expect(priceTier([item(4900)], amountOff(500))).toMatchObject({ amount_discount: 500, amount_total: 4400 });
    expect(priceTier([item(300)], amountOff(500))).toMatchObject({ amount_discount: 300, amount_total: 0 });
  });

  it('refuses an amount off in another currency than the tier, naming the tier', () => {
    const error = errorOf(() => priceTier([item(4900, 1, 'EUR')], amountOff(500, 'USD'), 'cascade_line_items[0].line_items'));
    expect(error.kind).toBe('invalid');
    expect(error.errors).toEqual([{ field: 'cascade_line_items[0].line_items', message: 'priced in EUR, but the coupon takes an amount off in USD' }]);
  });

  it('refuses prices of different currencies in one tier, naming the odd one out', () => {
    const error = errorOf(() => priceTier([item(100, 1, 'USD', 'price_stg_a'), item(100, 1, 'EUR', 'price_stg_b')], null));
    expect(error.kind).toBe('invalid');
    expect(error.errors).toEqual([{ field: 'line_items[1].price_id', message: "price price_stg_b is in EUR, the tier's first price in USD" }]);
  });

  it('refuses a tier without line items', () => {
    expect(errorOf(() => priceTier([], null)).kind).toBe('invalid');
  });
});
