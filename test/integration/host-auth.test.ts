import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import type { NodeServer } from '../../app/platform/node.ts';
import { readConfig } from '../../app/config.ts';
import { MemoryUsedTokens } from '../../app/auth/used-tokens.ts';
import { hostTokenVerifier } from '../../app/auth/host-token.ts';
import { sameOriginPath } from '../../app/routes/auth.tsx';
import { SocketClient, wsUrl } from '../helpers/clients.ts';
import { startServer } from '../helpers/server.ts';
import { RawSse } from '../helpers/sse.ts';
import { es256, hs256, HOST_AUTH_ENV, HOST_PUBLIC_KEY, HOST_SECRET, signIn } from '../helpers/host-tokens.ts';

const LOGIN = 'https://app.example.com/login';

describe('SPEC 9 AUTH_REQUIRED', () => {
  let server: NodeServer;
  beforeAll(async () => {
    server = await startServer({ ...HOST_AUTH_ENV, AUTH_REQUIRED: 'true', AUTH_LOGIN_URL: LOGIN });
  });
  afterAll(() => server.shutdown());

  it('sends a page request without a host session to the login with next, and mints no anonymous identity', async () => {
    const res = await fetch(`${server.url}/chat/general?x=1`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`${LOGIN}?next=${encodeURIComponent('/chat/general?x=1')}`);
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('refuses sockets, streams and forms without a host session with 401 before upgrading', async () => {
    const anonymous = await fetch(`${server.url}/events`);
    expect(anonymous.status).toBe(401);
    await expect(SocketClient.connect(wsUrl(server.url, '/chat/general/ws'))).rejects.toThrow('401');
    const form = await fetch(`${server.url}/session`, { method: 'POST', headers: { origin: server.url, 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=Eve' });
    expect(form.status).toBe(401);
  });

  it('refuses an anonymous cookie from before AUTH_REQUIRED was turned on', async () => {
    const open = await startServer();
    const cookie = (await fetch(`${open.url}/`)).headers.get('set-cookie')!.split(';')[0]!;
    await open.shutdown();
    const res = await fetch(`${server.url}/`, { headers: { cookie }, redirect: 'manual' });
    expect(res.status).toBe(302);
  });

  it('lets a host-token session in everywhere', async () => {
    const { cookie, userId } = await signIn(server.url, await hs256({ sub: 'user-42', name: 'Ada' }), '/chat/general');
    expect(userId).toBe('user-42');
    expect((await fetch(`${server.url}/chat/general`, { headers: { cookie } })).status).toBe(200);
    const stream = await RawSse.open(`${server.url}/events`, { cookie });
    expect(stream.status).toBe(200);
    stream.close();
    const client = await SocketClient.connect(wsUrl(server.url, '/chat/general/ws'), { cookie });
    await client.waitForText('id="chat-messages"');
    client.close();
  });

  it('shows a 401 page when AUTH_LOGIN_URL is unset', async () => {
    const closed = await startServer({ ...HOST_AUTH_ENV, AUTH_REQUIRED: 'true' });
    const res = await fetch(`${closed.url}/`, { redirect: 'manual' });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('signed in through its application');
    await closed.shutdown();
  });
});

describe('SPEC 9 algorithm fixed by the key', () => {
  it('refuses an HS256 token when only a public key is configured (key confusion), and accepts ES256', async () => {
    const server = await startServer({ AUTH_JWT_PUBLIC_KEY: HOST_PUBLIC_KEY });
    const confused = await hs256({ sub: 'mallory' }, HOST_PUBLIC_KEY);
    const res = await fetch(`${server.url}/auth?token=${confused}`, { redirect: 'manual' });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('algorithm is not accepted; this server verifies ES256 only');
    expect((await signIn(server.url, await es256({ sub: 'grace' }))).userId).toBe('grace');
    await server.shutdown();
  });

  it('verifies RS256 with an RSA public key and refuses ES256 against it', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
    const config = readConfig({ AUTH_JWT_PUBLIC_KEY: await exportSPKI(publicKey) });
    const verify = hostTokenVerifier(config.auth, config.limits)!;
    const exp = Math.floor(Date.now() / 1000) + 60;
    const good = await new SignJWT({ sub: 'rsa-user', exp }).setProtectedHeader({ alg: 'RS256' }).sign(privateKey);
    expect(await verify(good)).toMatchObject({ ok: true, claims: { sub: 'rsa-user' } });
    expect(await verify(await es256({ sub: 'x' }))).toMatchObject({ ok: false, reason: expect.stringContaining('RS256 only') });
    expect(await verify(await hs256({ sub: 'x' }))).toMatchObject({ ok: false, reason: expect.stringContaining('RS256 only') });
  });

  it('allows the documented clock skew on exp and nbf, and no more', async () => {
    const config = readConfig({ AUTH_JWT_SECRET: HOST_SECRET });
    const verify = hostTokenVerifier(config.auth, config.limits)!;
    const now = Math.floor(Date.now() / 1000);
    const skew = config.limits.tokenClockSkewSeconds;
    expect((await verify(await hs256({ sub: 'a', exp: now - skew + 5 }))).ok).toBe(true);
    expect((await verify(await hs256({ sub: 'a', exp: now - skew - 5 }))).ok).toBe(false);
    expect((await verify(await hs256({ sub: 'a', nbf: now + skew - 5 }))).ok).toBe(true);
    expect((await verify(await hs256({ sub: 'a', nbf: now + skew + 5 }))).ok).toBe(false);
  });

  it('refuses bad configuration with one line naming the variable', () => {
    expect(() => readConfig({ AUTH_JWT_SECRET: 'short' })).toThrow('AUTH_JWT_SECRET');
    expect(() => readConfig({ AUTH_JWT_PUBLIC_KEY: 'not a pem' })).toThrow('AUTH_JWT_PUBLIC_KEY');
    expect(() => readConfig({ AUTH_REQUIRED: 'true' })).toThrow('AUTH_REQUIRED');
    expect(() => readConfig({ PRIVATE_ROOMS: 'Team A' })).toThrow('PRIVATE_ROOMS');
    expect(() => readConfig({ AUTH_LOGIN_URL: 'javascript:alert(1)' })).toThrow('AUTH_LOGIN_URL');
  });
});

describe('SPEC 9 bounds and redirects', () => {
  it('remembers used token ids until they expire, within a bound', async () => {
    let now = 1000;
    const used = new MemoryUsedTokens(3, () => now);
    expect(await used.claim('a', 2000)).toBe(true);
    expect(await used.claim('a', 2000)).toBe(false);
    expect(await used.claim('b', 5000)).toBe(true);
    expect(await used.claim('c', 5000)).toBe(true);
    // Full of live ids: a new one is refused rather than an unexpired one forgotten.
    expect(await used.claim('d', 5000)).toBe(false);
    now = 3000;
    // 'a' expired: swept, and it may not be replayed as fresh before that.
    expect(await used.claim('d', 5000)).toBe(true);
    expect(used.size).toBe(3);
    expect(await used.claim('b', 5000)).toBe(false);
  });

  it('keeps next on this origin', () => {
    const base = 'http://127.0.0.1:3000/auth?token=x';
    expect(sameOriginPath('/chat/a?b=1#c', base)).toBe('/chat/a?b=1#c');
    for (const next of [undefined, '', 'https://evil.example', '//evil.example', '/\\evil.example', '\\\\evil', 'http:/evil.example', 'x']) {
      expect(sameOriginPath(next, base), String(next)).toBe('/');
    }
  });
});

describe('SPEC 9 private rooms in dashboard counts', () => {
  let server: NodeServer;
  beforeAll(async () => {
    server = await startServer(HOST_AUTH_ENV, { dashboardRefreshMs: 20 });
  });
  afterAll(() => server.shutdown());

  it('counts only public rooms in rooms-active', async () => {
    const member = await signIn(server.url, await hs256({ sub: 'counted', name: 'Cy', rooms: ['team-*'] }));
    const secret = await SocketClient.connect(wsUrl(server.url, '/chat/team-hidden/ws'), { cookie: member.cookie });
    await secret.waitForText('id="chat-messages"');
    const open = await SocketClient.connect(wsUrl(server.url, '/chat/public-one/ws'), { cookie: member.cookie });
    await open.waitForText('id="chat-messages"');
    const stream = await RawSse.open(`${server.url}/events?topics=dashboard`, { cookie: member.cookie });
    const roomsActive = () => /class="metric">([^<]+)</.exec(stream.events.filter((e) => e.event === 'rooms-active').at(-1)?.data ?? '')?.[1];
    await stream.waitFor(() => roomsActive() === '1', 10_000);
    open.close();
    await stream.waitFor(() => roomsActive() === '0', 10_000);
    stream.close();
    secret.close();
  });
});
