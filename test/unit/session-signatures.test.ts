import { Hono } from 'hono';
import { generateSignedCookie } from 'hono/cookie';
import { describe, expect, it } from 'vitest';
import { checkedSignatures, MAX_CHECKED_SIGNATURES, readSession } from '../../app/session-cookie.ts';

const SECRET = 'a-test-secret-of-enough-length-1';
const DAY = 24 * 3600;

function app(secret: string, maxAgeSeconds: number) {
  const hono = new Hono();
  hono.get('/', async (c) => c.json(await readSession(c, secret, maxAgeSeconds)));
  return hono;
}
const read = async (cookie: string, secret = SECRET, maxAge = 400 * DAY) =>
  (await (await app(secret, maxAge).request('/', { headers: { cookie } })).json()) as { userId: string } | null;
const sid = async (userId: string, issuedAt = Math.floor(Date.now() / 1000), secret = SECRET) =>
  (await generateSignedCookie('sid', `${userId}.${issuedAt}`, secret, { path: '/' })).split(';')[0]!;
const id = (n: number) => `u${String(n).padStart(21, '0')}`;

describe('SPEC 3 / issue 12: a verified session signature is remembered, safely', () => {
  it('verifies a cookie once, and still refuses a tampered one and the same cookie under another secret', async () => {
    const cookie = await sid(id(1));
    const before = checkedSignatures();
    expect((await read(cookie))?.userId).toBe(id(1));
    expect((await read(cookie))?.userId).toBe(id(1));
    expect(checkedSignatures()).toBe(before + 1);
    const tampered = cookie.slice(0, -4) + (cookie.endsWith('AAA%3D') ? 'BBB%3D' : 'AAA%3D');
    expect(await read(tampered)).toBeNull();
    // A forged value with the signature of a real one.
    expect(await read(cookie.replace(id(1), id(2)))).toBeNull();
    expect(await read(cookie, 'another-secret-of-enough-length-2')).toBeNull();
    expect(checkedSignatures()).toBe(before + 1);
  });

  it('checks the age of a remembered cookie on every request', async () => {
    const old = await sid(id(3), Math.floor(Date.now() / 1000) - 10 * DAY);
    expect((await read(old, SECRET, 400 * DAY))?.userId).toBe(id(3));
    expect(await read(old, SECRET, DAY)).toBeNull();
  });

  it('remembers at most MAX_CHECKED_SIGNATURES, however many valid cookies come', async () => {
    const cookies = await Promise.all(Array.from({ length: MAX_CHECKED_SIGNATURES + 50 }, (_, i) => sid(id(1000 + i))));
    for (const cookie of cookies) await read(cookie);
    expect(checkedSignatures()).toBe(MAX_CHECKED_SIGNATURES);
    // The oldest were forgotten and verify again from scratch.
    expect((await read(cookies[0]!))?.userId).toBe(id(1000));
  });
});
