import { createMiddleware } from 'hono/factory';
import { getSignedCookie } from 'hono/cookie';
import type { Store } from './store/store.ts';
import type { Viewer } from '../components/Header.tsx';
import { readSessionCookie, SESSION_COOKIE, writeSessionCookie, type Session } from './auth/session.ts';

export type IdentityEnv = { Variables: { viewer: Viewer; session: Session } };

/** 128 random bits, base64url. */
export function newUserId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * The signed `sid` cookie: a bad signature or shape is ignored and a new identity issued (SPEC §3).
 * With `anonymous: false` (AUTH_REQUIRED) nobody is minted: the viewer stays without an id.
 */
export function identity(secret: string, store: Store, { anonymous = true } = {}) {
  return createMiddleware<IdentityEnv>(async (c, next) => {
    const session = readSessionCookie(await getSignedCookie(c, secret, SESSION_COOKIE));
    if (session) {
      c.set('session', session);
      c.set('viewer', { userId: session.userId, name: await store.userName(session.userId) });
    } else if (anonymous) {
      const userId = newUserId();
      await writeSessionCookie(c, secret, userId);
      c.set('session', { userId, fromHost: false, rooms: [] });
      c.set('viewer', { userId, name: null });
    } else {
      c.set('session', { userId: '', fromHost: false, rooms: [] });
      c.set('viewer', { userId: '', name: null });
    }
    await next();
  });
}

/** Display names: 1–32 characters after trimming; control characters are refused. */
export function validateName(raw: unknown, max: number): { ok: true; name: string } | { ok: false; error: string } {
  if (typeof raw !== 'string') return { ok: false, error: 'Enter a name.' };
  const name = raw.trim();
  if (name.length === 0) return { ok: false, error: 'Enter a name.' };
  if (name.length > max) return { ok: false, error: `Names are at most ${max} characters.` };
  if (/\p{Cc}/u.test(name)) return { ok: false, error: 'Names cannot contain control characters.' };
  return { ok: true, name };
}
