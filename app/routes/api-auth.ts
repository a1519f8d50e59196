import type { MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import { timingSafeEqual } from 'hono/utils/buffer';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * `Authorization: Bearer API_TOKEN`, compared in constant time. Without a configured token the API
 * is off (503); a missing or wrong token is 401. Both answer JSON.
 */
export function requireApiToken(token: string | undefined): MiddlewareHandler {
  return createMiddleware(async (c, next) => {
    if (!token) {
      return c.json({ error: 'the HTTP API is disabled: API_TOKEN is not set on this server. Set API_TOKEN and restart to use it.' }, 503);
    }
    const header = c.req.header('authorization');
    if (!header) {
      c.header('WWW-Authenticate', 'Bearer realm="switchboard"');
      return c.json({ error: 'missing "Authorization: Bearer <API_TOKEN>" header' }, 401);
    }
    const given = BEARER.exec(header)?.[1];
    if (!given || !(await timingSafeEqual(given, token))) {
      c.header('WWW-Authenticate', 'Bearer realm="switchboard", error="invalid_token"');
      return c.json({ error: 'wrong API token in the "Authorization" header' }, 401);
    }
    await next();
  });
}
