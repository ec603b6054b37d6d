import {
  CouponCommand,
  CouponEvent,
  PriceCommand,
  ProductEvent,
  PromotionCodeCommand,
  couponDecider,
  customerDecider,
  priceDecider,
  productDecider,
  promotionCodeClaimDecider,
  promotionCodeDecider,
  promotionCodeKey,
} from '@payments/domain/catalog';
import { deciderSpecification } from './decider-specification';

const now = new Date('2026-11-21T10:00:00.000Z');
const at = now.toISOString();
const accountId = 'acc_stg_a';

describe('product decider', () => {
  const spec = deciderSpecification(productDecider, { now });
  const created: ProductEvent = { type: 'ProductCreated', data: { product_id: 'prod_stg_1', account_id: accountId, name: 'Premium', created_at: at } };

  it('creates a product once', () => {
    spec.given([]).when({ type: 'CreateProduct', productId: 'prod_stg_1', accountId, name: 'Premium' }).then([created]);
    spec.given([created]).when({ type: 'CreateProduct', productId: 'prod_stg_1', accountId, name: 'Premium' }).thenThrows('conflict');
  });

  it('refuses a product without a name', () => {
    spec.given([]).when({ type: 'CreateProduct', productId: 'prod_stg_1', accountId, name: ' ' }).thenThrows('invalid');
  });
});

describe('price decider', () => {
  const spec = deciderSpecification(priceDecider, { now });
  const create = (over: Partial<PriceCommand> = {}): PriceCommand => ({
    type: 'CreatePrice',
    priceId: 'price_stg_1',
    accountId,
    productId: 'prod_stg_1',
    unitAmount: 4900,
    currency: 'USD',
    product: { id: 'prod_stg_1', accountId },
    ...over,
  });

  it('creates a price of a product of the account', () => {
    spec
      .given([])
      .when(create())
      .then([{ type: 'PriceCreated', data: { price_id: 'price_stg_1', account_id: accountId, product_id: 'prod_stg_1', unit_amount: 4900, currency: 'USD', created_at: at } }]);
  });

  it('accepts a free price', () => {
    spec
      .given([])
      .when(create({ unitAmount: 0 }))
      .then([{ type: 'PriceCreated', data: { price_id: 'price_stg_1', account_id: accountId, product_id: 'prod_stg_1', unit_amount: 0, currency: 'USD', created_at: at } }]);
  });

  it('refuses an unknown product and one of another account', () => {
    const missing = spec.given([]).when(create({ product: undefined })).thenThrows('invalid');
    expect(missing.errors).toEqual([{ field: 'product_id', message: 'unknown product prod_stg_1' }]);
    spec.given([]).when(create({ product: { id: 'prod_stg_1', accountId: 'acc_stg_b' } })).thenThrows('invalid');
  });

  it('refuses negative, fractional and oversized amounts and unknown currencies', () => {
    const fields = (command: PriceCommand) => spec.given([]).when(command).thenThrows('invalid').errors.map((e) => e.field);
    expect(fields(create({ unitAmount: -1 }))).toEqual(['unit_amount']);
    expect(fields(create({ unitAmount: 10.5 }))).toEqual(['unit_amount']);
    expect(fields(create({ unitAmount: 100_000_000 }))).toEqual(['unit_amount']);
    expect(fields(create({ currency: 'usd' }))).toEqual(['currency']);
  });
});

describe('customer decider', () => {
  const spec = deciderSpecification(customerDecider, { now });

  it('creates a customer with an optional name', () => {
    spec
      .given([])
      .when({ type: 'CreateCustomer', customerId: 'cus_stg_1', accountId, email: 'ada@example.com' })
      .then([{ type: 'CustomerCreated', data: { customer_id: 'cus_stg_1', account_id: accountId, email: 'ada@example.com', name: null, created_at: at } }]);
    spec
      .given([])
      .when({ type: 'CreateCustomer', customerId: 'cus_stg_1', accountId, email: 'ada@example.com', name: 'Ada' })
      .then([{ type: 'CustomerCreated', data: { customer_id: 'cus_stg_1', account_id: accountId, email: 'ada@example.com', name: 'Ada', created_at: at } }]);
  });

  it('refuses an empty name when one is given', () => {
    spec.given([]).when({ type: 'CreateCustomer', customerId: 'cus_stg_1', accountId, email: 'ada@example.com', name: '' }).thenThrows('invalid');
  });

  it.each(['ada', 'ada@example', 'a da@example.com', '@example.com'])('refuses the email %p', (email) => {
    spec.given([]).when({ type: 'CreateCustomer', customerId: 'cus_stg_1', accountId, email }).thenThrows('invalid');
  });
});

