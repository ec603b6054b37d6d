import { TestAccount, TestApp, bearer, openAccount } from './test-app';

export const VISA = '4242424242424242';
/** Declined 05 by every simulator (API.md "Processors"). */
export const DECLINED_05 = '4000000000000002';

/** A card that passes every check, with an expiry far ahead. */
export const card = (number = VISA) => ({ type: 'card', card: { number, exp_month: 12, exp_year: 2040, cvc: '123' } });

/** One tier of a session: a price of this amount, quantity 1, and optionally its own route. */
export interface Tier {
  amount: number;
  currency?: string;
  route?: string | null;
}

/**
 * A merchant over HTTP, with what paying needs: processors, routes, priced sessions, and the
 * pay and payment endpoints.
 */
export class PaymentShop {
  private constructor(
    readonly t: TestApp,
    readonly account: TestAccount,
    private readonly productId: string,
  ) {}

  static async open(t: TestApp): Promise<PaymentShop> {
    const account = await openAccount(t);
    const product = await t.http().post('/v1/products').set(bearer(account.secret)).send({ name: 'Plan' }).expect(201);
    return new PaymentShop(t, account, product.body.id);
  }

  /** POSTs with the secret token and answers the created resource's id. */
  async create(path: string, body: object): Promise<string> {
    return (await this.t.http().post(path).set(bearer(this.account.secret)).send(body).expect(201)).body.id;
  }

  /** A simulated processor; `simulator` overrides an always-approving one. */
  processor(name: string, settings: object = {}): Promise<string> {
    return this.create('/v1/processors', { name, connector: 'simulator', ...settings });
  }

  route(processorIds: readonly string[], settings: object = {}): Promise<string> {
    return this.create('/v1/processor-routes', { name: 'Route', processors: processorIds.map((processor_id) => ({ processor_id })), ...settings });
  }

  async session(tiers: readonly Tier[], route: string | null = null, extra: object = {}): Promise<string> {
    const lineItems = await Promise.all(
      tiers.map(async ({ amount, currency = 'USD' }) => [{ price_id: await this.create('/v1/prices', { product_id: this.productId, unit_amount: amount, currency }), quantity: 1 }]),
    );
    const [first, ...cascade] = lineItems;
    return this.create('/v1/checkout/sessions', {
      line_items: first,
      cascade_line_items: cascade.map((line_items, index) => ({ line_items, processor_route_id: tiers[index + 1].route ?? null })),
      processor_route_id: tiers[0].route ?? route,
      success_url: 'https://shop.example/ok',
      ...extra,
    });
  }

  pay(sessionId: string, body: object = { payment_method: card() }, token = this.account.secret) {
    return this.t.http().post(`/v1/checkout/sessions/${sessionId}/pay`).set(bearer(token)).send(body);
  }

  get(path: string, token = this.account.secret) {
    return this.t.http().get(path).set(bearer(token));
  }

  /** The types of the payment's stored events, in order. */
  async eventTypes(paymentId: string): Promise<string[]> {
    const res = await this.get(`/v1/payments/${paymentId}/events`).expect(200);
    return res.body.items.map((event: { type: string }) => event.type);
  }
}
