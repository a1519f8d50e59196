import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { generateSignedCookie } from 'hono/cookie';
import WebSocket from 'ws';
import { newUser, wsUrl } from '../helpers/clients.ts';
import { api, RawSse } from '../helpers/sse.ts';
import { TEST_SECRET, tempDir } from '../helpers/server.ts';
import type { RuntimeServer } from './launchers.ts';
import type { SuiteContext } from './context.ts';

/** A session cookie as the server signs it, issued `ageSeconds` ago (null: from before issue times). */
async function signedSid(userId: string, ageSeconds: number | null, name = 'sid'): Promise<string> {
  const value = ageSeconds === null ? userId : `${userId}.${Math.floor(Date.now() / 1000) - ageSeconds}`;
  return (await generateSignedCookie(name, value, TEST_SECRET, { path: '/', secure: name.startsWith('__Host-') })).split(';')[0]!;
}
const userIdOf = async (res: Response) => /data-user-id="([^"]+)"/.exec(await res.text())![1]!;

function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    ws.once('error', reject);
  });
}

async function streamStatus(url: string, headers: Record<string, string>): Promise<number> {
  const stream = new RawSse(url, headers);
  await stream.ready;
  stream.close();
  return stream.status;
}

/** SPEC §3 and §6 as an attacker tries them (issue 10): the same answers on every runtime. */
export function abuseSuite(ctx: SuiteContext): void {
  describe(`SPEC 3 and 6 the session cookie on ${ctx.runtime}`, () => {
    const ID_A = 'A'.repeat(21) + 'a';
    const ID_B = 'B'.repeat(21) + 'b';

    it('lets our sid (Path=/, sent last) win over one planted with a narrower Path, and __Host-sid over both', async () => {
      const planted = await signedSid(ID_A, 60);
      const mine = await signedSid(ID_B, 60);
      expect(await userIdOf(await fetch(ctx.url('/'), { headers: { cookie: `${planted}; ${mine}` } }))).toBe(ID_B);
      const secure = await signedSid(ID_B, 60, '__Host-sid');
      expect(await userIdOf(await fetch(ctx.url('/'), { headers: { cookie: `${planted}; ${secure}` } }))).toBe(ID_B);
    });

    it('keeps a cookie without issue time (re-issued with one) and refuses one issued over 400 days ago', async () => {
      const old = await fetch(ctx.url('/'), { headers: { cookie: await signedSid(ID_A, null) } });
      expect(old.headers.get('set-cookie')).toMatch(new RegExp(`^sid=${ID_A}\\.\\d+\\.`));
      expect(await userIdOf(old)).toBe(ID_A);
      const expired = await fetch(ctx.url('/'), { headers: { cookie: await signedSid(ID_A, 401 * 24 * 3600) } });
      expect(await userIdOf(expired)).not.toBe(ID_A);
    });
  });

  describe(`SPEC 6 GET never changes state, private pages, redirects on ${ctx.runtime}`, () => {
    it('GET /notifications only shows; only a same-origin POST /notifications/read marks read', async () => {
      const user = await newUser(ctx.server.url, 'Uma');
      expect((await api(ctx.server.url, '/api/notify', { user: user.userId, text: 'private' })).status).toBe(202);
      for (let i = 0; i < 2; i++) {
        const page = await fetch(ctx.url('/notifications'), { headers: { cookie: user.cookie } });
        expect(page.headers.get('cache-control')).toBe('no-store');
        expect(page.headers.get('strict-transport-security')).toBeNull();
        const html = await page.text();
        expect(html).toContain('class="notification notification-info unread"');
        expect(html).toContain('hx-post="/notifications/read"');
      }
      const read = (headers: Record<string, string>) => fetch(ctx.url('/notifications/read'), { method: 'POST', redirect: 'manual', headers: { cookie: user.cookie, ...headers } });
      expect((await read({ origin: 'https://evil.example' })).status).toBe(403);
      expect((await read({})).status).toBe(403);
      expect((await read({ origin: ctx.server.url, 'hx-request': 'true' })).status).toBe(204);
      expect(await (await fetch(ctx.url('/notifications'), { headers: { cookie: user.cookie } })).text()).not.toContain(' unread"');
    });

    it('never redirects off the origin', async () => {
      const user = await newUser(ctx.server.url);
      const res = await fetch(ctx.url('/session'), {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: user.cookie, origin: ctx.server.url, referer: `${ctx.server.url}//evil.example/phish`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'name=Ann',
      });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/');
    });
  });

  describe(`SPEC 6 names, metrics and notifications on ${ctx.runtime}`, () => {
    it('refuses bidi, invisible-only and control names, saying why', async () => {
      const user = await newUser(ctx.server.url);
      for (const [name, why] of [['bob\u202Egnp', 'text-direction'], ['\u3164\u200B', 'visible character'], ['a\u0007', 'control characters']]) {
        const res = await fetch(ctx.url('/session'), {
          method: 'POST',
          headers: { cookie: user.cookie, origin: ctx.server.url, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ name: name! }),
        });
        expect(res.status, name).toBe(400);
        expect(await res.text()).toContain(why);
      }
    });

    it('refuses EventSource event names as metrics and values past ±1e15; 404 for a notification to nobody', async () => {
      const named = await api(ctx.server.url, '/api/metrics', { name: 'error', value: 1 });
      expect(named.status).toBe(400);
      expect((await named.json()).error).toContain('EventSource');
      expect((await api(ctx.server.url, '/api/metrics', { name: ctx.fresh(), value: 1e308 })).status).toBe(400);
      expect((await api(ctx.server.url, '/api/notify', { user: 'Q'.repeat(22), text: 'void' })).status).toBe(404);
    });
  });

  describe(`SPEC 6 TRUST_PROXY and NEW_IDENTITIES_PER_MINUTE on ${ctx.runtime}`, () => {
    let proxied: RuntimeServer;
    beforeAll(async () => {
      proxied = await ctx.launcher.start(tempDir(`switchboard-${ctx.runtime}-proxied-`), { TRUST_PROXY: 'true', NEW_IDENTITIES_PER_MINUTE: '2' });
    }, 60_000);
    afterAll(() => proxied?.stop());
    const client = (address: string) => ({ 'x-forwarded-for': address, 'x-forwarded-proto': 'https', 'x-forwarded-host': 'chat.example' });

    it('behind a TLS proxy: a __Host- Secure cookie, HSTS, and the https page may open its stream and socket', async () => {
      const page = await fetch(`${proxied.url}/`, { headers: client('198.51.100.1') });
      expect(page.status).toBe(200);
      const cookie = page.headers.get('set-cookie')!;
      expect(cookie).toMatch(/^__Host-sid=.*; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
      expect(page.headers.get('strict-transport-security')).toContain('includeSubDomains');
      const fromPage = { ...client('198.51.100.1'), cookie: cookie.split(';')[0]!, origin: 'https://chat.example' };
      expect(await streamStatus(`${proxied.url}/events?topics=rooms`, fromPage)).toBe(200);
      expect(await upgradeStatus(wsUrl(proxied.url, `/chat/${ctx.fresh()}/ws`), fromPage)).toBe(101);
      expect(await streamStatus(`${proxied.url}/events`, { ...fromPage, origin: 'http://chat.example' })).toBe(403);
    });

    it('answers 429 to the third new identity a minute from one client address, and only to that address', async () => {
      const from = client('198.51.100.9');
      expect((await fetch(`${proxied.url}/`, { headers: from })).status).toBe(200);
      expect((await fetch(`${proxied.url}/`, { headers: from })).status).toBe(200);
      const refused = await fetch(`${proxied.url}/`, { headers: from });
      expect(refused.status).toBe(429);
      expect(await refused.text()).toContain('at most 2 new identities a minute');
      expect(await upgradeStatus(wsUrl(proxied.url, '/chat/general/ws'), { ...from, origin: 'https://chat.example' })).toBe(429);
      expect((await fetch(`${proxied.url}/`, { headers: client('198.51.100.10') })).status).toBe(200);
    });
  });
}
