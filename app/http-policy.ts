import type { MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { Config } from './config.ts';
import { isHttps, publicOrigin } from './forwarded.ts';

/** 180 days, Hono's secureHeaders default. */
const HSTS = 'max-age=15552000; includeSubDomains';

/**
 * HSTS only on requests that came over https (RFC 6797 §7.2: a host must not send it over plain
 * http), and so `includeSubDomains` only when the site itself is on https.
 */
export function strictTransportSecurity(config: Pick<Config, 'trustProxy'>): MiddlewareHandler {
  return createMiddleware(async (c, next) => {
    // Before the handler, so responses a runtime writes itself (Node's SSE) carry it too.
    if (isHttps(c, config)) c.header('Strict-Transport-Security', HSTS);
    await next();
  });
}

/**
 * Every page and fragment carries the viewer's id and name (and /notifications their notifications):
 * no shared cache or back/forward cache may keep them (SPEC §6). Responses that set their own
 * Cache-Control (SSE streams) keep it.
 */
export function privatePages(): MiddlewareHandler {
  return createMiddleware(async (c, next) => {
    await next();
    // Set on the response itself: `c.header` after the handler would replace a response the runtime already sent.
    if (c.res.headers.get('content-type')?.startsWith('text/html') && !c.res.headers.has('cache-control')) c.res.headers.set('Cache-Control', 'no-store');
  });
}

/** `target` as a path on this origin, or `/` when it would lead anywhere else (`//host`, `/\host`, `http:`…). */
export function localPath(target: string): string {
  return /^\/(?![/\\])/.test(target) && !/[\u0000-\u001F\\]/.test(target) ? target : '/';
}

/**
 * No redirect leaves the origin (SPEC §6): whatever a route computed, a `Location` that resolves to
 * another origin becomes `/`. Browsers read `//evil.example` and `/\evil.example` as other hosts.
 */
export function sameOriginRedirects(config: Pick<Config, 'trustProxy'>): MiddlewareHandler {
  return createMiddleware(async (c, next) => {
    await next();
    const location = c.res.headers.get('location');
    if (location === null) return;
    const own = publicOrigin(c, config);
    let target: URL | null = null;
    try {
      target = new URL(location, own + '/');
    } catch {
      // Unparseable: treated as foreign.
    }
    if (!target || target.origin !== own || localPath(location) !== location) {
      c.res.headers.set('Location', target && target.origin === own ? localPath(target.pathname + target.search) : '/');
    }
  });
}
