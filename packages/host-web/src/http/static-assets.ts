import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type Router from '@koa/router';

/** A file served from memory under `/static/`. */
export interface StaticAsset {
  readonly path: string;
  readonly type: string;
  readonly body: Buffer;
  readonly etag: string;
}

const PUBLIC_FOLDER = new URL('../../../public/', import.meta.url);

function asset(path: string, type: string, file: string): StaticAsset {
  const body = readFileSync(file);
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  return { path, type, body, etag };
}

/**
 * Reads the page assets once: Bootstrap's CSS from the installed `bootstrap`
 * package (no CDN) and the files of the package's `public/` folder.
 *
 * @throws when a file is missing (a broken install); called at start, never per request.
 */
export function loadStaticAssets(): readonly StaticAsset[] {
  const require = createRequire(import.meta.url);
  return [
    asset('/static/bootstrap.min.css', 'text/css; charset=utf-8', require.resolve('bootstrap/dist/css/bootstrap.min.css')),
    asset('/static/site.css', 'text/css; charset=utf-8', fileURLToPath(new URL('site.css', PUBLIC_FOLDER))),
    asset('/static/favicon.svg', 'image/svg+xml', fileURLToPath(new URL('favicon.svg', PUBLIC_FOLDER))),
  ];
}

/** Serves each asset at its path with a strong ETag (answering 304 when it matches) and a day of caching. */
export function registerStaticAssets(router: Router, assets: readonly StaticAsset[]): void {
  for (const item of assets) {
    router.get(item.path, (ctx) => {
      ctx.set('Cache-Control', 'public, max-age=86400');
      ctx.set('ETag', item.etag);
      ctx.type = item.type;
      ctx.status = 200;
      if (ctx.fresh) {
        ctx.status = 304;
        return;
      }
      ctx.body = item.body;
    });
  }
}
