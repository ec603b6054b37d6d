import { Html, html } from '../html';
import type { RefusalCounts } from '../../http/rate-limit/card-testing-refusal-counts';
import { formatMoney, formatTime } from '../money-format';
import { PaymentTimeline, TimelineStep } from './payment-timeline';

/** What the payment pages read of a payment: its API shape (presentPayment), whatever fields it gains. */
export interface PaymentSummary {
  id: string;
  checkout_session_id: string;
  status: string;
  amount: number;
  currency: string;
  tier: number;
  processor_id: string | null;
  route_id: string | null;
  route_revision: number | null;
  auth_code: string | null;
  response_summary: string | null;
  failure_reason: string | null;
  source: { network: string; last4: string };
  created_at: string;
  completed_at: string | null;
  /** From issue 10 on; absent before. */
  capture_method?: string;
  amount_captured?: number;
  amount_refunded?: number;
}

export function statusBadge(status: string): Html {
  return html`<span class="status status-${status.replace(/[^a-z_]/g, '')}">${status.replace(/_/g, ' ')}</span>`;
}

export function paymentsTable(payments: readonly PaymentSummary[], processorName: (id: string) => string): Html {
  if (payments.length === 0) return html`<p class="empty">No payments yet. Pay a checkout session and it shows here.</p>`;
  return html`<table>
<caption class="visually-hidden">Payments, newest first</caption>
<thead><tr><th scope="col">Payment</th><th scope="col">Status</th><th scope="col" class="number">Amount</th><th scope="col">Card</th><th scope="col">Processor</th><th scope="col" class="number">Tier</th><th scope="col">Created</th></tr></thead>
<tbody>
${payments.map(
  (payment) => html`<tr>
<td><a href="/dashboard/payments/${payment.id}" class="mono">${payment.id}</a></td>
<td>${statusBadge(payment.status)}</td>
<td class="number">${formatMoney(payment.amount, payment.currency)}</td>
<td>${payment.source.network} •••• ${payment.source.last4}</td>
<td>${payment.processor_id === null ? '–' : processorName(payment.processor_id)}</td>
<td class="number">${payment.tier}</td>
<td><time datetime="${payment.created_at}">${formatTime(payment.created_at)}</time></td>
</tr>`,
)}
</tbody>
</table>`;
}

export interface PaymentsPageData {
  payments: readonly PaymentSummary[];
  total: number;
  page: number;
  pageSize: number;
  /** Pays refused as card testing (429), by the limit reached. */
  refusals: RefusalCounts;
}

export function paymentsMain({ payments, total, page, pageSize, refusals }: PaymentsPageData, processorName: (id: string) => string): Html {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  return html`<div id="payments-list" data-live-refresh="payment-">
<header><h1>Payments</h1><p class="lede">${total} in all · the table follows new payments as they happen</p></header>
<div class="table-wrap" id="payments-table">${paymentsTable(payments, processorName)}</div>
${
  pages > 1
    ? html`<nav aria-label="Pages of payments"><p>Page ${page} of ${pages}${page > 1 ? html` · <a href="/dashboard?page=${page - 1}">Newer</a>` : ''}${page < pages ? html` · <a href="/dashboard?page=${page + 1}">Older</a>` : ''}</p></nav>`
    : ''
}
</div>
${refusalsPanel(refusals)}
<section class="panel" aria-labelledby="feed-title">
<h2 id="feed-title">Live events</h2>
<p class="lede">Events of this account as the service stores them, newest first.</p>
<ol class="feed" id="live-feed" aria-live="polite" aria-relevant="additions"><li class="empty">Waiting for the next event…</li></ol>
</section>`;
}

/** Pays refused for too many failed payments: a sign of card testing on the public checkout. */
function refusalsPanel(refusals: RefusalCounts): Html {
  return html`<section class="panel" aria-labelledby="refusals-title" id="card-testing-refusals">
<h2 id="refusals-title">Card-testing refusals</h2>
<p class="lede">Pays refused for too many failed payments (429); nothing reached a processor.</p>
<dl class="facts">
<div><dt>Session limit reached</dt><dd data-refusals="session">${refusals.session}</dd></div>
<div><dt>Card limit reached</dt><dd data-refusals="fingerprint">${refusals.fingerprint}</dd></div>
<div><dt>Address limit reached</dt><dd data-refusals="address">${refusals.address}</dd></div>
</dl>
</section>`;
}

