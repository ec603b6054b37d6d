import { ProcessorAnalytics } from '@payments/read-models/projections/analytics-reports';
import { Html, html, jsonBlock } from '../html';
import { formatTime } from '../money-format';
import { statusBadge } from './payments.view';

export interface RouteRow {
  id: string;
  name: string;
  strategy: string;
  processors: ReadonlyArray<{ processor_id: string; split?: number | null }>;
  failover: { on?: readonly string[]; decline_codes?: readonly string[] | null; max_attempts?: number | null } | null;
  optimized_retry: boolean;
  revision: number;
  updated_at: string;
  references: { checkout_sessions: number; account_default: boolean };
}

export function routesMain(routes: readonly RouteRow[], processorName: (id: string) => string): Html {
  const body = routes.length
    ? html`<table>
<caption class="visually-hidden">Processor routes, newest first</caption>
<thead><tr><th scope="col">Route</th><th scope="col">Strategy</th><th scope="col">Processors, in order</th><th scope="col">Fails over on</th><th scope="col" class="number">Revision</th><th scope="col">Referenced by</th><th scope="col">Updated</th></tr></thead>
<tbody>
${routes.map(
  (route) => html`<tr>
<td><strong>${route.name}</strong><br><span class="mono">${route.id}</span></td>
<td>${route.strategy.replace(/_/g, ' ')}${route.optimized_retry ? html`<br><span class="lede">optimized retry</span>` : ''}</td>
<td><ol>${route.processors.map((entry) => html`<li>${processorName(entry.processor_id)}${entry.split == null ? '' : ` (${entry.split} %)`}</li>`)}</ol></td>
<td>${route.failover?.on?.join(', ') ?? 'decline, timeout, error'}${route.failover?.decline_codes?.length ? html`<br><span class="lede">soft codes ${route.failover.decline_codes.join(', ')}</span>` : ''}${route.failover?.max_attempts ? html`<br><span class="lede">at most ${route.failover.max_attempts} calls a tier</span>` : ''}</td>
<td class="number">${route.revision}</td>
<td>${referencesOf(route.references)}</td>
<td><time datetime="${route.updated_at}">${formatTime(route.updated_at)}</time></td>
</tr>`,
)}
</tbody></table>`
    : html`<p class="empty">No routes. Without one, a payment tries the account's default processor, then the others in connection order.</p>`;
  return html`<header><h1>Processor routes</h1><p class="lede">A route cannot be deleted while an open checkout session or the account default refers to it.</p></header>
<div class="table-wrap" id="routes-table" data-live-refresh="route-">${body}</div>`;
}

function referencesOf({ checkout_sessions, account_default }: RouteRow['references']): string {
  const parts = [...(checkout_sessions > 0 ? [`${checkout_sessions} open checkout session${checkout_sessions === 1 ? '' : 's'}`] : []), ...(account_default ? ['the account default'] : [])];
  return parts.length ? parts.join(', ') : 'nothing: it can be deleted';
}

export interface ProcessorRow {
  id: string;
  name: string;
  status: string;
  connector: string;
  /** The analytics' numbers of the window shown; absent for a processor without any. */
  analytics?: ProcessorAnalytics;
}

const percent = (rate: number | null | undefined) => (rate === null || rate === undefined ? '–' : `${(rate * 100).toFixed(1)} %`);
/** Milliseconds without the unit, which the column's header names, so eleven columns fit a laptop's screen. */
const ms = (value: number | null | undefined) => (value === null || value === undefined ? '–' : value.toFixed(1));

/**
 * The charts draw from a data block (processors-chart-data) that the table beside them shows in
 * full: the table is what a screen reader and a browser without JavaScript get.
 */
