import type { Context } from 'hono';
import { setSignedCookie } from 'hono/cookie';
import { parseSigned } from 'hono/utils/cookie';
import { hostSessionValue, readHostSessionValue } from './auth/session.ts';

/**
 * The session cookie (SPEC §3): a signed `USER_ID.ISSUED` (issue time in epoch seconds).
 *
 * - Over https it is `__Host-sid`: Secure, Path=/, no Domain, so neither plain http nor a sibling
 *   subdomain can set or overwrite it. Over http it is `sid`, as before.
 * - Reading: a valid `__Host-sid` wins. Otherwise, of several `sid` cookies the LAST valid one wins:
 *   browsers send cookies with longer paths first (RFC 6265 §5.4), and ours has Path=/, so a cookie a
 *   sibling subdomain planted with a narrower Path comes before it.
 * - A host-token session (SPEC §9) is a signed `{"h": USER_ID, "r": ROOMS, "t": ISSUED}`, so the
 *   cookie records where the id came from (see app/auth/session.ts).
 * - A cookie without an issue time (issued before issue times existed) is still accepted and is
 *   re-issued with one; a cookie issued more than `maxAgeSeconds` ago is refused (new identity).
 */
export const SESSION_COOKIE = 'sid';
export const SECURE_SESSION_COOKIE = '__Host-sid';

const SESSION_VALUE = /^([A-Za-z0-9_-]{22})(?:\.(\d{1,12}))?$/;

export interface Session {
  userId: string;
  /** Epoch seconds; null for a cookie from before issue times. */
  issuedAt: number | null;
  /** The cookie it came from. */
  cookie: typeof SESSION_COOKIE | typeof SECURE_SESSION_COOKIE;
  /** Signed in by the host application (GET /auth), not an anonymous id. */
  fromHost: boolean;
  /** The host token's `rooms` claim; empty for anonymous people. */
  rooms: string[];
}

/** Every value sent for the cookie `name`, in the order the browser sent them. */
function cookieValues(header: string, name: string): string[] {
  const values: string[] = [];
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq !== -1 && pair.slice(0, eq).trim() === name) values.push(pair.slice(eq + 1).trim());
  }
  return values;
}

/** Signed cookies whose signature checked out, most recently used last (see `checkedSignature`). */
const checked = new Map<string, string>();
export const MAX_CHECKED_SIGNATURES = 10_000;

/**
 * The signed content of `name=value`, or undefined when the signature does not verify. Every page,
 * socket and stream of a person carries the same cookie, and verifying its HMAC through WebCrypto was
 * a fifth of a page view's CPU: a signature that verified once is remembered (exact cookie string and
 * secret; at most MAX_CHECKED_SIGNATURES, least recently used forgotten first). Failures are never
 * remembered, so forged cookies cannot fill the table; expiry is still checked on every request.
 */
export async function checkedSignature(name: string, value: string, secret: string): Promise<string | undefined> {
  const key = `${secret}\n${name}=${value}`;
  const known = checked.get(key);
  if (known !== undefined) {
    checked.delete(key);
    checked.set(key, known);
    return known;
  }
  const signed = (await parseSigned(`${name}=${value}`, secret, name))[name];
  if (typeof signed !== 'string') return undefined;
  checked.set(key, signed);
  if (checked.size > MAX_CHECKED_SIGNATURES) checked.delete(checked.keys().next().value!);
  return signed;
}

/** How many verified signatures are remembered (for tests). */
export const checkedSignatures = () => checked.size;

async function verified(name: Session['cookie'], value: string, secret: string, maxAgeSeconds: number, now: number): Promise<Session | null> {
  const signed = await checkedSignature(name, value, secret);
  if (signed === undefined) return null;
  const host = readHostSessionValue(signed);
  if (host) return now - host.issuedAt > maxAgeSeconds ? null : { ...host, cookie: name, fromHost: true };
  const match = SESSION_VALUE.exec(signed);
  if (!match) return null;
  const issuedAt = match[2] === undefined ? null : Number(match[2]);
  if (issuedAt !== null && now - issuedAt > maxAgeSeconds) return null;
  return { userId: match[1]!, issuedAt, cookie: name, fromHost: false, rooms: [] };
}

/** The request's session, by the rules above; null when none is valid. */
export async function readSession(c: Context, secret: string, maxAgeSeconds: number, now = Date.now() / 1000): Promise<Session | null> {
  const header = c.req.header('cookie') ?? '';
  for (const value of cookieValues(header, SECURE_SESSION_COOKIE)) {
    const session = await verified(SECURE_SESSION_COOKIE, value, secret, maxAgeSeconds, now);
    if (session) return session;
  }
  for (const value of cookieValues(header, SESSION_COOKIE).reverse()) {
    const session = await verified(SESSION_COOKIE, value, secret, maxAgeSeconds, now);
    if (session) return session;
  }
  return null;
}

/** Whether to send the session again: no issue time yet, old enough to roll, or https still on the plain cookie. */
export function sessionNeedsRenewal(session: Session, https: boolean, renewAfterSeconds: number, now = Date.now() / 1000): boolean {
  if (session.issuedAt === null || now - session.issuedAt > renewAfterSeconds) return true;
  return https && session.cookie !== SECURE_SESSION_COOKIE;
}

/** Sets the session cookie for `userId`, issued now, living `maxAgeSeconds`; `hostRooms` (not null): a host-token session. */
export async function writeSession(c: Context, secret: string, userId: string, https: boolean, maxAgeSeconds: number, hostRooms: string[] | null = null): Promise<void> {
  const issuedAt = Math.floor(Date.now() / 1000);
  const value = hostRooms ? hostSessionValue(userId, hostRooms, issuedAt) : `${userId}.${issuedAt}`;
  await setSignedCookie(c, https ? SECURE_SESSION_COOKIE : SESSION_COOKIE, value, secret, {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
    secure: https,
    maxAge: maxAgeSeconds,
  });
}
