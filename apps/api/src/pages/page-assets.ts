import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { Injectable } from '@nestjs/common';

/** The files the pages load, all served by this service: no CDN, no other host. */
export type AssetName = 'pages.css' | 'checkout.js' | 'dashboard.js' | 'favicon.svg' | 'chart.js';

export interface Asset {
  body: Buffer;
  contentType: string;
  /** `/assets/<name>.<hash>.<ext>`: the content's hash in the path lets browsers keep it for good. */
  path: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** The pages' own files: beside this module in the sources, and copied beside it into dist by `npm run build`. */
const OWN_ASSETS = join(__dirname, 'assets');

/** Chart.js's browser build, from node_modules; its exports map hides the dist folder, so it is found beside its CommonJS entry. */
function chartJs(): Buffer {
  const file = join(dirname(require.resolve('chart.js')), 'chart.umd.min.js');
  // The source map is not served, so the comment pointing at it would only make a browser's tools ask for it.
  return Buffer.from(readFileSync(file, 'utf8').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n'));
}

function asset(name: string, body: Buffer): Asset {
  const extension = extname(name);
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  return { body, contentType: CONTENT_TYPES[extension], path: `/assets/${name.slice(0, -extension.length)}.${hash}${extension}` };
}

/** Reads every asset once at start-up, so a request never touches the file system. */
@Injectable()
export class PageAssets {
  private readonly byName: ReadonlyMap<AssetName, Asset>;
  private readonly byPath: ReadonlyMap<string, Asset>;

  constructor() {
    const own: AssetName[] = ['pages.css', 'checkout.js', 'dashboard.js', 'favicon.svg'];
    const entries: Array<[AssetName, Asset]> = own.map((name) => [name, asset(name, readFileSync(join(OWN_ASSETS, name)))]);
    entries.push(['chart.js', asset('chart.js', chartJs())]);
    this.byName = new Map(entries);
    this.byPath = new Map(entries.map(([, value]) => [value.path, value]));
  }

  path(name: AssetName): string {
    return this.byName.get(name)!.path;
  }

  /** The asset at `/assets/<file>`, if any. */
  find(file: string): Asset | undefined {
    return this.byPath.get(`/assets/${file}`);
  }
}