export function processorsMain(processors: readonly ProcessorRow[], window: { from: string; to: string }): Html {
  const charted = processors.filter((processor) => (processor.analytics?.attempts ?? 0) > 0);
  const chartData = {
    labels: charted.map((processor) => processor.name),
    approvalRate: charted.map((processor) => Math.round((processor.analytics!.approval_rate ?? 0) * 1000) / 10),
    p50: charted.map((processor) => processor.analytics!.p50_ms),
    p95: charted.map((processor) => processor.analytics!.p95_ms),
  };
  return html`<header><h1>Processors</h1><p class="lede">From ${formatTime(window.from)} to ${formatTime(window.to)}, counted in hourly buckets from the stored events</p></header>
${
  charted.length
    ? html`<div class="cards">
<section class="panel chart-panel"><figure><figcaption id="approval-title">Approval rate by processor</figcaption><div class="chart-box"><canvas id="approval-chart" role="img" aria-labelledby="approval-title" aria-describedby="processors-table-caption"></canvas></div></figure></section>
<section class="panel chart-panel"><figure><figcaption id="latency-title">Latency by processor (p50 and p95)</figcaption><div class="chart-box"><canvas id="latency-chart" role="img" aria-labelledby="latency-title" aria-describedby="processors-table-caption"></canvas></div></figure></section>
</div>
${jsonBlock('processors-chart-data', chartData)}`
    : html`<p class="panel">No processor was called in this window: the charts appear once payments are made.</p>`
}
<div class="table-wrap" id="processors-table" data-live-refresh="payment- processor-"><table class="table-compact">
<caption id="processors-table-caption">Each processor's payments in the window: the numbers the charts show</caption>
<thead><tr><th scope="col">Processor</th><th scope="col" class="number">Payments</th><th scope="col" class="number">Approved</th><th scope="col" class="number">Declined</th><th scope="col" class="number">Timeouts</th><th scope="col" class="number">Errors</th><th scope="col" class="number">Skipped</th><th scope="col" class="number">Approval rate</th><th scope="col" class="number">p50 ms</th><th scope="col" class="number">p95 ms</th></tr></thead>
<tbody>
${processors.map(
  (processor) => html`<tr>
<td><strong>${processor.name}</strong> ${statusBadgeFor(processor.status)}<br><span class="mono">${processor.id}</span> · ${processor.connector}</td>
<td class="number">${processor.analytics?.attempts ?? 0}</td>
<td class="number">${processor.analytics?.approved ?? 0}</td>
<td class="number">${processor.analytics?.declined ?? 0}</td>
<td class="number">${processor.analytics?.timeouts ?? 0}</td>
<td class="number">${processor.analytics?.errors ?? 0}</td>
<td class="number">${processor.analytics?.skipped ?? 0}</td>
<td class="number">${percent(processor.analytics?.approval_rate)}</td>
<td class="number">${ms(processor.analytics?.p50_ms)}</td>
<td class="number">${ms(processor.analytics?.p95_ms)}</td>
</tr>`,
)}
</tbody></table></div>`;
}

function statusBadgeFor(status: string): Html {
  return html`<span class="status status-${status === 'active' ? 'enabled' : 'disabled'}">${status}</span>`;
}

export interface WebhookEndpointRow {
  id: string;
  url: string;
  events: readonly string[];
  status: string;
  deliveries: ReadonlyArray<{
    id: string;
    type: string;
    status: string;
    attempts: ReadonlyArray<{ at: string; status_code: number | null; duration_ms: number | null; error: string | null }>;
    next_attempt_at: string | null;
    created_at: string;
  }>;
  deliveriesTotal: number;
}

export function webhooksMain(endpoints: readonly WebhookEndpointRow[]): Html {
  return html`<header><h1>Webhooks</h1><p class="lede">Each endpoint's latest deliveries; a delivery is retried until a 2xx, then marked failed after its last try</p></header>
<div id="webhook-endpoints" data-live-refresh="webhook_endpoint- webhook_delivery-">${endpoints.length === 0 ? html`<p class="panel">No webhook endpoints. Add one with <code>POST /v1/webhook-endpoints</code>; its deliveries show here.</p>` : endpoints.map(webhookEndpoint)}</div>`;
}

function webhookEndpoint(endpoint: WebhookEndpointRow): Html {
  return html`<section class="panel" aria-labelledby="endpoint-${endpoint.id}">
<h2 id="endpoint-${endpoint.id}"><span class="mono">${endpoint.url}</span> ${statusBadge(endpoint.status)}</h2>
<p class="lede"><span class="mono">${endpoint.id}</span> · ${endpoint.events.join(', ')} · ${endpoint.deliveriesTotal} deliveries</p>
${
  endpoint.deliveries.length
    ? html`<div class="table-wrap"><table>
<caption class="visually-hidden">Latest deliveries to ${endpoint.url}</caption>
<thead><tr><th scope="col">Event</th><th scope="col">Status</th><th scope="col">Tries</th><th scope="col">Last try</th><th scope="col">Next try</th></tr></thead>
<tbody>${endpoint.deliveries.map((delivery) => {
        const last = delivery.attempts[delivery.attempts.length - 1];
        return html`<tr>
<td>${delivery.type}<br><span class="mono">${delivery.id}</span></td>
<td>${statusBadge(delivery.status)}</td>
<td class="number">${delivery.attempts.length}</td>
<td>${last ? html`${formatTime(last.at)}<br><span class="lede">${last.status_code === null ? (last.error ?? 'no answer') : `HTTP ${last.status_code}`}${last.duration_ms === null ? '' : ` in ${last.duration_ms} ms`}</span>` : '–'}</td>
<td>${delivery.next_attempt_at === null ? '–' : formatTime(delivery.next_attempt_at)}</td>
</tr>`;
      })}</tbody></table></div>`
    : html`<p class="empty">No deliveries yet.</p>`
}
</section>`;
}
