import { Html, html } from './html';
import { AssetName, PageAssets } from './page-assets';

export interface PageShell {
  /** The document's title; pages with errors start it with "Error: ", so a screen reader says so first. */
  title: string;
  main: Html;
  /** Above the main content: the dashboard's top bar, with a link to skip it. */
  header?: Html;
  /** The pages' own scripts, loaded deferred from this service. */
  scripts?: readonly AssetName[];
  /** `data-*` attributes of the body, which scripts read (e.g. where the live stream resumes). */
  data?: Readonly<Record<string, string>>;
  /** Reload the page after this many seconds (a payment still being processed); works without JavaScript. */
  refreshSeconds?: number;
}

/** The HTML document around every page: one stylesheet and deferred scripts, all from this service, nothing inline. */
export function pageDocument(assets: PageAssets, { title, main, header, scripts = [], data = {}, refreshSeconds }: PageShell): Html {
  const dataAttributes = Object.entries(data).map(([name, value]) => html` data-${name}="${value}"`);
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
${refreshSeconds === undefined ? '' : html`<meta http-equiv="refresh" content="${refreshSeconds}">`}
<title>${title}</title>
<link rel="icon" href="${assets.path('favicon.svg')}" type="image/svg+xml">
<link rel="stylesheet" href="${assets.path('pages.css')}">
${scripts.map((name) => html`<script src="${assets.path(name)}" defer></script>\n`)}
</head>
<body${dataAttributes}>
${header ? html`<a class="skip-link" href="#main">Skip to content</a>
${header}` : ''}
<main id="main" tabindex="-1">
${main}
</main>
</body>
</html>
`;
}