describe('coupon decider', () => {
  const spec = deciderSpecification(couponDecider, { now });
  const create = (over: Partial<CouponCommand>): CouponCommand => ({ type: 'CreateCoupon', couponId: 'coupon_stg_1', accountId, ...over });
  const fieldsOf = (over: Partial<CouponCommand>) => spec.given([]).when(create(over)).thenThrows('invalid').errors.map((e) => e.field);

  it('creates a percentage coupon', () => {
    spec
      .given([])
      .when(create({ percentOff: 12.5, name: 'Launch' }))
      .then([
        {
          type: 'CouponCreated',
          data: { coupon_id: 'coupon_stg_1', account_id: accountId, percent_off: 12.5, amount_off: null, currency: null, name: 'Launch', created_at: at },
        },
      ]);
  });

  it('creates a fixed-amount coupon in its currency', () => {
    const created: CouponEvent = {
      type: 'CouponCreated',
      data: { coupon_id: 'coupon_stg_1', account_id: accountId, percent_off: null, amount_off: 500, currency: 'EUR', name: null, created_at: at },
    };
    spec.given([]).when(create({ amountOff: 500, currency: 'EUR' })).then([created]);
    spec.given([created]).when(create({ amountOff: 500, currency: 'EUR' })).thenThrows('conflict');
  });

  it('takes exactly one of percent_off and amount_off', () => {
    expect(fieldsOf({})).toEqual(['percent_off']);
    expect(fieldsOf({ percentOff: 10, amountOff: 500, currency: 'USD' })).toEqual(['percent_off']);
  });

  it('takes a percentage above 0, up to 100, with at most two decimals', () => {
    expect(fieldsOf({ percentOff: 0 })).toEqual(['percent_off']);
    expect(fieldsOf({ percentOff: 100.01 })).toEqual(['percent_off']);
    expect(fieldsOf({ percentOff: 12.345 })).toEqual(['percent_off']);
    const percentCoupon = (percentOff: number): CouponEvent => ({
      type: 'CouponCreated',
      data: { coupon_id: 'coupon_stg_1', account_id: accountId, percent_off: percentOff, amount_off: null, currency: null, name: null, created_at: at },
    });
    spec.given([]).when(create({ percentOff: 100 })).then([percentCoupon(100)]);
    spec.given([]).when(create({ percentOff: 0.01 })).then([percentCoupon(0.01)]);
    spec.given([]).when(create({ percentOff: 33.33 })).then([percentCoupon(33.33)]);
  });

  it('needs a currency with amount_off and refuses one with percent_off', () => {
    expect(fieldsOf({ amountOff: 500 })).toEqual(['currency']);
    expect(fieldsOf({ percentOff: 10, currency: 'USD' })).toEqual(['currency']);
  });

  it('refuses an amount_off that is not a positive integer', () => {
    expect(fieldsOf({ amountOff: 0, currency: 'USD' })).toEqual(['amount_off']);
    expect(fieldsOf({ amountOff: 9.99, currency: 'USD' })).toEqual(['amount_off']);
  });
});

describe('promotion code decider', () => {
  const spec = deciderSpecification(promotionCodeDecider, { now });
  const create = (over: Partial<PromotionCodeCommand> = {}): PromotionCodeCommand => ({
    type: 'CreatePromotionCode',
    promotionCodeId: 'promo_stg_1',
    accountId,
    code: 'Save20',
    couponId: 'coupon_stg_1',
    coupon: { id: 'coupon_stg_1', accountId },
    ...over,
  });

  it('creates a promotion code for a coupon of the account, keeping the code as written', () => {
    spec
      .given([])
      .when(create())
      .then([{ type: 'PromotionCodeCreated', data: { promotion_code_id: 'promo_stg_1', account_id: accountId, code: 'Save20', coupon_id: 'coupon_stg_1', created_at: at } }]);
  });

  it('refuses an unknown coupon and one of another account', () => {
    expect(spec.given([]).when(create({ coupon: undefined })).thenThrows('invalid').errors).toEqual([{ field: 'coupon_id', message: 'unknown coupon coupon_stg_1' }]);
    spec.given([]).when(create({ coupon: { id: 'coupon_stg_1', accountId: 'acc_stg_b' } })).thenThrows('invalid');
  });

  it.each(['', 'SAVE-20', 'SAVE 20', 'x'.repeat(51)])('refuses the code %p', (code) => {
    spec.given([]).when(create({ code })).thenThrows('invalid');
  });
});

describe('promotion code claim', () => {
  const spec = deciderSpecification(promotionCodeClaimDecider, { now });
  const claim = (promotionCodeId: string, code = 'SAVE20') => ({ type: 'ClaimPromotionCode' as const, accountId, code, promotionCodeId });
  const claimed = { type: 'PromotionCodeClaimed' as const, data: { account_id: accountId, code: 'Save20', promotion_code_id: 'promo_stg_1' } };

  it('keys a code by account and upper-cased code', () => {
    expect(promotionCodeKey(accountId, 'Save20')).toBe('acc_stg_a_SAVE20');
    expect(promotionCodeKey(accountId, 'save20')).toBe(promotionCodeKey(accountId, 'SAVE20'));
  });

  it('lets the first promotion code claim a free code', () => {
    spec.given([]).when(claim('promo_stg_1', 'Save20')).then([claimed]);
  });

  it('refuses a code another promotion code holds, naming it as first written', () => {
    spec.given([claimed]).when(claim('promo_stg_2', 'save20')).thenThrows('conflict', /the promotion code Save20 already exists/);
  });

  it('records nothing when the same promotion code claims again', () => {
    spec.given([claimed]).when(claim('promo_stg_1')).then([]);
  });

  it('refuses to claim a malformed code', () => {
    spec.given([]).when(claim('promo_stg_1', 'SAVE-20')).thenThrows('invalid');
  });
});
