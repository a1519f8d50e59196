import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateSignedCookie } from 'hono/cookie';
import WebSocket from 'ws';
import type { NodeServer } from '../../app/platform/node.ts';
import { ThreadedLibsqlStore } from '../../app/store/libsql-thread.ts';
import type { SqlStore } from '../../app/store/sql-store.ts';
import { markAllRead, newUser, SocketClient, wsUrl } from '../helpers/clients.ts';
import { startServer, TEST_SECRET } from '../helpers/server.ts';
import { api } from '../helpers/sse.ts';

/** Attacks from issue 10 (items 8–11 and identity minting), each against a real server on loopback. */

const servers: NodeServer[] = [];
async function server(env: Record<string, string> = {}): Promise<NodeServer> {
  const started = await startServer(env);
  servers.push(started);
  return started;
}
afterAll(() => Promise.all(servers.map((s) => s.shutdown())));

/** A session cookie as the server would sign it, issued `ageSeconds` ago (or without issue time). */
async function signedSid(userId: string, ageSeconds: number | null, name = 'sid'): Promise<string> {
  const value = ageSeconds === null ? userId : `${userId}.${Math.floor(Date.now() / 1000) - ageSeconds}`;
  return (await generateSignedCookie(name, value, TEST_SECRET, { path: '/', secure: name.startsWith('__Host-') })).split(';')[0]!;
}
const userIdOf = async (res: Response) => /data-user-id="([^"]+)"/.exec(await res.text())![1]!;
const ID_A = 'A'.repeat(21) + 'a';
const ID_B = 'B'.repeat(21) + 'b';

/** What nginx in front of the server sends for a browser on https://chat.example. */
const BEHIND_TLS = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'chat.example', 'x-forwarded-for': '203.0.113.7' };

/** Resolves with the HTTP status a WebSocket upgrade was answered with (101 when it opened). */
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

/** Status of an SSE request; the stream is cancelled at once. */
async function streamStatus(url: string, headers: Record<string, string>): Promise<number> {
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  controller.abort();
  return res.status;
}

describe('SPEC 6 behind a TLS-terminating proxy (TRUST_PROXY)', () => {
  it('with TRUST_PROXY=true, the https page may open its stream and socket, and gets a Secure __Host- cookie and HSTS', async () => {
    const s = await server({ TRUST_PROXY: 'true' });
    const user = await newUser(s.url, 'Pat');
    const fromPage = { ...BEHIND_TLS, origin: 'https://chat.example', cookie: user.cookie };
    expect(await streamStatus(`${s.url}/events?topics=rooms`, fromPage)).toBe(200);
    expect(await upgradeStatus(wsUrl(s.url, '/chat/proxied/ws'), fromPage)).toBe(101);
    expect(await streamStatus(`${s.url}/events`, { ...fromPage, origin: 'https://evil.example' })).toBe(403);
    // The scheme the browser used counts: http://chat.example is another origin.
    expect(await streamStatus(`${s.url}/events`, { ...fromPage, origin: 'http://chat.example' })).toBe(403);

    const page = await fetch(`${s.url}/`, { headers: BEHIND_TLS });
    const cookie = page.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^__Host-sid=[A-Za-z0-9_-]{22}\.\d+\.[^;]+; Max-Age=34560000; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    expect(page.headers.get('strict-transport-security')).toBe('max-age=15552000; includeSubDomains');
    // A form post from the https page passes the CSRF check.
    const post = await fetch(`${s.url}/session`, {
      method: 'POST',
      headers: { ...BEHIND_TLS, cookie: cookie.split(';')[0]!, origin: 'https://chat.example', 'hx-request': 'true', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=Pat',
    });
    expect(post.status).toBe(200);
  });

  it('without TRUST_PROXY, forwarded headers are ignored: no Secure cookie, no HSTS, and a forged X-Forwarded-Host does not pass the origin check', async () => {
    const s = await server();
    const user = await newUser(s.url);
    expect(await streamStatus(`${s.url}/events`, { ...BEHIND_TLS, origin: 'https://chat.example', cookie: user.cookie })).toBe(403);
    const page = await fetch(`${s.url}/`, { headers: BEHIND_TLS });
    const cookie = page.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^sid=/);
    expect(cookie).not.toContain('Secure');
    expect(page.headers.get('strict-transport-security')).toBeNull();
  });

  it('never sends HSTS over plain http', async () => {
    const s = await server({ TRUST_PROXY: 'true' });
    for (const path of ['/', '/chat/general', '/notifications', '/nowhere']) {
      expect((await fetch(`${s.url}${path}`)).headers.get('strict-transport-security'), path).toBeNull();
      expect((await fetch(`${s.url}${path}`, { headers: { 'x-forwarded-proto': 'http' } })).headers.get('strict-transport-security'), path).toBeNull();
    }
  });
});

