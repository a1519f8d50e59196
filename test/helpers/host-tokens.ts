import { importPKCS8, SignJWT, type JWTPayload } from 'jose';

/** Test-only keys: the HS256 secret and ES256 pair the suites configure (AUTH_JWT_SECRET, AUTH_JWT_PUBLIC_KEY). */
export const HOST_SECRET = 'host-test-secret-0123456789-abcdefghij';
export const HOST_PRIVATE_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgjsmHfI2Lwr1gtYmE
gxI9q4RXEpuIFQG6jQXDfm+gFCyhRANCAASS71hIUzkaPbzy9eufeOBMMH+vPl5o
cxHylKV5kxFwAZJHLfVNPkUdn9wK4Al5/4LuLW51js12XfIw2/g4uItL
-----END PRIVATE KEY-----`;
export const HOST_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEku9YSFM5Gj288vXrn3jgTDB/rz5e
aHMR8pSleZMRcAGSRy31TT5FHZ/cCuAJef+C7i1udY7Ndl3yMNv4OLiLSw==
-----END PUBLIC KEY-----`;
/** The PEM on one line with literal `\n`, as it travels in env files and `wrangler --var`. */
export const HOST_PUBLIC_KEY_ONE_LINE = HOST_PUBLIC_KEY.replace(/\n/g, '\\n');

/** The environment that turns host sign-in on, with `team-*` rooms private. */
export const HOST_AUTH_ENV = { AUTH_JWT_SECRET: HOST_SECRET, AUTH_JWT_PUBLIC_KEY: HOST_PUBLIC_KEY_ONE_LINE, PRIVATE_ROOMS: 'team-*' };

export type Claims = JWTPayload & { name?: unknown; rooms?: unknown };

const now = () => Math.floor(Date.now() / 1000);

/** An HS256 token, valid for ten minutes unless the claims say otherwise. */
export function hs256(claims: Claims, secret = HOST_SECRET): Promise<string> {
  return new SignJWT({ exp: now() + 600, ...claims }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));
}

export async function es256(claims: Claims): Promise<string> {
  const key = await importPKCS8(HOST_PRIVATE_KEY, 'ES256');
  return new SignJWT({ exp: now() + 600, ...claims }).setProtectedHeader({ alg: 'ES256' }).sign(key);
}

/** An unsigned token (`alg: none`), which no server may accept. */
export function unsigned(claims: Claims): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ exp: now() + 600, ...claims })}.`;
}

/** Signs in through `GET /auth` and returns the new cookie, the user id and where it was sent. */
export async function signIn(baseUrl: string, token: string, next = '/'): Promise<{ cookie: string; userId: string; location: string }> {
  const res = await fetch(`${baseUrl}/auth?token=${encodeURIComponent(token)}&next=${encodeURIComponent(next)}`, { redirect: 'manual' });
  if (res.status !== 303) throw new Error(`GET /auth answered ${res.status}: ${await res.text()}`);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const page = await (await fetch(`${baseUrl}/`, { headers: { cookie } })).text();
  return { cookie, userId: /data-user-id="([^"]*)"/.exec(page)![1]!, location: res.headers.get('location')! };
}
