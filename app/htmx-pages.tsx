import type { MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import { ForMajor } from '../components/htmx.tsx';
import type { HtmxMajor } from './realtime/fragment.ts';

/**
 * Every page is rendered for `HTMX_VERSION` (SPEC §8): components read the major from
 * `HtmxMajorContext`, whose default is 2, so only htmx 4 pages need a provider. It wraps whatever a
 * route hands `c.html`, so a page added later is rendered for the configured major too.
 */
export function htmxPages(major: HtmxMajor): MiddlewareHandler {
  return createMiddleware(async (c, next) => {
    if (major !== 2) {
      const html = c.html.bind(c);
      c.html = ((body: unknown, ...rest: unknown[]) =>
        (html as (...args: unknown[]) => unknown)(typeof body === 'object' && body !== null && !(body instanceof Promise) ? <ForMajor major={major}>{body as never}</ForMajor> : body, ...rest)) as typeof c.html;
    }
    await next();
  });
}