describe('SPEC 3 the session cookie', () => {
  let s: NodeServer;
  beforeAll(async () => {
    s = await server({ TRUST_PROXY: 'true' });
  });

  it('does not let a planted sid with a narrower Path win: the last valid sid (ours, Path=/) is the identity', async () => {
    // Browsers send longer paths first, so a sibling subdomain's `sid; Path=/chat` arrives before ours.
    const planted = await signedSid(ID_A, 60);
    const mine = await signedSid(ID_B, 60);
    const res = await fetch(`${s.url}/chat/general`, { headers: { cookie: `${planted}; ${mine}` } });
    expect(await userIdOf(res)).toBe(ID_B);
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('prefers __Host-sid, which no sibling subdomain and no plain-http page can set', async () => {
    const secure = await signedSid(ID_B, 60, '__Host-sid');
    const planted = await signedSid(ID_A, 60);
    expect(await userIdOf(await fetch(`${s.url}/`, { headers: { ...BEHIND_TLS, cookie: `${planted}; ${secure}` } }))).toBe(ID_B);
    expect(await userIdOf(await fetch(`${s.url}/`, { headers: { ...BEHIND_TLS, cookie: `${secure}; ${planted}` } }))).toBe(ID_B);
  });

  it('moves an existing sid to __Host-sid on https, keeping the identity', async () => {
    const res = await fetch(`${s.url}/`, { headers: { ...BEHIND_TLS, cookie: await signedSid(ID_A, 60) } });
    expect(await userIdOf(res)).toBe(ID_A);
    expect(res.headers.get('set-cookie')).toMatch(new RegExp(`^__Host-sid=${ID_A}\\.\\d+\\.`));
  });

  it('keeps a cookie from before issue times and re-issues it with one', async () => {
    const res = await fetch(`${s.url}/`, { headers: { cookie: await signedSid(ID_A, null) } });
    expect(await userIdOf(res)).toBe(ID_A);
    expect(res.headers.get('set-cookie')).toMatch(new RegExp(`^sid=${ID_A}\\.\\d+\\..*Max-Age=34560000`));
  });

  it('renews a cookie older than a day (rolling 400 days) and refuses one issued more than 400 days ago', async () => {
    const renewed = await fetch(`${s.url}/`, { headers: { cookie: await signedSid(ID_A, 2 * 24 * 3600) } });
    expect(await userIdOf(renewed)).toBe(ID_A);
    expect(renewed.headers.get('set-cookie')).toMatch(new RegExp(`^sid=${ID_A}\\.`));
    const expired = await fetch(`${s.url}/`, { headers: { cookie: await signedSid(ID_A, 401 * 24 * 3600) } });
    expect(await userIdOf(expired)).not.toBe(ID_A);
    expect(expired.headers.get('set-cookie')).not.toContain(ID_A);
  });
});

describe('SPEC 6 new identities per client address (NEW_IDENTITIES_PER_MINUTE)', () => {
  it('by default lets one address mint a burst of 120 identities, then answers 429', async () => {
    const s = await server();
    let minted = 0;
    let refused: Response | undefined;
    // The bucket refills 2 a second, so a slow machine may get a few more than 120 before the first 429.
    for (let i = 0; i < 400 && !refused; i++) {
      const res = await fetch(`${s.url}/`);
      if (res.status === 200) minted++;
      else refused = res;
    }
    expect(minted).toBeGreaterThanOrEqual(120);
    expect(refused?.status).toBe(429);
    expect(refused!.headers.get('set-cookie')).toBeNull();
    expect(refused!.headers.get('retry-after')).toBe('1');
    expect(await refused!.text()).toContain('at most 120 new identities a minute');
  });

  it('answers that 429 to pages, POST /session, sockets and streams that would mint an identity', async () => {
    const s = await server({ NEW_IDENTITIES_PER_MINUTE: '2' });
    expect((await fetch(`${s.url}/`)).status).toBe(200);
    expect((await fetch(`${s.url}/`)).status).toBe(200);
    const page = await fetch(`${s.url}/`);
    expect(page.status).toBe(429);
    expect(page.headers.get('retry-after')).toBe('30');
    const session = await fetch(`${s.url}/session`, { method: 'POST', headers: { origin: s.url, 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=Sam' });
    expect(session.status).toBe(429);
    expect(await upgradeStatus(wsUrl(s.url, '/chat/general/ws'), {})).toBe(429);
    expect(await streamStatus(`${s.url}/events`, {})).toBe(429);
  });

  it('still serves everyone who has a cookie', async () => {
    const s = await server({ NEW_IDENTITIES_PER_MINUTE: '3' });
    const users = [await newUser(s.url, 'One'), await newUser(s.url), await newUser(s.url)];
    expect((await fetch(`${s.url}/`)).status).toBe(429);
    for (const user of users) {
      expect((await fetch(`${s.url}/chat/general`, { headers: { cookie: user.cookie } })).status).toBe(200);
      expect(await upgradeStatus(wsUrl(s.url, '/chat/general/ws'), { cookie: user.cookie, origin: s.url })).toBe(101);
    }
  });

  it('counts per forwarded client with TRUST_PROXY, and a forged X-Forwarded-For buys nothing without it', async () => {
    const trusting = await server({ NEW_IDENTITIES_PER_MINUTE: '2', TRUST_PROXY: 'true' });
    const from = (address: string) => ({ headers: { 'x-forwarded-for': `${address}, 10.0.0.1` } });
    for (const address of ['198.51.100.1', '198.51.100.2']) {
      expect((await fetch(`${trusting.url}/`, from(address))).status).toBe(200);
      expect((await fetch(`${trusting.url}/`, from(address))).status).toBe(200);
      expect((await fetch(`${trusting.url}/`, from(address))).status).toBe(429);
    }
    // One IPv6 client holds a /64: other addresses in it share its bucket.
    expect((await fetch(`${trusting.url}/`, from('2001:db8:1:2::1'))).status).toBe(200);
    expect((await fetch(`${trusting.url}/`, from('2001:db8:1:2:ffff::9'))).status).toBe(200);
    expect((await fetch(`${trusting.url}/`, from('2001:db8:1:2::77'))).status).toBe(429);

    const plain = await server({ NEW_IDENTITIES_PER_MINUTE: '2' });
    let refused = 0;
    for (let i = 0; i < 5; i++) if ((await fetch(`${plain.url}/`, from(`192.0.2.${i}`))).status === 429) refused++;
    expect(refused).toBe(3);
  });

  it('0 turns the limit off', async () => {
    const s = await server({ NEW_IDENTITIES_PER_MINUTE: '0' });
    const statuses = await Promise.all(Array.from({ length: 150 }, () => fetch(`${s.url}/`).then((r) => r.status)));
    expect(statuses.every((status) => status === 200)).toBe(true);
  });
});

describe('SPEC 6 GET never changes state; private pages; redirects', () => {
  let s: NodeServer;
  beforeAll(async () => {
    s = await server();
  });
  const unread = (userId: string) => s.platform.store.unreadCount(userId);

  it('GET /notifications only shows; a cross-site navigation cannot clear the count', async () => {
    const user = await newUser(s.url, 'Vic');
    expect((await api(s.url, '/api/notify', { user: user.userId, text: 'secret <b>text</b>' })).status).toBe(202);
    const page = await fetch(`${s.url}/notifications`, { headers: { cookie: user.cookie, 'sec-fetch-site': 'cross-site' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(await page.text()).toContain('secret &lt;b&gt;text&lt;/b&gt;');
    expect(await unread(user.userId)).toBe(1);
  });

  it('POST /notifications/read works from our own pages only', async () => {
    const user = await newUser(s.url, 'Wes');
    await api(s.url, '/api/notify', { user: user.userId, text: 'one' });
    const post = (headers: Record<string, string>) => fetch(`${s.url}/notifications/read`, { method: 'POST', redirect: 'manual', headers: { cookie: user.cookie, ...headers } });
    expect((await post({ origin: 'https://evil.example' })).status).toBe(403);
    expect((await post({})).status).toBe(403); // no Origin, no Sec-Fetch-Site: not provably ours
    expect((await post({ origin: 'null' })).status).toBe(403);
    expect((await post({ 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect(await unread(user.userId)).toBe(1);
    const plainForm = await post({ origin: s.url, 'content-type': 'application/x-www-form-urlencoded' });
    expect(plainForm.status).toBe(303);
    expect(plainForm.headers.get('location')).toBe('/notifications');
    expect(await unread(user.userId)).toBe(0);
    await api(s.url, '/api/notify', { user: user.userId, text: 'two' });
    expect((await markAllRead(s.url, user.cookie)).status).toBe(204);
    expect(await unread(user.userId)).toBe(0);
  });

  it('marks every page no-store, since each shows the viewer', async () => {
    for (const path of ['/', '/chat/general', '/lobby/arena', '/dashboard', '/notifications', '/nowhere']) {
      expect((await fetch(`${s.url}${path}`)).headers.get('cache-control'), path).toBe('no-store');
    }
  });

  it.each([
    ['//evil.example/phish', '/'],
    ['/\\evil.example/phish', '/'],
    ['/chat/abc?x=1', '/chat/abc?x=1'],
  ])('sends the no-JS POST /session from %s back to %s only', async (path, expected) => {
    const user = await newUser(s.url);
    const res = await fetch(`${s.url}/session`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: user.cookie, origin: s.url, referer: `${s.url}${path}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=Ann',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(expected);
  });

  it('keeps the room redirects on this origin', async () => {
    for (const path of ['/chat/ABC', '/lobby/XY', '/open?room=Abc&kind=chat']) {
      const location = (await fetch(`${s.url}${path}`, { redirect: 'manual' })).headers.get('location')!;
      expect(location, path).toMatch(/^\/(?![/\\])/);
    }
  });
});

describe('SPEC 6 names, metrics and notifications', () => {
  let s: NodeServer;
  beforeAll(async () => {
    s = await server();
  });
  const setName = async (name: string) => {
    const user = await newUser(s.url);
    return fetch(`${s.url}/session`, { method: 'POST', redirect: 'manual', headers: { cookie: user.cookie, origin: s.url, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ name }) });
  };

  it.each([
    ['bob\u202Egnp.exe', 'text-direction controls'],
    ['\u2067alice\u2069', 'text-direction controls'],
    ['adm\u200Fin', 'text-direction controls'],
    ['\u200B\u200B\u200B', 'at least one visible character'],
    ['\u3164', 'at least one visible character'],
    ['\u115F\u1160', 'at least one visible character'],
    ['\uFFA0 \u2800', 'at least one visible character'],
    ['\u0301\u034F\uFE0F', 'at least one visible character'],
    ['line\u2028break', 'control characters'],
    ['tab\there', 'control characters'],
  ])('refuses the name %j, saying why', async (name, why) => {
    const res = await setName(name);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain(why);
  });

  it.each(['Zoë', '李小龍', 'أحمد', '🙂', 'Ｆｕｌｌ', 'Jean\u2011Luc', 'a\u200Db'])('accepts the name %j', async (name) => {
    expect((await setName(name)).status).toBe(303);
  });

  it('refuses metric names that are EventSource or DOM events, and values out of range', async () => {
    for (const name of ['error', 'open', 'message', 'close', 'htmx-load']) {
      const res = await api(s.url, '/api/metrics', { name, value: 1 });
      expect(res.status, name).toBe(400);
      expect((await res.json()).error).toContain('EventSource or DOM event');
    }
    for (const value of [1e308, -1e308, 1e15 + 2]) {
      const res = await api(s.url, '/api/metrics', { name: 'huge', value });
      expect(res.status, String(value)).toBe(400);
      expect((await res.json()).error).toContain('"value" must be between -1000000000000000 and 1000000000000000');
    }
    expect((await api(s.url, '/api/metrics', { metrics: [{ name: 'big', value: 1e15 }, { name: 'big', value: -1e15 }] })).status).toBe(204);
    const board = await (await fetch(`${s.url}/dashboard`)).text();
    expect(board).not.toContain('NaN');
  });

  it('answers 404 for a notification to a user nobody has seen, and keeps nothing', async () => {
    const ghost = 'Z'.repeat(22);
    const res = await api(s.url, '/api/notify', { user: ghost, text: 'into the void' });
    expect(res.status).toBe(404);
    expect((await res.json()).error).toContain('no user "ZZZZ');
    expect(await s.platform.store.unreadCount(ghost)).toBe(0);
    // Someone without a name but with a stream open is reachable.
    const quiet = await newUser(s.url);
    const controller = new AbortController();
    const stream = await fetch(`${s.url}/events`, { headers: { cookie: quiet.cookie }, signal: controller.signal });
    const reader = stream.body!.getReader();
    await reader.read();
    expect((await api(s.url, '/api/notify', { user: quiet.userId, text: 'hello' })).status).toBe(202);
    controller.abort();
  });
});

describe('SPEC 6 storage that cannot write (disk full)', () => {
  afterEach(() => vi.restoreAllMocks());

  /** The error libSQL really raises when the database or disk is full. */
  async function diskFullError(): Promise<unknown> {
    const { createClient } = await import('@libsql/client');
    const db = createClient({ url: ':memory:' });
    await db.execute('CREATE TABLE t (x TEXT)');
    await db.execute('PRAGMA max_page_count = 2');
    try {
      for (let i = 0; i < 100; i++) await db.execute({ sql: 'INSERT INTO t VALUES (?)', args: ['x'.repeat(4000)] });
    } catch (error) {
      return error;
    } finally {
      db.close();
    }
    throw new Error('the database never filled up');
  }

  it('turns a read-only database into 503s and a 503 /healthz, and recovers when it can write again (no mocks)', async () => {
    const s = await server();
    const user = await newUser(s.url, 'Ray');
    // The server's own libSQL connection, on its storage thread: query_only makes SQLite refuse every write.
    const db = { execute: (sql: string) => (s.platform.store as unknown as SqlStore).query(sql) };
    await db.execute('PRAGMA query_only = ON');
    const res = await api(s.url, '/api/notify', { user: user.userId, text: 'nowhere to go' });
    expect(res.status).toBe(503);
    expect((await res.json()).error).toBe('storage cannot write (SQLITE_READONLY: attempt to write a readonly database); nothing was stored, try again later');
    const health = await fetch(`${s.url}/healthz`);
    expect(health.status).toBe(503);
    expect(((await health.json()) as { storage: string }).storage).toContain('SQLITE_READONLY');
    // Pages that only read keep working.
    expect((await fetch(`${s.url}/notifications`, { headers: { cookie: user.cookie } })).status).toBe(200);

    await db.execute('PRAGMA query_only = OFF');
    const deadline = Date.now() + 5000;
    let status = 0;
    while (Date.now() < deadline && (status = (await fetch(`${s.url}/healthz`)).status) !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(status).toBe(200);
    expect((await api(s.url, '/api/notify', { user: user.userId, text: 'stored now' })).status).toBe(202);
  });

  it('answers 503 with a clear error (API, pages, sockets) and /healthz 503 while writes fail, then recovers', async () => {
    const s = await server();
    const user = await newUser(s.url, 'Dee');
    const socket = await SocketClient.connect(wsUrl(s.url, '/chat/full/ws'), { cookie: user.cookie, origin: s.url });
    await socket.waitFor((f) => f.includes('id="presence"'));
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);

    const full = await diskFullError();
    for (const method of ['addMessage', 'addMetric', 'addNotification', 'setUserName', 'markAllRead', 'probeWrite'] as const) {
      vi.spyOn(ThreadedLibsqlStore.prototype, method).mockRejectedValue(full);
    }
    const metric = await api(s.url, '/api/metrics', { name: 'orders', value: 1 });
    expect(metric.status).toBe(503);
    expect((await metric.json()).error).toBe('storage cannot write (SQLITE_FULL: database or disk is full); nothing was stored, try again later');
    expect((await api(s.url, '/api/notify', { user: user.userId, text: 'x' })).status).toBe(503);
    expect((await api(s.url, '/api/rooms/full/messages', { name: 'bot', text: 'x' })).status).toBe(503);
    const health = await fetch(`${s.url}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: 'degraded', storage: 'cannot write: SQLITE_FULL: database or disk is full' });
    const rename = await fetch(`${s.url}/session`, { method: 'POST', headers: { cookie: user.cookie, origin: s.url, 'content-type': 'application/x-www-form-urlencoded' }, body: 'name=Dot' });
    expect(rename.status).toBe(503);
    expect(await rename.text()).toContain('cannot save anything right now');
    socket.sendMessage('will not fit');
    await socket.waitFor((f) => f.includes('its storage is full or read-only'));
    // Still failing after a probe.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await fetch(`${s.url}/healthz`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await fetch(`${s.url}/healthz`)).status).toBe(503);

    vi.restoreAllMocks();
    const deadline = Date.now() + 5000;
    let status = 0;
    while (Date.now() < deadline && (status = (await fetch(`${s.url}/healthz`)).status) !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(status).toBe(200);
    expect((await api(s.url, '/api/metrics', { name: 'orders', value: 2 })).status).toBe(204);
    socket.sendMessage('fits again');
    await socket.waitFor((f) => f.includes('fits again'));
    socket.close();
  });
});
