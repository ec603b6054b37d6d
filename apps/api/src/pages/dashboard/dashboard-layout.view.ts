import { Html, html } from '../html';
import { AssetName, PageAssets } from '../page-assets';
import { pageDocument } from '../page-layout';

export type DashboardSection = 'payments' | 'routes' | 'processors' | 'webhooks';

const SECTIONS: ReadonlyArray<{ section: DashboardSection; label: string; href: string }> = [
  { section: 'payments', label: 'Payments', href: '/dashboard' },
  { section: 'routes', label: 'Routes', href: '/dashboard/routes' },
  { section: 'processors', label: 'Processors', href: '/dashboard/processors' },
  { section: 'webhooks', label: 'Webhooks', href: '/dashboard/webhooks' },
];

export interface DashboardPage {
  title: string;
  section: DashboardSection;
  accountName: string;
  main: Html;
  /** Where the live stream resumes: the log position the page's data is as of. */
  liveAfter: bigint;
  /** The page's own script beside dashboard.js (the charts need the chart library first). */
  scripts?: readonly AssetName[];
}

/** Every signed-in page: the top bar (sections, the account, the live state, sign out) above the page. */
export function dashboardDocument(assets: PageAssets, { title, section, accountName, main, liveAfter, scripts = [] }: DashboardPage): Html {
  const header = html`<header class="topbar">
<p class="brand">Payments dashboard</p>
<nav aria-label="Sections"><ul>
${SECTIONS.map((entry) => html`<li><a href="${entry.href}"${entry.section === section ? html` aria-current="page"` : ''}>${entry.label}</a></li>`)}
</ul></nav>
<div class="account">
<span class="live" id="live-state" data-state="closed" role="status">Live updates off</span>
<span>${accountName}</span>
<form method="post" action="/dashboard/sign-out"><button type="submit">Sign out</button></form>
</div>
</header>`;
  return pageDocument(assets, {
    title: `${title} · ${accountName} · Payments dashboard`,
    header,
    main: html`<div class="dashboard">${main}</div>`,
    scripts: [...scripts, 'dashboard.js'],
    data: { 'live-after': String(liveAfter) },
  });
}

export function signInPage(assets: PageAssets, error?: string): Html {
  const main = html`<div class="signin">
${
  error === undefined
    ? ''
    : html`<div class="error-summary" id="error-summary" role="alert" tabindex="-1" autofocus aria-labelledby="error-summary-title">
<h2 id="error-summary-title">You are not signed in</h2>
<p><a href="#token">${error}</a></p>
</div>`
}
<div class="panel">
<h1>Sign in to the payments dashboard</h1>
<p>Paste your account's secret token (<code>st_…</code>). It is checked once and never stored in the browser: the dashboard keeps a signed session cookie instead.</p>
<form method="post" action="/dashboard/sign-in" novalidate>
<div class="field${error === undefined ? '' : ' has-error'}">
<label for="token">Secret token</label>
<input id="token" name="token" type="password" autocomplete="off" spellcheck="false" autocapitalize="off"${error === undefined ? '' : html` aria-invalid="true" aria-describedby="error-summary-title"`}>
</div>
<button type="submit" class="button button-block">Sign in</button>
</form>
</div>
</div>`;
  return pageDocument(assets, { title: `${error === undefined ? '' : 'Error: '}Sign in · Payments dashboard`, main, scripts: ['dashboard.js'] });
}
