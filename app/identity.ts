import { createMiddleware } from 'hono/factory';
import type { Context } from 'hono';
import { clientAddress, isHttps } from './forwarded.ts';
import type { IdentityLimiter } from './ports/limits.ts';
import type { Platform } from './ports/platform.ts';
import { readSession, sessionNeedsRenewal, writeSession, type Session } from './session-cookie.ts';
import type { Viewer } from '../components/Header.tsx';
import type { UserNames } from './user-cache.ts';

/** `session`: where the id came from and the private rooms a host token granted (SPEC §9). */
export type IdentityEnv = { Variables: { viewer: Viewer; session: Pick<Session, 'userId' | 'fromHost' | 'rooms'> } };

/** 128 random bits, base64url. */
export function newUserId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** What the identity middleware needs from the platform. */
export type IdentityPlatform = Pick<Platform, 'config' | 'sessionSecret' | 'store' | 'peerAddress'>;

/**
 * The signed session cookie (SPEC §3, rules in session-cookie.ts): a bad signature or shape is
 * ignored and a new identity issued, at most NEW_IDENTITIES_PER_MINUTE per client address (429 past it).
 * With `anonymous: false` (AUTH_REQUIRED, SPEC §9) nobody is minted: the viewer stays without an id.
 */
export function identity(platform: IdentityPlatform, limiter: IdentityLimiter, { anonymous = true, names }: { anonymous?: boolean; names?: Pick<UserNames, 'get'> } = {}) {
  const { config, sessionSecret: secret, store } = platform;
  const { sessionMaxAgeSeconds: maxAge, sessionRenewAfterSeconds: renewAfter } = config.limits;
  return createMiddleware<IdentityEnv>(async (c, next) => {
    const https = isHttps(c, config);
    const session = await readSession(c, secret, maxAge);
    if (!session && !anonymous) {
      c.set('session', { userId: '', fromHost: false, rooms: [] });
      c.set('viewer', { userId: '', name: null });
    } else if (!session) {
      if (!(await limiter.take(clientAddress(c, config, platform.peerAddress)))) return tooManyIdentities(c, config.newIdentitiesPerMinute);
      const userId = newUserId();
      await writeSession(c, secret, userId, https, maxAge);
      c.set('session', { userId, fromHost: false, rooms: [] });
      c.set('viewer', { userId, name: null });
    } else {
      if (sessionNeedsRenewal(session, https, renewAfter)) await writeSession(c, secret, session.userId, https, maxAge, session.fromHost ? session.rooms : null);
      c.set('session', session);
      // The cached lookup where this process is the only writer of names (app.tsx), else the store.
      c.set('viewer', { userId: session.userId, name: await (names ? names.get(session.userId) : store.userName(session.userId)) });
    }
    await next();
  });
}

function tooManyIdentities(c: Context, perMinute: number): Response {
  c.header('Retry-After', String(Math.max(1, Math.ceil(60 / perMinute))));
  return c.text(
    `Too many new visitors from your network address: at most ${perMinute} new identities a minute. Wait a moment and try again (with cookies enabled, you keep the identity you have).`,
    429,
  );
}
