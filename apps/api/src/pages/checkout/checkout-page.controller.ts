import { ServerResponse } from 'node:http';
import { Controller, Get, Inject, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiConsumes, ApiExcludeController } from '@nestjs/swagger';
import { CheckoutSession, Clock, DomainError, FailedPaymentLimit, FailedPaymentsLimitReached, PaymentView, effectiveStatus, hasReachedFailedPaymentLimit, successUrlOf } from '@payments/domain';
import { AccountsReader, AttemptPayment, CLOCK, CatalogReader, CheckoutSessionsReader, PayCheckoutSession, PaymentCards, SETTINGS, Settings } from '@payments/orchestration';
import { ApiRequest } from '../../http/api-request';
import { commandMetadataOf } from '../../http/command-metadata';
import { retryAfterSeconds } from '../../http/problem-details.filter';
import { publicPayerOf } from '../../http/rate-limit/public-payer';
import { Public } from '../../http/principal';
import { PageAssets } from '../page-assets';
import { PageErrorsFilter } from '../page-errors.filter';
import { isSameOriginPost, redirect, sendPage } from '../page-responses';
import { cardErrorsOf, readCardForm } from './card-form';
import { CheckoutFormState, CheckoutOrder, checkoutPage, statusPage } from './checkout-page.view';

/** How long the "being processed" page waits before it looks again. */
const PROCESSING_REFRESH_SECONDS = 3;

/** What a customer is told when every tier failed, by the last processor's answer; the codes are ISO 8583's. */
function declineMessage(payment: PaymentView): string {
  if (payment.failure_reason === 'processing_error') return 'We could not process the payment.';
  if (payment.response_code === '51') return 'The card was declined: there are not enough funds.';
  if (payment.response_code === '54') return 'The card was declined: it has expired.';
  return 'The card was declined.';
}

/**
 * The hosted checkout page (API.md "Pages"), `GET /checkout/{secure_token}`, and its card form,
 * which posts back to the same address. The secure token is the only access: it opens one
 * session, whose account pays through PayCheckoutSession exactly as
 * `POST /v1/checkout/sessions/{id}/pay` does, and the page never holds an API token. A plain
 * form: it works without JavaScript (checkout.js only keeps a second click from paying twice
 * and moves focus). The card number and security code go from the form to PaymentCards and
 * nowhere else: never into a URL, the page sent back, a log line or storage.
 */