function stepItem(step: TimelineStep): Html {
  return html`<li class="step step-${step.tone}">
<div class="title"><span>${step.title}</span><span class="when"><time datetime="${step.at}" title="${formatTime(step.at)}">+${step.offsetMs} ms</time></span></div>
${step.detail === undefined ? '' : html`<p class="detail">${step.detail}</p>`}
${step.fields?.length ? html`<p class="data">${step.fields.map(([key, value], index) => html`${index > 0 ? ' · ' : ''}${key}: <span class="mono">${value}</span>`)}</p>` : ''}
${step.notes.length ? html`<ul class="sub">${step.notes.map((note) => html`<li><strong>${note.title}</strong>${note.detail === undefined ? '' : html`: ${note.detail}`} <span class="when">${formatTime(note.at)}</span></li>`)}</ul>` : ''}
</li>`;
}

export function timelineView(timeline: PaymentTimeline): Html {
  return html`<ol class="timeline" aria-label="Cascade timeline">
${timeline.start ? html`<li class="tier"><h3>Start</h3><ol class="steps">${stepItem(timeline.start)}</ol></li>` : ''}
${timeline.tiers.map(
  (tier) => html`<li class="tier" data-tier="${tier.tier}"><h3>${tier.title}${tier.meta.length ? html` <span class="meta">${tier.meta.join(' · ')}</span>` : ''}</h3>
<ol class="steps">${tier.steps.length ? tier.steps.map(stepItem) : html`<li class="step"><p class="detail">Nothing recorded in this tier yet.</p></li>`}</ol></li>`,
)}
${timeline.after.length ? html`<li class="tier"><h3>Outcome and after</h3><ol class="steps">${timeline.after.map(stepItem)}</ol></li>` : ''}
</ol>`;
}

export function paymentMain(payment: PaymentSummary, timeline: PaymentTimeline, processorName: (id: string) => string): Html {
  const amount = (value: number) => formatMoney(value, payment.currency);
  const facts: Array<[string, Html | string]> = [
    ['Status', statusBadge(payment.status)],
    ['Amount', amount(payment.amount)],
    ...(payment.amount_captured === undefined ? [] : ([['Captured', amount(payment.amount_captured)]] as Array<[string, string]>)),
    ...(payment.amount_refunded === undefined ? [] : ([['Refunded', amount(payment.amount_refunded)]] as Array<[string, string]>)),
    ...(payment.capture_method === undefined ? [] : ([['Capture', payment.capture_method]] as Array<[string, string]>)),
    ['Card', `${payment.source.network} •••• ${payment.source.last4}`],
    ['Processor', payment.processor_id === null ? '–' : processorName(payment.processor_id)],
    ['Tier', String(payment.tier)],
    ['Route', payment.route_id === null ? 'none' : `${payment.route_id} rev ${payment.route_revision ?? '?'}`],
    ['Last answer', payment.response_summary ?? '–'],
    ...(payment.failure_reason === null ? [] : ([['Failure', payment.failure_reason.replace(/_/g, ' ')]] as Array<[string, string]>)),
    ['Checkout session', html`<span class="mono">${payment.checkout_session_id}</span>`],
    ['Created', formatTime(payment.created_at)],
    ['Completed', payment.completed_at === null ? '–' : formatTime(payment.completed_at)],
  ];
  return html`<header><h1>Payment <span class="mono">${payment.id}</span></h1><p class="lede"><a href="/dashboard">All payments</a></p></header>
<div id="payment-detail" data-live-refresh="payment-${payment.id}">
<section class="panel" aria-labelledby="summary-title">
<h2 id="summary-title">Summary</h2>
<dl class="facts">${facts.map(([term, value]) => html`<div><dt>${term}</dt><dd>${value}</dd></div>`)}</dl>
</section>
<section aria-labelledby="timeline-title">
<h2 id="timeline-title">How the payment cascaded</h2>
${timelineView(timeline)}
</section>
</div>`;
}
