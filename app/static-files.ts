import type { Hono, MiddlewareHandler } from 'hono';
import { compress } from 'hono/compress';
import { etag } from 'hono/etag';
import { createMiddleware } from 'hono/factory';

/** A year: the longest lifetime caches honour. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** The page's own CSS and JS change with each deploy under the same URL: revalidate (a cheap 304). */
const REVALIDATE = 'public, no-cache';

/**
 * Vendored scripts are loaded as `/vendor/FILE?v=VERSION` (components/assets.ts), so a URL names
 * one file forever and may be cached as immutable; everything else revalidates with its ETag.
 */
const cacheControl = createMiddleware(async (c, next) => {
  await next();
  if (c.res.status !== 200 && c.res.status !== 304) return;
  const versioned = c.req.path.startsWith('/vendor/') && c.req.query('v') !== undefined;
  c.res.headers.set('Cache-Control', versioned ? IMMUTABLE : REVALIDATE);
});

/**
 * Static files on Node and Deno: gzip or deflate when the client accepts it, a weak ETag over the
 * uncompressed bytes (so If-None-Match answers 304) and Cache-Control. On Workers the platform's
 * asset server answers these URLs before the Worker runs and does the same itself.
 */
export function mountStaticFiles(app: Hono<any>, serve: MiddlewareHandler, dirs: readonly string[]): void {
  for (const dir of dirs) app.use(dir, cacheControl, compress(), etag({ weak: true }), serve);
}
