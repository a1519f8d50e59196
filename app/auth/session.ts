import type { Context } from 'hono';
import { setSignedCookie } from 'hono/cookie';
import { ANONYMOUS_USER_ID, HOST_USER_ID } from './host-token.ts';
import { ROOM_PATTERN } from '../config.ts';

/**
 * Who the `sid` cookie says this is. Anonymous cookies hold the bare random id (as they always
 * have); a host-token session holds `{"h": sub, "r": rooms}`, so the cookie records where the id
 * came from and which private rooms the token granted.
 */
export interface Session {
  userId: string;
  fromHost: boolean;
  /** The token's `rooms` claim (names or `prefix-*`); empty for anonymous people. */
  rooms: string[];
}

export const SESSION_COOKIE = 'sid';
const ONE_YEAR = 365 * 24 * 3600;

export function readSessionCookie(value: unknown): Session | null {
  if (typeof value !== 'string') return null;
  if (ANONYMOUS_USER_ID.test(value)) return { userId: value, fromHost: false, rooms: [] };
  if (!value.startsWith('{')) return null;
  try {
    const parsed = JSON.parse(value) as { h?: unknown; r?: unknown };
    if (typeof parsed.h !== 'string' || !HOST_USER_ID.test(parsed.h) || ANONYMOUS_USER_ID.test(parsed.h)) return null;
    const rooms = Array.isArray(parsed.r) ? parsed.r.filter((r): r is string => typeof r === 'string' && ROOM_PATTERN.test(r)) : [];
    return { userId: parsed.h, fromHost: true, rooms };
  } catch {
    return null;
  }
}

export function hostSessionValue(userId: string, rooms: string[]): string {
  return JSON.stringify({ h: userId, r: rooms });
}

/** Writes the signed `sid` cookie (HttpOnly, SameSite=Lax, Secure over https). */
export function writeSessionCookie(c: Context, secret: string, value: string): Promise<void> {
  return setSignedCookie(c, SESSION_COOKIE, value, secret, {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
    secure: new URL(c.req.url).protocol === 'https:',
    maxAge: ONE_YEAR,
  });
}
