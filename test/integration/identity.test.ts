import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeServer } from '../../app/platform/node.ts';
import { newUser } from '../helpers/clients.ts';
import { startServer } from '../helpers/server.ts';

let server: NodeServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.shutdown());

const postName = (cookie: string, name: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/session`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, origin: server.url, 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ name }),
  });

describe('SPEC 3 identity', () => {
  it('issues a signed, HttpOnly, SameSite=Lax sid cookie with an unguessable id', async () => {
    const res = await fetch(`${server.url}/`);
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^sid=[A-Za-z0-9_-]{22}\.[^;]+;/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    const html = await res.text();
    const id = /<header data-user-id="([^"]+)"/.exec(html)![1]!;
    expect(Buffer.from(id, 'base64url')).toHaveLength(16);
    expect(html).toContain('<form id="name-form"');
    expect(html).toContain('name="name"');
  });

  it('keeps the identity for a good cookie and ignores a forged one', async () => {
    const user = await newUser(server.url, 'Jo');
    const again = await fetch(`${server.url}/`, { headers: { cookie: user.cookie } });
    expect(again.headers.get('set-cookie')).toBeNull();
    expect(await again.text()).toContain(`data-user-id="${user.userId}"`);

    const [value, signature] = user.cookie.slice('sid='.length).split('.');
    const other = 'A'.repeat(22);
    for (const forged of [`sid=${other}.${signature}`, `sid=${value}.bad`, `sid=${value}`]) {
      const res = await fetch(`${server.url}/`, { headers: { cookie: forged } });
      const html = await res.text();
      expect(res.headers.get('set-cookie'), forged).toMatch(/^sid=/);
      expect(html).not.toContain(`data-user-id="${user.userId}"`);
      expect(html).not.toContain(`data-user-id="${other}"`);
      expect(html).not.toContain('Jo');
    }
  });

  it('sets the display name through POST /session and returns the header fragment to htmx', async () => {
    const user = await newUser(server.url);
    const res = await postName(user.cookie, '  <i>Kim</i>  ', { 'hx-request': 'true' });
    expect(res.status).toBe(200);
    const fragment = await res.text();
    expect(fragment).toMatch(/^<div id="identity">.*<span class="user-name">Signed in as <strong>&lt;i&gt;Kim&lt;\/i&gt;<\/strong><\/span>.*<\/div>$/s);
    expect(fragment).not.toContain('id="name-form"');
    const page = await (await fetch(`${server.url}/chat/x`, { headers: { cookie: user.cookie } })).text();
    expect(page).not.toContain('id="name-form"');
    expect(page).toContain('ws-connect="/chat/x/ws"');
  });

  it('asks pages that need a name to reload once it is set', async () => {
    const user = await newUser(server.url);
    const res = await postName(user.cookie, 'Lee', { 'hx-request': 'true', 'hx-current-url': `${server.url}/chat/general` });
    expect(res.headers.get('hx-refresh')).toBe('true');
  });

  it('redirects a plain form post back to the page it came from', async () => {
    const user = await newUser(server.url);
    const res = await postName(user.cookie, 'Max', { referer: `${server.url}/chat/abc` });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/chat/abc');
  });

  it.each([
    ['', 'Enter a name'],
    ['   ', 'Enter a name'],
    ['x'.repeat(33), 'at most 32 characters'],
    ['bad\u0007bell', 'control characters'],
  ])('refuses the name %j with a clear error', async (name, error) => {
    const user = await newUser(server.url);
    const res = await postName(user.cookie, name, { 'hx-request': 'true' });
    const html = await res.text();
    expect(html).toContain('id="name-form"');
    expect(html).toContain(error);
    const plain = await postName(user.cookie, name);
    expect(plain.status).toBe(400);
  });

  it('accepts exactly 32 characters after trimming', async () => {
    const user = await newUser(server.url);
    const res = await postName(user.cookie, ` ${'n'.repeat(32)} `, { 'hx-request': 'true' });
    expect(await res.text()).toContain(`<strong>${'n'.repeat(32)}</strong>`);
  });

  it('refuses a cross-site form post (CSRF)', async () => {
    const user = await newUser(server.url);
    const res = await postName(user.cookie, 'Mallory', { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('another site');
  });
});

describe('SPEC 6 security headers', () => {
  it('sends a CSP without unsafe-inline or unsafe-eval and the other headers', async () => {
    const res = await fetch(`${server.url}/chat/general`);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBeTruthy();
    const html = await res.text();
    expect(html).not.toMatch(/\sstyle=/);
    expect(html).not.toMatch(/\son[a-z]+=/);
    expect(html).toContain('&quot;allowEval&quot;:false');
  });

  it('shows a 404 page for unknown addresses', async () => {
    const res = await fetch(`${server.url}/nowhere`);
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('There is nothing at this address.');
  });
});
