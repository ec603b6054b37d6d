import { CheckoutSessionRequest, effectiveStatus, sessionRouteIds, unknownRouteErrors, validateCheckoutSessionRequest } from '@payments/domain/checkout-session';

const request = (over: Partial<CheckoutSessionRequest> = {}): CheckoutSessionRequest => ({
  line_items: [{ price_id: 'price_stg_premium', quantity: 1 }],
  success_url: 'https://shop.example/ok?session_id={CHECKOUT_SESSION_ID}',
  ...over,
});
const fieldsOf = (over: Partial<CheckoutSessionRequest>) => validateCheckoutSessionRequest(request(over)).map((e) => e.field);
const items = (count: number, quantity = 1) => Array.from({ length: count }, (_, i) => ({ price_id: `price_stg_${i}`, quantity }));

describe('checkout session request validation', () => {
  it('accepts the example of API.md', () => {
    expect(
      validateCheckoutSessionRequest({
        customer_id: 'cus_stg_x',
        line_items: [{ price_id: 'price_stg_premium', quantity: 1 }],
        cascade_line_items: [
          { line_items: [{ price_id: 'price_stg_standard', quantity: 1 }], processor_route_id: null },
          { line_items: [{ price_id: 'price_stg_basic', quantity: 1 }], processor_route_id: 'proute_stg_fallback' },
        ],
        processor_route_id: 'proute_stg_x',
        success_url: 'https://shop.example/ok?session_id={CHECKOUT_SESSION_ID}',
        return_url: 'https://shop.example/cancel',
        expires_in_hours: 24,
        custom_fields: { order_id: 'order_12345' },
        params_for_sub: { custom_fields: { tier: 'enterprise' } },
        promotion_code: 'SAVE20',
      }),
    ).toEqual([]);
  });

  it('takes 1 to 100 line items per tier', () => {
    expect(fieldsOf({ line_items: [] })).toEqual(['line_items']);
    expect(fieldsOf({ line_items: items(101) })).toEqual(['line_items']);
    expect(fieldsOf({ line_items: items(100) })).toEqual([]);
    expect(fieldsOf({ cascade_line_items: [{ line_items: [] }] })).toEqual(['cascade_line_items[0].line_items']);
  });

  it('takes integer quantities from 1 to 10000, naming the line item', () => {
    expect(fieldsOf({ line_items: items(1, 10_000) })).toEqual([]);
    expect(fieldsOf({ line_items: [...items(1), { price_id: 'price_stg_x', quantity: 0 }] })).toEqual(['line_items[1].quantity']);
    expect(fieldsOf({ line_items: items(1, 10_001) })).toEqual(['line_items[0].quantity']);
    expect(fieldsOf({ cascade_line_items: [{ line_items: items(1) }, { line_items: items(1, 1.5) }] })).toEqual(['cascade_line_items[1].line_items[0].quantity']);
  });

  it('takes at most 9 cascade tiers', () => {
    const tiers = (count: number) => Array.from({ length: count }, () => ({ line_items: items(1) }));
    expect(fieldsOf({ cascade_line_items: tiers(9) })).toEqual([]);
    expect(fieldsOf({ cascade_line_items: tiers(10) })).toEqual(['cascade_line_items']);
  });

  it.each(['/ok', 'shop.example/ok', 'ftp://shop.example/ok', 'javascript:alert(1)', 'https://', ''])('refuses the success_url %p', (url) => {
    expect(fieldsOf({ success_url: url })).toEqual(['success_url']);
  });

  it('takes an optional absolute http(s) return_url', () => {
    expect(fieldsOf({ return_url: 'http://localhost:3000/cancel' })).toEqual([]);
    expect(fieldsOf({ return_url: null })).toEqual([]);
    expect(fieldsOf({ return_url: 'cancel' })).toEqual(['return_url']);
  });

  it('takes expires_in_hours from 1 to 720', () => {
    expect(fieldsOf({ expires_in_hours: 1 })).toEqual([]);
    expect(fieldsOf({ expires_in_hours: 720 })).toEqual([]);
    expect(fieldsOf({ expires_in_hours: 0 })).toEqual(['expires_in_hours']);
    expect(fieldsOf({ expires_in_hours: 721 })).toEqual(['expires_in_hours']);
    expect(fieldsOf({ expires_in_hours: 2.5 })).toEqual(['expires_in_hours']);
  });

  it('takes up to 50 custom fields with keys up to 40 and string values up to 500 characters', () => {
    const fields = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, 'v']));
    expect(fieldsOf({ custom_fields: fields(50) })).toEqual([]);
    expect(fieldsOf({ custom_fields: fields(51) })).toEqual(['custom_fields']);
    expect(fieldsOf({ custom_fields: { ['k'.repeat(40)]: 'v'.repeat(500) } })).toEqual([]);
    expect(fieldsOf({ custom_fields: { ['k'.repeat(41)]: 'v' } })).toEqual([`custom_fields.${'k'.repeat(41)}`]);
    expect(fieldsOf({ custom_fields: { order: 'v'.repeat(501) } })).toEqual(['custom_fields.order']);
    expect(fieldsOf({ custom_fields: { order: 12 as unknown as string } })).toEqual(['custom_fields.order']);
  });

  it('holds the custom fields of params_for_sub to the same limits', () => {
    expect(fieldsOf({ params_for_sub: { custom_fields: { tier: 'v'.repeat(501) } } })).toEqual(['params_for_sub.custom_fields.tier']);
  });

  it('refuses a promotion code together with a coupon', () => {
    expect(fieldsOf({ promotion_code: 'SAVE20', coupon_id: 'coupon_stg_1' })).toEqual(['promotion_code']);
    expect(fieldsOf({ coupon_id: 'coupon_stg_1' })).toEqual([]);
  });
});

