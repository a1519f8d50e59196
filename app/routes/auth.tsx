import { Hono } from 'hono';
import type { Platform } from '../ports/platform.ts';
import { hostTokenVerifier } from '../auth/host-token.ts';
import { MembershipLimitError } from '../auth/membership.ts';
import { writeSession } from '../session-cookie.ts';
import { isHttps } from '../forwarded.ts';
import { SignInFailedPage } from '../../components/Access.tsx';

/** `next` when it is a path on this origin (not `//host` or `/\host`), else `/`. */
export function sameOriginPath(next: string | undefined, requestUrl: string): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  try {
    const base = new URL(requestUrl);
    const target = new URL(next, base);
    if (target.origin !== base.origin) return '/';
    return `${target.pathname}${target.search}${target.hash}`;
  } catch {
    return '/';
  }
}

/**
 * `GET /auth?token=JWT&next=PATH` (SPEC §9): the host application's sign-in. Mounted before the
 * cookie identity, so a failure leaves the cookie exactly as it was. The token is never logged:
 * nothing here prints the URL, and errors name only the path.
 */
export function authRoutes(platform: Pick<Platform, 'config' | 'store' | 'membership' | 'usedTokens' | 'sessionSecret'>) {
  const app = new Hono();
  const { config, store, membership, usedTokens } = platform;
  const verify = hostTokenVerifier(config.auth, config.limits);
  const loginUrl = config.auth.loginUrl;

  app.get('/', async (c) => {
    const fail = (reason: string) => {
      c.header('Cache-Control', 'no-store');
      return c.html(<SignInFailedPage reason={`Sign-in failed: ${reason}.`} loginUrl={loginUrl} />, 401);
    };
    if (!verify) return fail('this server has no AUTH_JWT_SECRET or AUTH_JWT_PUBLIC_KEY, so it accepts no host tokens');
    const token = c.req.query('token');
    if (!token) return fail('the "token" parameter is missing');
    const verified = await verify(token);
    if (!verified.ok) return fail(verified.reason);
    const { claims } = verified;
    if (claims.jti !== null && !(await usedTokens.claim(claims.jti, claims.expiresAt + config.limits.tokenClockSkewSeconds * 1000))) {
      return fail('this token was already used (its "jti" makes it single-use); ask the application for a new one');
    }
    if (claims.name) await store.setUserName(claims.sub, claims.name);
    // Exact room names become listed members (so the API shows them and removal takes them out); patterns stay in the cookie.
    try {
      for (const room of claims.rooms) if (!room.endsWith('*')) await membership.add(room, claims.sub);
    } catch (error) {
      if (error instanceof MembershipLimitError) return fail(error.message);
      throw error;
    }
    await writeSession(c, platform.sessionSecret, claims.sub, isHttps(c, config), config.limits.sessionMaxAgeSeconds, claims.rooms);
    c.header('Cache-Control', 'no-store');
    return c.redirect(sameOriginPath(c.req.query('next'), c.req.url), 303);
  });
  return app;
}