@ApiExcludeController()
@Public()
@UseFilters(PageErrorsFilter)
@Controller('checkout')
export class CheckoutPageController {
  constructor(
    private readonly sessions: CheckoutSessionsReader,
    private readonly accounts: AccountsReader,
    private readonly catalog: CatalogReader,
    private readonly cards: PaymentCards,
    private readonly payCheckoutSession: PayCheckoutSession,
    private readonly assets: PageAssets,
    @Inject(SETTINGS) private readonly settings: Settings,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get(':secure_token')
  async show(@Param('secure_token') secureToken: string, @Res() response: ServerResponse): Promise<void> {
    const session = await this.sessions.sessionOfLink(secureToken);
    if (!this.answeredUnpayable(session, response)) this.sendForm(response, 200, session, await this.orderOf(session, secureToken));
  }

  @Post(':secure_token')
  // The form is what this handler takes (RequestBodyGuard answers anything else with 415).
  @ApiConsumes('application/x-www-form-urlencoded')
  async pay(@Param('secure_token') secureToken: string, @Req() request: ApiRequest, @Res() response: ServerResponse): Promise<void> {
    if (!isSameOriginPost(request, this.settings.publicUrl)) {
      sendPage(response, 403, statusPage(this.assets, { title: 'The payment was not sent', message: 'The form did not come from this page. Go back to the shop and open the checkout again.', tone: 'bad' }));
      return;
    }
    const session = await this.sessions.sessionOfLink(secureToken);
    // The session's limit on failed payments is left to the pay, which refuses (and counts) by the session's own events.
    if (this.answeredUnpayable(session, response, { sessionLimit: false })) return;
    const order = await this.orderOf(session, secureToken);
    const form = readCardForm(request.body);
    if ('errors' in form) return this.sendForm(response, 422, session, order, { errors: form.errors, exp: form.exp });

    let payment: PaymentView;
    try {
      const card = this.cards.summarise(form.card);
      // The account is the session's: the token opened this session and nothing else.
      const metadata = { ...commandMetadataOf(request, response), accountId: session.accountId };
      // A public payer: its card and address are limited against card testing, as well as the session.
      payment = await this.payCheckoutSession.pay(new AttemptPayment(session.accountId, session.id, card, undefined, metadata, publicPayerOf(request)));
    } catch (error) {
      if (error instanceof FailedPaymentsLimitReached) return this.sendRefusal(response, session, secureToken, error.limit, error.retryAfterMs);
      if (!(error instanceof DomainError)) throw error;
      if (error.kind === 'invalid') return this.sendForm(response, 422, session, order, { errors: cardErrorsOf(error), exp: form.exp });
      // Paid, expired or being paid meanwhile (409, 410): the page says which.
      if (this.answeredUnpayable(await this.sessions.sessionOfLink(secureToken), response)) return;
      throw error;
    }

    if (payment.status === 'succeeded' || payment.status === 'requires_capture') {
      redirect(response, successUrlOf(session), { formActionOrigins: this.formActionOrigins(session) });
    } else if (payment.status === 'processing') {
      sendPage(response, 202, this.processingPage());
    } else {
      this.sendForm(response, 402, session, order, { decline: declineMessage(payment), exp: form.exp });
    }
  }

  /**
   * Answers the page of a session that cannot be paid now (expired 410, paid or being paid 409,
   * too many failed payments 429 unless `sessionLimit` is false); false when it can.
   */
  private answeredUnpayable(session: CheckoutSession, response: ServerResponse, { sessionLimit = true } = {}): boolean {
    const status = effectiveStatus(session, this.clock.now());
    if (status === 'expired') {
      const back = session.return_url === null ? undefined : { href: session.return_url, label: 'Return to the shop' };
      sendPage(response, 410, statusPage(this.assets, { title: 'This checkout has expired', message: 'It can no longer be paid. Return to the shop to start again.', tone: 'bad', link: back }));
    } else if (status === 'complete') {
      const link = { href: successUrlOf(session), label: 'Continue to the shop' };
      sendPage(response, 409, statusPage(this.assets, { title: 'This order is already paid', message: 'Nothing more is needed, and you will not be charged again.', tone: 'ok', link }));
    } else if (session.activePaymentId !== null) {
      sendPage(response, 409, this.processingPage());
    } else if (sessionLimit && hasReachedFailedPaymentLimit(session, this.settings.sessionMaxFailedPayments)) {
      this.sendRefusal(response, session, undefined, 'session', undefined);
    } else {
      return false;
    }
    return true;
  }

  /**
   * 429: a limit on failed payments is reached (card testing). The session's never lifts, so the
   * customer goes back to the shop; a card's or an address's lifts when its hour ends (Retry-After),
   * and the link opens the form again.
   */
  private sendRefusal(response: ServerResponse, session: CheckoutSession, secureToken: string | undefined, limit: FailedPaymentLimit, retryAfterMs: number | undefined): void {
    const headers: Record<string, string> = retryAfterMs === undefined ? {} : { 'Retry-After': retryAfterSeconds(retryAfterMs) };
    const later = retryAfterMs === undefined ? 'later' : `in ${Math.max(1, Math.ceil(retryAfterMs / 60_000))} minutes`;
    const again = secureToken === undefined ? undefined : { href: `/checkout/${encodeURIComponent(secureToken)}`, label: 'Back to the payment form' };
    const back = session.return_url === null ? undefined : { href: session.return_url, label: 'Return to the shop' };
    const words: Record<FailedPaymentLimit, { message: string; link?: { href: string; label: string } }> = {
      session: { message: 'Too many payments failed on this checkout, so it takes no more. Return to the shop to start again.', link: back },
      fingerprint: { message: `Too many payments with this card failed. Pay with another card, or try this one again ${later}.`, link: again },
      address: { message: `Too many payments from your connection failed. Try again ${later}.`, link: again },
    };
    sendPage(response, 429, statusPage(this.assets, { title: 'This payment was not sent', tone: 'bad', ...words[limit] }), {}, headers);
  }

  private processingPage() {
    return statusPage(this.assets, {
      title: 'Your payment is being processed',
      message: 'This page looks again in a few seconds. Please do not pay a second time.',
      tone: 'warn',
      refreshSeconds: PROCESSING_REFRESH_SECONDS,
    });
  }

  private sendForm(response: ServerResponse, status: number, session: CheckoutSession, order: CheckoutOrder, state: CheckoutFormState = {}): void {
    sendPage(response, status, checkoutPage(this.assets, order, state), { formActionOrigins: this.formActionOrigins(session) });
  }

  /** Chromium holds a form's redirect to `form-action` too: the success URL's origin must be allowed. */
  private formActionOrigins(session: CheckoutSession): string[] {
    return [new URL(session.success_url).origin];
  }

  private async orderOf(session: CheckoutSession, secureToken: string): Promise<CheckoutOrder> {
    const tier = session.tiers[0];
    const [account, products] = await Promise.all([
      this.accounts.account(session.accountId),
      Promise.all(tier.line_items.map((item) => this.catalog.product(session.accountId, item.product_id))),
    ]);
    return {
      merchantName: account.name,
      testMode: this.settings.env !== 'prod',
      lines: tier.line_items.map((item, index) => ({ name: products[index]?.name ?? 'Item', quantity: item.quantity, amount: item.amount_subtotal })),
      subtotal: tier.amount_subtotal,
      discount: tier.amount_discount,
      total: tier.amount_total,
      currency: tier.currency,
      cancelUrl: session.return_url,
      action: `/checkout/${encodeURIComponent(secureToken)}`,
    };
  }
}
