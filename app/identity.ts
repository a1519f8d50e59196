import { createMiddleware } from 'hono/factory';
import { getCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import { BoundedCache, type UserNames } from './user-cache.ts';
import type { Viewer } from '../components/Header.tsx';

export type IdentityEnv = { Variables: { viewer: Viewer } };

const USER_ID = /^[A-Za-z0-9_-]{22}$/;
const ONE_YEAR = 365 * 24 * 3600;

/** 128 random bits, base64url. */
export function newUserId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The signed `sid` cookie: a bad signature or shape is ignored and a new identity issued (SPEC §3). */
export function identity(secret: string, names: Pick<UserNames, 'get'>) {
  // A signed value checked once is the same user every time it comes back: skip the HMAC for it.
  const verified = new BoundedCache<string, string>(10_000);
  return createMiddleware<IdentityEnv>(async (c, next) => {
    const raw = getCookie(c, 'sid');
    let userId: string | false | undefined = raw === undefined ? undefined : verified.get(raw);
    if (userId === undefined) {
      userId = await getSignedCookie(c, secret, 'sid');
      if (raw !== undefined && typeof userId === 'string' && USER_ID.test(userId)) verified.set(raw, userId);
    }
    if (typeof userId !== 'string' || !USER_ID.test(userId)) {
      userId = newUserId();
      await setSignedCookie(c, 'sid', userId, secret, {
        path: '/',
        httpOnly: true,
        sameSite: 'Lax',
        secure: new URL(c.req.url).protocol === 'https:',
        maxAge: ONE_YEAR,
      });
      c.set('viewer', { userId, name: null });
    } else {
      c.set('viewer', { userId, name: await names.get(userId) });
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
