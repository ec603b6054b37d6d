import { Html, html, safeUrl } from '../html';
import { formatMoney } from '../money-format';
import { PageAssets } from '../page-assets';
import { pageDocument } from '../page-layout';
import { CardField, CardFieldError } from './card-form';

/** What the hosted page shows of a session: its first tier (API.md "Pages": tier 0's total). */
export interface CheckoutOrder {
  merchantName: string;
  /** Staging: no real money moves, and the page says so with a card to try. */
  testMode: boolean;
  lines: ReadonlyArray<{ name: string; quantity: number; amount: number }>;
  subtotal: number;
  discount: number;
  total: number;
  currency: string;
  /** Where "Cancel" goes: the session's return_url, if it has one. */
  cancelUrl: string | null;
  /** Where the form posts: the page itself. */
  action: string;
}

export interface CheckoutFormState {
  errors?: readonly CardFieldError[];
  /** Every tier failed: what to tell the customer. */
  decline?: string;
  /** The expiry as typed, given back; the card number and security code never are. */
  exp?: string;
}

const FIELD_IDS: Record<CardField, string> = { card_number: 'card-number', card_exp: 'card-exp', card_cvc: 'card-cvc' };

function errorSummary(state: CheckoutFormState): Html {
  // Focused on load (autofocus; checkout.js too), so a screen reader reads it first; role=alert announces it.
  if (state.decline !== undefined) {
    return html`<div class="error-summary" id="error-summary" role="alert" tabindex="-1" autofocus aria-labelledby="error-summary-title">
<h2 id="error-summary-title">Your payment did not go through</h2>
<p>${state.decline}</p>
<p>Check the card details, or <a href="#card-number">pay with another card</a>.</p>
</div>`;
  }
  if (!state.errors?.length) return html``;
  return html`<div class="error-summary" id="error-summary" role="alert" tabindex="-1" autofocus aria-labelledby="error-summary-title">
<h2 id="error-summary-title">There is a problem with the card details</h2>
<ul>${state.errors.map((error) => html`<li><a href="#${FIELD_IDS[error.field]}">${error.message}</a></li>`)}</ul>
</div>`;
}

interface FieldOptions {
  field: CardField;
  label: string;
  hint: string;
  autocomplete: string;
  maxlength: number;
  value?: string;
  errors: readonly CardFieldError[];
}

function cardField({ field, label, hint, autocomplete, maxlength, value, errors }: FieldOptions): Html {
  const id = FIELD_IDS[field];
  const error = errors.find((candidate) => candidate.field === field);
  const describedBy = [`${id}-hint`, ...(error ? [`${id}-error`] : [])].join(' ');
  return html`<div class="field${error ? ' has-error' : ''}">
<label for="${id}">${label}</label>
<span class="hint" id="${id}-hint">${hint}</span>
${error ? html`<span class="error-message" id="${id}-error"><span class="visually-hidden">Error: </span>${error.message}</span>` : ''}
<input id="${id}" name="${field}" type="text" inputmode="numeric" autocomplete="${autocomplete}" spellcheck="false" autocapitalize="off" maxlength="${maxlength}"${value === undefined ? '' : html` value="${value}"`} aria-describedby="${describedBy}"${error ? html` aria-invalid="true"` : ''}>
</div>`;
}

export function checkoutPage(assets: PageAssets, order: CheckoutOrder, state: CheckoutFormState = {}): Html {
  const errors = state.errors ?? [];
  const total = formatMoney(order.total, order.currency);
  const failed = state.decline !== undefined || errors.length > 0;
  const main = html`<div class="checkout">
<header class="merchant">
<p class="merchant-name">${order.merchantName}</p>
${order.testMode ? html`<span class="badge badge-test">Test mode</span>` : ''}
</header>
${errorSummary(state)}
<section class="panel" aria-labelledby="order-title">
<h1 id="order-title">Pay ${order.merchantName} <span class="visually-hidden">${total}</span></h1>
<ul class="order">
${order.lines.map(
  (line) => html`<li><span>${line.name} <span class="quantity">× ${line.quantity}</span></span><span class="amount">${formatMoney(line.amount, order.currency)}</span></li>`,
)}
</ul>
<dl class="totals">
${order.discount > 0 ? html`<dt>Subtotal</dt><dd class="amount">${formatMoney(order.subtotal, order.currency)}</dd><dt>Discount</dt><dd class="amount">−${formatMoney(order.discount, order.currency)}</dd>` : ''}
<dt class="grand">Total due</dt><dd class="amount grand">${total}</dd>
</dl>
</section>
<section class="panel" aria-labelledby="card-title">
<h2 id="card-title">Card details</h2>
${order.testMode ? html`<p class="hint">Test mode: no real money moves. Try the card 4242 4242 4242 4242 with any future expiry date and any security code.</p>` : ''}
<form method="post" action="${order.action}" novalidate id="pay-form">
${cardField({ field: 'card_number', label: 'Card number', hint: 'The long number on the front of your card', autocomplete: 'cc-number', maxlength: 23, errors })}
<div class="field-row">
${cardField({ field: 'card_exp', label: 'Expiry date', hint: 'MM/YY, for example 04/29', autocomplete: 'cc-exp', maxlength: 7, value: state.exp, errors })}
${cardField({ field: 'card_cvc', label: 'Security code', hint: '3 or 4 digits on the back', autocomplete: 'cc-csc', maxlength: 4, errors })}
</div>
<div class="actions">
<button type="submit" class="button button-block" id="pay-button">Pay ${total}</button>
${order.cancelUrl === null ? '' : html`<a class="cancel" href="${safeUrl(order.cancelUrl)}">Cancel and return to ${order.merchantName}</a>`}
</div>
</form>
</section>
<p class="secure-note">Your card number and security code are used for this payment only and are never stored.</p>
</div>`;
  return pageDocument(assets, { title: `${failed ? 'Error: ' : ''}Pay ${order.merchantName} – ${total}`, main, scripts: ['checkout.js'] });
}

export interface StatusPage {
  title: string;
  message: string;
  tone: 'ok' | 'bad' | 'warn';
  link?: { href: string; label: string };
  /** Reload after this many seconds, while something is still happening. */
  refreshSeconds?: number;
}

/** A page that says where a checkout stands (expired, paid, processing, not found), with a way on. */
export function statusPage(assets: PageAssets, { title, message, tone, link, refreshSeconds }: StatusPage): Html {
  const main = html`<div class="status-page">
<div class="notice notice-${tone}">
<h1>${title}</h1>
<p>${message}</p>
${link ? html`<p><a href="${safeUrl(link.href)}">${link.label}</a></p>` : ''}
</div>
</div>`;
  return pageDocument(assets, { title, main, refreshSeconds });
}
