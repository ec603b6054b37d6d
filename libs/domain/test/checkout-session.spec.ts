import { Coupon, Price, PromotionCode } from '@payments/domain/catalog';
import {
  CheckoutSessionCommand,
  CheckoutSessionEvent,
  CheckoutSessionReferences,
  CheckoutSessionRequest,
  FailedPaymentsLimitReached,
  checkoutSessionDecider,
  failedPaymentsOf,
} from '@payments/domain/checkout-session';
import { deciderSpecification } from './decider-specification';

const now = new Date('2026-11-21T10:00:00.000Z');
const at = now.toISOString();
const in24Hours = '2026-11-22T10:00:00.000Z';
const spec = deciderSpecification(checkoutSessionDecider, { now });
const specAt = (time: string) => deciderSpecification(checkoutSessionDecider, { now: new Date(time) });
const accountId = 'acc_stg_a';
const sessionId = 'cs_stg_1';

const price = (id: string, unit_amount: number, currency = 'USD', account = accountId): Price => ({
  id,
  accountId: account,
  product_id: 'prod_stg_1',
  unit_amount,
  currency,
  createdAt: at,
});
const prices = [price('price_stg_premium', 9900), price('price_stg_standard', 4900), price('price_stg_basic', 1900), price('price_stg_eur', 4500, 'EUR')];
const percentCoupon: Coupon = { id: 'coupon_stg_20', accountId, percent_off: 20, amount_off: null, currency: null, name: null, createdAt: at };
const promotionCode: PromotionCode = { id: 'promo_stg_1', accountId, code: 'SAVE20', coupon_id: 'coupon_stg_20', createdAt: at };

const references = (over: Partial<CheckoutSessionReferences> = {}): CheckoutSessionReferences => ({
  prices: new Map(prices.map((p) => [p.id, p])),
  routes: new Map([
    ['proute_stg_x', { id: 'proute_stg_x', accountId }],
    ['proute_stg_fallback', { id: 'proute_stg_fallback', accountId }],
  ]),
  customer: undefined,
  promotionCode: undefined,
  coupon: undefined,
  ...over,
});
const minimal: CheckoutSessionRequest = { line_items: [{ price_id: 'price_stg_premium', quantity: 1 }], success_url: 'https://shop.example/ok' };
const create = (request: Partial<CheckoutSessionRequest> = {}, refs: Partial<CheckoutSessionReferences> = {}): CheckoutSessionCommand => ({
  type: 'CreateCheckoutSession',
  sessionId,
  accountId,
  request: { ...minimal, ...request },
  references: references(refs),
});
const fieldsOfRefusal = (command: CheckoutSessionCommand) => spec.given([]).when(command).thenThrows('invalid').errors.map((e) => e.field);

const tier = (index: number, priceId: string, unitAmount: number, routeId: string | null = null, discount = 0, currency = 'USD') => ({
  index,
  line_items: [{ price_id: priceId, product_id: 'prod_stg_1', quantity: 1, unit_amount: unitAmount, amount_subtotal: unitAmount }],
  amount_subtotal: unitAmount,
  amount_discount: discount,
  amount_total: unitAmount - discount,
  currency,
  processor_route_id: routeId,
});
type CreatedData = Extract<CheckoutSessionEvent, { type: 'CheckoutSessionCreated' }>['data'];
const createdData: CreatedData = {
  session_id: sessionId,
  account_id: accountId,
  customer_id: null,
  tiers: [tier(0, 'price_stg_premium', 9900)],
  processor_route_id: null,
  discount: null,
  success_url: 'https://shop.example/ok',
  return_url: null,
  custom_fields: {},
  params_for_sub: null,
  expires_at: in24Hours,
  created_at: at,
  capture_method: 'automatic',
};
const createdWith = (over: Partial<CreatedData>): CheckoutSessionEvent => ({ type: 'CheckoutSessionCreated', data: { ...createdData, ...over } });
const created = createdWith({});
const expire = (reason: 'manual' | 'automatic'): CheckoutSessionCommand => ({ type: 'ExpireCheckoutSession', sessionId, accountId, reason });
const MAX_FAILED = 10;
const begin = (paymentId: string, maxFailedPayments = MAX_FAILED): CheckoutSessionCommand => ({ type: 'BeginSessionPayment', sessionId, accountId, paymentId, maxFailedPayments });
const end = (paymentId: string, outcome: 'succeeded' | 'failed'): CheckoutSessionCommand => ({ type: 'EndSessionPayment', sessionId, accountId, paymentId, outcome });
const began = (paymentId: string): CheckoutSessionEvent => ({ type: 'SessionPaymentBegan', data: { session_id: sessionId, payment_id: paymentId } });
const failed = (paymentId: string): CheckoutSessionEvent => ({ type: 'SessionPaymentFailed', data: { session_id: sessionId, payment_id: paymentId } });
const completed = (paymentId: string, time = at): CheckoutSessionEvent => ({
  type: 'CheckoutSessionCompleted',
  data: { session_id: sessionId, payment_id: paymentId, completed_at: time },
});
const expired = (reason: 'manual' | 'automatic', time: string): CheckoutSessionEvent => ({
  type: 'CheckoutSessionExpired',
  data: { session_id: sessionId, reason, expired_at: time },
});

