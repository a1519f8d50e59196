import { ANONYMOUS_USER_ID, HOST_USER_ID } from './host-token.ts';
import { ROOM_PATTERN } from '../config.ts';

/**
 * A host-token session's cookie value (SPEC §9): `{"h": sub, "r": rooms, "t": issued}`. Anonymous
 * cookies keep their bare `ID.ISSUED` form (session-cookie.ts), so the cookie records where its id
 * came from; a value here can never hold an anonymous-shaped id.
 */
export interface HostSessionValue {
  userId: string;
  rooms: string[];
  /** Epoch seconds. */
  issuedAt: number;
}

export function readHostSessionValue(value: string): HostSessionValue | null {
  if (!value.startsWith('{')) return null;
  try {
    const parsed = JSON.parse(value) as { h?: unknown; r?: unknown; t?: unknown };
    if (typeof parsed.h !== 'string' || !HOST_USER_ID.test(parsed.h) || ANONYMOUS_USER_ID.test(parsed.h)) return null;
    if (typeof parsed.t !== 'number' || !Number.isSafeInteger(parsed.t)) return null;
    const rooms = Array.isArray(parsed.r) ? parsed.r.filter((r): r is string => typeof r === 'string' && ROOM_PATTERN.test(r)) : [];
    return { userId: parsed.h, rooms, issuedAt: parsed.t };
  } catch {
    return null;
  }
}

export function hostSessionValue(userId: string, rooms: string[], issuedAt: number): string {
  return JSON.stringify({ h: userId, r: rooms, t: issuedAt });
}
