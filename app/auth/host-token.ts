import { errors, importSPKI, jwtVerify, type CryptoKey, type JWTPayload, type ProtectedHeaderParameters } from 'jose';
import { ROOM_PATTERN, type AuthConfig, type Limits } from '../config.ts';
import { validateName } from '../names.ts';

/** What a verified host token says about the person (SPEC §9). */
export interface HostClaims {
  /** The host's own user id, exactly as given. */
  sub: string;
  name: string | null;
  /** Private rooms this person may enter: names or `prefix-*` patterns. */
  rooms: string[];
  jti: string | null;
  /** Epoch milliseconds. */
  expiresAt: number;
}

export type Verified = { ok: true; claims: HostClaims } | { ok: false; reason: string };

/** The user id a token may carry: 1–64 of `A-Za-z0-9_.@:-`. */
export const HOST_USER_ID = /^[A-Za-z0-9_.@:-]{1,64}$/;
/**
 * The shape of Switchboard's own anonymous ids (22 base64url characters). A token cannot take it,
 * so an anonymous person's id (and notifications) can never be claimed by a host token, or the reverse.
 */
export const ANONYMOUS_USER_ID = /^[A-Za-z0-9_-]{22}$/;

type Key = { alg: 'HS256'; key: Uint8Array } | { alg: 'RS256' | 'ES256'; key: CryptoKey };

/** The public key's algorithm follows from its type: RSA → RS256, P-256 → ES256; anything else is refused. */
async function importPublicKey(pem: string): Promise<Key> {
  for (const alg of ['RS256', 'ES256'] as const) {
    try {
      return { alg, key: await importSPKI(pem, alg) };
    } catch {
      // Not this key type; try the next.
    }
  }
  throw new Error('AUTH_JWT_PUBLIC_KEY is neither an RSA nor a P-256 (ES256) public key');
}

/** Why jose refused a token, in words a host developer can act on. */
function reasonFor(error: unknown, algorithms: string[]): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired (exp is in the past)';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return 'the token is not valid yet (nbf is in the future)';
    if (error.claim === 'exp') return `the token has no valid "exp" claim; it is required`;
    if (error.claim === 'sub') return 'the token has no "sub" claim (the user id)';
    return `the "${error.claim}" claim is invalid: ${error.reason}`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return `the token's algorithm is not accepted; this server verifies ${algorithms.join(' or ')} only`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'the token signature does not verify with the configured key';
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid || error instanceof errors.JOSENotSupported) return 'the token is not a well-formed signed JWT';
  return 'the token could not be verified';
}

/** Reads the claims Switchboard uses; anything malformed is named. */
function readClaims(payload: JWTPayload, limits: Limits): Verified {
  const { sub, name, rooms, jti, exp } = payload as JWTPayload & { name?: unknown; rooms?: unknown };
  if (typeof sub !== 'string' || !HOST_USER_ID.test(sub)) return { ok: false, reason: '"sub" must be 1–64 of A-Z a-z 0-9 _ . @ : -' };
  if (ANONYMOUS_USER_ID.test(sub)) {
    return { ok: false, reason: '"sub" has the shape of an anonymous Switchboard id (22 of A-Z a-z 0-9 _ -); use another form of user id' };
  }
  let displayName: string | null = null;
  if (name !== undefined) {
    const checked = validateName(name, limits.maxNameChars);
    if (!checked.ok) return { ok: false, reason: `"name": ${checked.error}` };
    displayName = checked.name;
  }
  let roomList: string[] = [];
  if (rooms !== undefined) {
    if (!Array.isArray(rooms) || rooms.length > limits.maxTokenRooms) return { ok: false, reason: `"rooms" must be a list of at most ${limits.maxTokenRooms} room names` };
    for (const room of rooms) {
      if (typeof room !== 'string' || !ROOM_PATTERN.test(room)) return { ok: false, reason: `"rooms" entries must be room names (a-z 0-9 _ -) or prefixes ending in *` };
    }
    roomList = [...new Set(rooms as string[])];
  }
  if (jti !== undefined && (typeof jti !== 'string' || jti.length === 0 || jti.length > 128)) return { ok: false, reason: '"jti" must be a string of 1–128 characters' };
  return { ok: true, claims: { sub, name: displayName, rooms: roomList, jti: jti ?? null, expiresAt: exp! * 1000 } };
}

export type HostTokenVerifier = (token: string) => Promise<Verified>;

/**
 * Verifies host tokens with the configured keys (jose, Web Crypto: the same on Node, Deno and
 * Workers). The algorithm is fixed by the key that verifies it: the secret answers HS256 only, the
 * public key its own algorithm only; `alg: none` and any other algorithm are refused. `exp` is
 * required, `nbf` honoured, both with `tokenClockSkewSeconds` of tolerance.
 */
export function hostTokenVerifier(auth: AuthConfig, limits: Limits): HostTokenVerifier | null {
  if (!auth.jwtSecret && !auth.jwtPublicKey) return null;
  const secret: Key | null = auth.jwtSecret ? { alg: 'HS256', key: new TextEncoder().encode(auth.jwtSecret) } : null;
  let publicKey: Promise<Key> | null = null;
  const keys = async (): Promise<Key[]> => {
    const found: Key[] = secret ? [secret] : [];
    if (auth.jwtPublicKey) found.push(await (publicKey ??= importPublicKey(auth.jwtPublicKey)));
    return found;
  };
  return async (token) => {
    if (token.length > limits.maxTokenChars) return { ok: false, reason: `the token is longer than ${limits.maxTokenChars} characters` };
    const available = await keys();
    const algorithms = available.map((k) => k.alg);
    try {
      const { payload } = await jwtVerify(
        token,
        (header: ProtectedHeaderParameters) => {
          const key = available.find((k) => k.alg === header.alg);
          if (!key) throw new errors.JOSEAlgNotAllowed('"alg" (Algorithm) Header Parameter value not allowed');
          return key.key;
        },
        { algorithms, clockTolerance: limits.tokenClockSkewSeconds, requiredClaims: ['exp', 'sub'] },
      );
      return readClaims(payload, limits);
    } catch (error) {
      return { ok: false, reason: reasonFor(error, algorithms) };
    }
  };
}