describe('session routes', () => {
  const tier = (processor_route_id: string | null) => ({ processor_route_id });

  it("lists the session's route and its tiers' routes once each", () => {
    expect(sessionRouteIds({ processor_route_id: 'proute_stg_x', tiers: [tier(null), tier('proute_stg_y'), tier('proute_stg_x'), tier('proute_stg_y')] })).toEqual([
      'proute_stg_x',
      'proute_stg_y',
    ]);
  });

  it('lists nothing for a session that names no route', () => {
    expect(sessionRouteIds({ processor_route_id: null, tiers: [tier(null)] })).toEqual([]);
  });
});

describe('unknown route errors', () => {
  const request: CheckoutSessionRequest = {
    line_items: [{ price_id: 'price_stg_a', quantity: 1 }],
    cascade_line_items: [
      { line_items: [{ price_id: 'price_stg_a', quantity: 1 }], processor_route_id: 'proute_stg_gone' },
      { line_items: [{ price_id: 'price_stg_a', quantity: 1 }], processor_route_id: 'proute_stg_live' },
    ],
    processor_route_id: 'proute_stg_gone',
    success_url: 'https://shop.example/ok',
  };

  it('names every field that names a refused route, and no other', () => {
    expect(unknownRouteErrors(request, ['proute_stg_gone'])).toEqual([
      { field: 'processor_route_id', message: 'unknown route proute_stg_gone' },
      { field: 'cascade_line_items[0].processor_route_id', message: 'unknown route proute_stg_gone' },
    ]);
  });
});

describe('effective session status', () => {
  const expiresAt = '2026-11-22T10:00:00.000Z';
  const session = (status: 'open' | 'expired' | 'complete', activePaymentId: string | null = null) => ({ status, expires_at: expiresAt, activePaymentId });

  it('reads an open session as open until expires_at and as expired from then on', () => {
    expect(effectiveStatus(session('open'), new Date('2026-11-22T09:59:59.999Z'))).toBe('open');
    expect(effectiveStatus(session('open'), new Date(expiresAt))).toBe('expired');
  });

  it('keeps a session with a running payment open past expires_at', () => {
    expect(effectiveStatus(session('open', 'pay_stg_1'), new Date('2026-11-23T00:00:00.000Z'))).toBe('open');
  });

  it('reads recorded statuses as they are', () => {
    expect(effectiveStatus(session('complete'), new Date('2026-11-23T00:00:00.000Z'))).toBe('complete');
    expect(effectiveStatus(session('expired'), new Date('2026-11-21T00:00:00.000Z'))).toBe('expired');
  });
});
