import { createMiddleware } from 'hono/factory';
import type { IdentityEnv } from '../identity.ts';
import { SignInFailedPage } from '../../components/Access.tsx';

/** Real-time routes: refused with 401 before anything upgrades or streams. */
const REALTIME = /^\/events$|\/ws$/;

/**
 * AUTH_REQUIRED (SPEC §9): only host-token sessions get in. A page request goes to the host's
 * login with `next` (302), or gets a 401 page without AUTH_LOGIN_URL; sockets, streams and forms get a 401.
 */
export function requireHostSession(loginUrl: string | undefined) {
  return createMiddleware<IdentityEnv>(async (c, next) => {
    if (c.get('session').fromHost) return next();
    const path = new URL(c.req.url).pathname;
    if (REALTIME.test(path)) return c.json({ error: 'sign in through the application first: this server requires a host-token session' }, 401);
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return c.text('Sign in through the application first.', 401);
    const here = path + new URL(c.req.url).search;
    if (loginUrl) return c.redirect(`${loginUrl}${loginUrl.includes('?') ? '&' : '?'}next=${encodeURIComponent(here)}`, 302);
    return c.html(<SignInFailedPage reason="This server only admits people signed in through its application; open it from there." />, 401);
  });
}
