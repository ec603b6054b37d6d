import { PaymentShop } from './payment-shop';

/**
 * Approved by every simulator (API.md "Processors"), written as a customer types it. Not the
 * 4242 card that the page in test mode suggests, so that finding this one anywhere is a leak.
 */
export const APPROVED_CARD = { number: '5555 5555 5555 4444', exp: '12/40', cvc: '123' };
/** Declined 05 by every simulator. */
export const DECLINED_CARD = { number: '4000 0000 0000 0002', exp: '12/40', cvc: '123' };
/** Fails the Luhn check: refused before any processor is called. */
export const MISTYPED_CARD = { number: '4242 4242 4242 4241', exp: '12/40', cvc: '123' };

/** The card form's fields, form-encoded as the hosted page posts them. */
export const cardForm = (card: { number: string; exp: string; cvc: string }) => ({ card_number: card.number, card_exp: card.exp, card_cvc: card.cvc });

/** The digits of a card as they could leak: plain, as typed, or URL-encoded. */
export const cardNumberForms = (card: { number: string }) => [card.number.replace(/\D/g, ''), card.number, encodeURIComponent(card.number)];

export interface HostedCheckout {
  sessionId: string;
  /** The session's `url`, the hosted page, as the API answers it. */
  url: string;
  /** The page's path on this service: `/checkout/{secure_token}`. */
  path: string;
}

/**
 * A merchant with one approving processor on a route, who opens checkout sessions for the hosted
 * page: one line of `amount` cents plus whatever `extra` adds to the session (success_url,
 * return_url, line_items...).
 */
export class CheckoutShop {
  private constructor(
    readonly shop: PaymentShop,
    private readonly routeId: string,
  ) {}

  static async open(shop: PaymentShop): Promise<CheckoutShop> {
    return new CheckoutShop(shop, await shop.route([await shop.processor('Approver')]));
  }

  async checkout(extra: object = {}, amount = 4900): Promise<HostedCheckout> {
    const sessionId = await this.shop.session([{ amount }], this.routeId, { return_url: 'https://shop.example/cart', ...extra });
    const { url } = (await this.shop.get(`/v1/checkout/sessions/${sessionId}`).expect(200)).body as { url: string };
    return { sessionId, url, path: new URL(url).pathname };
  }

  /** The session as the API shows it, for what the page did to it. */
  async session(sessionId: string): Promise<{ status: string; payment_status: string }> {
    return (await this.shop.get(`/v1/checkout/sessions/${sessionId}`).expect(200)).body;
  }

  /** The session's payments, newest first. */
  async payments(sessionId: string): Promise<Array<{ status: string; source: { last4: string }; amount: number }>> {
    return (await this.shop.get(`/v1/payments?checkout_session_id=${sessionId}`).expect(200)).body.items;
  }

  async expire(sessionId: string): Promise<void> {
    await this.shop.t.http().post(`/v1/checkout/sessions/${sessionId}/expire`).set({ Authorization: `Bearer ${this.shop.account.secret}` }).expect(200);
  }
}