describe('checkout session decider', () => {
  describe('creating', () => {
    it('creates an open session with its priced tier, expiring in 24 hours by default', () => {
      spec.given([]).when(create()).then([created]);
    });

    it('records a manual capture method when the request asks for one, and automatic otherwise', () => {
      spec.given([]).when(create({ capture_method: 'manual' })).then([createdWith({ capture_method: 'manual' })]);
      spec.given([]).when(create({ capture_method: 'automatic' })).then([created]);
    });

    it('reads a session created before capture methods existed as automatic', () => {
      const { capture_method: _none, ...before } = createdData;
      const state = checkoutSessionDecider.evolve(checkoutSessionDecider.initialState(), { type: 'CheckoutSessionCreated', data: before });
      expect(state.status === 'created' && state.session.capture_method).toBe('automatic');
    });

    it('prices every cascade tier with its own route and records the request as given', () => {
      spec
        .given([])
        .when(
          create(
            {
              customer_id: 'cus_stg_x',
              cascade_line_items: [
                { line_items: [{ price_id: 'price_stg_standard', quantity: 1 }], processor_route_id: null },
                { line_items: [{ price_id: 'price_stg_basic', quantity: 1 }], processor_route_id: 'proute_stg_fallback' },
              ],
              processor_route_id: 'proute_stg_x',
              return_url: 'https://shop.example/cancel',
              expires_in_hours: 2,
              custom_fields: { order_id: 'order_12345' },
              params_for_sub: { custom_fields: { tier: 'enterprise' } },
            },
            { customer: { id: 'cus_stg_x', accountId } },
          ),
        )
        .then([
          createdWith({
            customer_id: 'cus_stg_x',
            tiers: [tier(0, 'price_stg_premium', 9900), tier(1, 'price_stg_standard', 4900), tier(2, 'price_stg_basic', 1900, 'proute_stg_fallback')],
            processor_route_id: 'proute_stg_x',
            return_url: 'https://shop.example/cancel',
            custom_fields: { order_id: 'order_12345' },
            params_for_sub: { custom_fields: { tier: 'enterprise' } },
            expires_at: '2026-11-21T12:00:00.000Z',
          }),
        ]);
    });

    it('applies a promotion code to every tier and records where the discount came from', () => {
      spec
        .given([])
        .when(
          create(
            { promotion_code: 'save20', cascade_line_items: [{ line_items: [{ price_id: 'price_stg_standard', quantity: 1 }] }] },
            { promotionCode, coupon: percentCoupon },
          ),
        )
        .then([
          createdWith({
            tiers: [tier(0, 'price_stg_premium', 9900, null, 1980), tier(1, 'price_stg_standard', 4900, null, 980)],
            discount: { coupon_id: 'coupon_stg_20', promotion_code_id: 'promo_stg_1', percent_off: 20, amount_off: null, currency: null },
          }),
        ]);
    });

    it('applies a coupon named by id', () => {
      const coupon: Coupon = { id: 'coupon_stg_5', accountId, percent_off: null, amount_off: 500, currency: 'USD', name: 'Five off', createdAt: at };
      spec
        .given([])
        .when(create({ coupon_id: 'coupon_stg_5' }, { coupon }))
        .then([
          createdWith({
            tiers: [tier(0, 'price_stg_premium', 9900, null, 500)],
            discount: { coupon_id: 'coupon_stg_5', promotion_code_id: null, percent_off: null, amount_off: 500, currency: 'USD' },
          }),
        ]);
    });

    it('refuses a request that breaks a rule before looking at what it names', () => {
      expect(fieldsOfRefusal(create({ line_items: [], success_url: 'ok' }))).toEqual(['line_items', 'success_url']);
    });

    it('reports every unknown id with its field path at once', () => {
      const fields = fieldsOfRefusal(
        create({
          customer_id: 'cus_stg_gone',
          line_items: [
            { price_id: 'price_stg_premium', quantity: 1 },
            { price_id: 'price_stg_gone', quantity: 1 },
          ],
          cascade_line_items: [{ line_items: [{ price_id: 'price_stg_basic', quantity: 1 }], processor_route_id: 'proute_stg_deleted' }],
          processor_route_id: 'proute_stg_gone',
          coupon_id: 'coupon_stg_gone',
        }),
      );
      expect(fields).toEqual(['line_items[1].price_id', 'processor_route_id', 'cascade_line_items[0].processor_route_id', 'customer_id', 'coupon_id']);
    });

    it("treats another account's price, route, customer and coupon as unknown", () => {
      const foreign = 'acc_stg_b';
      const fields = fieldsOfRefusal(
        create(
          { customer_id: 'cus_stg_x', processor_route_id: 'proute_stg_b', coupon_id: 'coupon_stg_20', line_items: [{ price_id: 'price_stg_b', quantity: 1 }] },
          {
            prices: new Map([['price_stg_b', price('price_stg_b', 100, 'USD', foreign)]]),
            routes: new Map([['proute_stg_b', { id: 'proute_stg_b', accountId: foreign }]]),
            customer: { id: 'cus_stg_x', accountId: foreign },
            coupon: { ...percentCoupon, accountId: foreign },
          },
        ),
      );
      expect(fields).toEqual(['line_items[0].price_id', 'processor_route_id', 'customer_id', 'coupon_id']);
    });

    it('refuses an unknown promotion code', () => {
      expect(fieldsOfRefusal(create({ promotion_code: 'NOPE' }))).toEqual(['promotion_code']);
    });

    it('refuses a tier whose prices do not share a currency', () => {
      const request = { cascade_line_items: [{ line_items: [{ price_id: 'price_stg_basic', quantity: 1 }, { price_id: 'price_stg_eur', quantity: 1 }] }] };
      expect(fieldsOfRefusal(create(request))).toEqual(['cascade_line_items[0].line_items[1].price_id']);
    });

    it('accepts tiers in different currencies', () => {
      const request = { cascade_line_items: [{ line_items: [{ price_id: 'price_stg_eur', quantity: 1 }] }] };
      spec
        .given([])
        .when(create(request))
        .then([createdWith({ tiers: [tier(0, 'price_stg_premium', 9900), tier(1, 'price_stg_eur', 4500, null, 0, 'EUR')] })]);
    });

    it('refuses an amount-off coupon in another currency than a tier', () => {
      const coupon: Coupon = { id: 'coupon_stg_5', accountId, percent_off: null, amount_off: 500, currency: 'USD', name: null, createdAt: at };
      const request = { coupon_id: 'coupon_stg_5', cascade_line_items: [{ line_items: [{ price_id: 'price_stg_eur', quantity: 1 }] }] };
      expect(fieldsOfRefusal(create(request, { coupon }))).toEqual(['cascade_line_items[0].line_items']);
    });

    it('refuses to create a session that exists', () => {
      spec.given([created]).when(create()).thenThrows('conflict');
    });
  });

  describe('expiring', () => {
    it('expires an open session on request', () => {
      spec.given([created]).when(expire('manual')).then([expired('manual', at)]);
    });

    it('refuses to expire a session that is expired, complete or has run past expires_at', () => {
      spec.given([created, expired('manual', at)]).when(expire('manual')).thenThrows('conflict', /is expired/);
      spec.given([created, began('pay_stg_1'), completed('pay_stg_1')]).when(expire('manual')).thenThrows('conflict', /is complete/);
      specAt(in24Hours).given([created]).when(expire('manual')).thenThrows('conflict', /is expired/);
    });

    it('refuses to expire a session while a payment runs on it', () => {
      spec.given([created, began('pay_stg_1')]).when(expire('manual')).thenThrows('conflict', /pay_stg_1 is running/);
    });

    it('expires a session automatically at expires_at, recording that time', () => {
      specAt('2026-11-22T10:05:00.000Z').given([created]).when(expire('automatic')).then([expired('automatic', in24Hours)]);
    });

    it('refuses to expire a session automatically before expires_at', () => {
      specAt('2026-11-22T09:59:59.999Z').given([created]).when(expire('automatic')).thenThrows('conflict');
    });

    it('records nothing when the sweeper finds the session settled or a payment running', () => {
      const later = specAt('2026-11-23T00:00:00.000Z');
      later.given([created, expired('manual', at)]).when(expire('automatic')).then([]);
      later.given([created, began('pay_stg_1'), completed('pay_stg_1')]).when(expire('automatic')).then([]);
      later.given([created, began('pay_stg_1')]).when(expire('automatic')).then([]);
    });
  });

  describe('paying', () => {
    it('begins a payment on an open session', () => {
      spec.given([created]).when(begin('pay_stg_1')).then([began('pay_stg_1')]);
    });

    it('records nothing when the running payment begins again', () => {
      spec.given([created, began('pay_stg_1')]).when(begin('pay_stg_1')).then([]);
    });

    it('refuses a second payment while one runs', () => {
      spec.given([created, began('pay_stg_1')]).when(begin('pay_stg_2')).thenThrows('conflict', /pay_stg_1 is already running/);
    });

    it('refuses to pay a paid session', () => {
      spec.given([created, began('pay_stg_1'), completed('pay_stg_1')]).when(begin('pay_stg_2')).thenThrows('conflict', /already paid/);
    });

    it('answers gone for an expired session and one past expires_at', () => {
      spec.given([created, expired('manual', at)]).when(begin('pay_stg_1')).thenThrows('gone');
      specAt(in24Hours).given([created]).when(begin('pay_stg_1')).thenThrows('gone', /expired at 2026-11-22T10:00:00.000Z/);
    });

    it('takes another payment after a failed one', () => {
      spec.given([created, began('pay_stg_1'), failed('pay_stg_1')]).when(begin('pay_stg_2')).then([began('pay_stg_2')]);
    });

    it('refuses to begin a payment that already ended', () => {
      spec.given([created, began('pay_stg_1'), failed('pay_stg_1')]).when(begin('pay_stg_1')).thenThrows('conflict');
    });

    it('completes the session when the payment succeeds', () => {
      spec.given([created, began('pay_stg_1')]).when(end('pay_stg_1', 'succeeded')).then([completed('pay_stg_1')]);
    });

    it('opens the session again when the payment fails', () => {
      spec.given([created, began('pay_stg_1')]).when(end('pay_stg_1', 'failed')).then([failed('pay_stg_1')]);
    });

    it('completes the session when a payment that began in time succeeds after expires_at', () => {
      const late = '2026-11-22T10:00:30.000Z';
      specAt(late).given([created, began('pay_stg_1')]).when(end('pay_stg_1', 'succeeded')).then([completed('pay_stg_1', late)]);
    });

    it('records nothing when an ended payment reports again', () => {
      spec.given([created, began('pay_stg_1'), completed('pay_stg_1')]).when(end('pay_stg_1', 'succeeded')).then([]);
      spec.given([created, began('pay_stg_1'), failed('pay_stg_1')]).when(end('pay_stg_1', 'failed')).then([]);
    });

    it('refuses the end of a payment that never began on the session', () => {
      spec.given([created, began('pay_stg_1')]).when(end('pay_stg_2', 'succeeded')).thenThrows('conflict');
    });
  });

  describe('limiting failed payments (card testing)', () => {
    /** The session's events after `count` payments that began and failed. */
    const failures = (count: number) => Array.from({ length: count }, (_, i) => [began(`pay_stg_f${i}`), failed(`pay_stg_f${i}`)]).flat();

    it('takes a payment after one failure fewer than the limit', () => {
      spec.given([created, ...failures(MAX_FAILED - 1)]).when(begin('pay_stg_next')).then([began('pay_stg_next')]);
    });

    it('refuses any more payments once as many failed as the limit, for good', () => {
      const error = spec.given([created, ...failures(MAX_FAILED)]).when(begin('pay_stg_next')).thenThrows('too_many', /10 failed payments/);
      expect(error).toBeInstanceOf(FailedPaymentsLimitReached);
      expect((error as FailedPaymentsLimitReached).limit).toBe('session');
      // Waiting does not lift it: the refusal has no time to retry after.
      expect(error.retryAfterMs).toBeUndefined();
    });

    it('follows the limit the command carries (SESSION_MAX_FAILED_PAYMENTS)', () => {
      spec.given([created, ...failures(2)]).when(begin('pay_stg_next', 3)).then([began('pay_stg_next')]);
      spec.given([created, ...failures(3)]).when(begin('pay_stg_next', 3)).thenThrows('too_many');
    });

    it('counts only failed payments, not the one running', () => {
      const state = [created, ...failures(2), began('pay_stg_running')].reduce(checkoutSessionDecider.evolve, checkoutSessionDecider.initialState());
      expect(state.status === 'created' && failedPaymentsOf(state.session)).toBe(2);
    });

    it('still ends the running payment and says a paid session is paid, whatever the count', () => {
      spec.given([created, ...failures(MAX_FAILED - 1), began('pay_stg_last')]).when(end('pay_stg_last', 'failed')).then([failed('pay_stg_last')]);
      spec.given([created, ...failures(MAX_FAILED - 1), began('pay_stg_last'), completed('pay_stg_last')]).when(begin('pay_stg_next')).thenThrows('conflict', /already paid/);
    });
  });

  it("hides another account's session and a missing one", () => {
    spec.given([created]).when({ type: 'BeginSessionPayment', sessionId, accountId: 'acc_stg_b', paymentId: 'pay_stg_1', maxFailedPayments: MAX_FAILED }).thenThrows('not_found');
    spec.given([created]).when({ type: 'ExpireCheckoutSession', sessionId, accountId: 'acc_stg_b', reason: 'manual' }).thenThrows('not_found');
    spec.given([]).when(end('pay_stg_1', 'failed')).thenThrows('not_found');
  });
});
