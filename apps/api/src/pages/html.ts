/**
 * HTML templates as tagged template literals: every interpolated value is escaped unless it is
 * itself a template's result (`Html`), so markup is built from parts without a string a
 * customer or an operator typed ever becoming markup. Attribute values go in double quotes.
 *
 *   html`<p class="total">${formatted}</p>`
 */
export class Html {
  constructor(readonly text: string) {}

  toString(): string {
    return this.text;
  }
}

/** What a template may interpolate: lists are joined, and null, undefined and false are left out. */
export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ESCAPES[character]);
}

function render(value: HtmlValue): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let text = strings[0];
  for (let i = 0; i < values.length; i++) text += render(values[i]) + strings[i + 1];
  return new Html(text);
}

/**
 * A URL for an `href` or a form `action`: http(s) URLs and paths of this service only, so a
 * stored URL can never be a `javascript:` link. Anything else becomes `#`.
 */
export function safeUrl(url: string): string {
  if (url.startsWith('/') && !url.startsWith('//')) return url;
  try {
    const protocol = new URL(url).protocol;
    return protocol === 'https:' || protocol === 'http:' ? url : '#';
  } catch {
    return '#';
  }
}

/**
 * A JSON data block (`<script type="application/json">`) for a page's script to read: not run,
 * so the Content-Security-Policy allows it without a hash, and `<`, `>`, `&` and the line
 * separators are escaped so no value can close the element.
 */
export function jsonBlock(id: string, value: unknown): Html {
  const json = JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return new Html(`<script type="application/json" id="${escapeHtml(id)}">${json}</script>`);
}
