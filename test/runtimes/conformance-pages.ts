import { describe, expect, it } from 'vitest';
import { newUser } from '../helpers/clients.ts';
import type { SuiteContext } from './context.ts';

/** SPEC §3, §4 pages and §6 headers: what a browser loads before any socket opens. */
export function pagesSuite(ctx: SuiteContext): void {
  describe(`SPEC 3 identity and 4 pages on ${ctx.runtime}`, () => {
    it('issues a signed HttpOnly SameSite=Lax sid cookie and ignores a forged one', async () => {
      const res = await fetch(ctx.url('/'));
      const cookie = res.headers.get('set-cookie')!;
      expect(cookie).toMatch(/^sid=[^;]+;/);
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Lax/i);
      const forged = await fetch(ctx.url('/'), { headers: { cookie: `sid=${ctx.alice.userId}.forged` } });
      expect(forged.headers.get('set-cookie')).toMatch(/^sid=/);
      expect(await forged.text()).not.toContain(`data-user-id="${ctx.alice.userId}"`);
    });

    it('sets the display name with POST /session and refuses a bad one naming the problem', async () => {
      const page = await (await fetch(ctx.url('/'), { headers: { cookie: ctx.alice.cookie } })).text();
      expect(page).toContain(`data-user-id="${ctx.alice.userId}"`);
      expect(page).toContain('Signed in as <strong>Alice</strong>');
      const fresh = await newUser(ctx.server.url);
      const form = await fetch(ctx.url('/chat/general'), { headers: { cookie: fresh.cookie } });
      expect(await form.text()).toContain('id="name-form"');
      const bad = await fetch(ctx.url('/session'), {
        method: 'POST',
        headers: { cookie: fresh.cookie, 'hx-request': 'true', origin: ctx.server.url, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ name: 'x'.repeat(33) }),
      });
      expect(await bad.text()).toContain('at most 32 characters');
    });

    it('renders the home page and the chat markup contract', async () => {
      const home = await (await fetch(ctx.url('/'), { headers: { cookie: ctx.alice.cookie } })).text();
      expect(home).toContain('id="room-list"');
      expect(home).toContain('sse-connect="/events?topics=rooms"');
      const html = await (await fetch(ctx.url('/chat/general'), { headers: { cookie: ctx.alice.cookie } })).text();
      expect(html).toContain('hx-ext="ws" ws-connect="/chat/general/ws"');
      expect(html).toMatch(/<div id="chat-messages" role="log" aria-live="polite"[^>]*>/);
      for (const id of ['presence', 'chat-error', 'connection-status', 'notif-count', 'toast-container']) expect(html).toContain(`id="${id}"`);
      expect(html).toMatch(/<form id="chat-form" ws-send[^>]*>/);
      expect(html).toContain('name="message"');
    });

    it('answers 404 for bad room names and folds upper case', async () => {
      for (const bad of ['no%20spaces', 'a'.repeat(65), 'caf%C3%A9', 'dot.dot']) {
        expect((await fetch(ctx.url(`/chat/${bad}`))).status, bad).toBe(404);
      }
      const folded = await fetch(ctx.url('/chat/General'), { redirect: 'manual' });
      expect(folded.status).toBe(308);
      expect(folded.headers.get('location')).toBe('/chat/general');
      expect(await (await fetch(ctx.url('/healthz'))).json()).toEqual({ status: 'ok' });
    });

    it('serves every script and stylesheet the layout loads', async () => {
      const html = await (await fetch(ctx.url('/'))).text();
      const assets = [...html.matchAll(/<(?:script src|link rel="stylesheet" href)="([^"]+)"/g)].map((m) => m[1]!);
      expect(assets.map((a) => a.split('?')[0])).toEqual(expect.arrayContaining(['/vendor/htmx.min.js', '/vendor/ws.min.js', '/vendor/sse.min.js', '/css/app.css']));
      for (const asset of assets) {
        const res = await fetch(ctx.url(asset));
        expect(res.status, asset).toBe(200);
        expect((await res.text()).length, asset).toBeGreaterThan(100);
      }
    });

    it('serves static files with validators and Cache-Control, compressed when asked (SPEC 4.7)', async () => {
      const first = await fetch(ctx.url('/css/app.css'), { headers: { 'accept-encoding': 'gzip' } });
      expect(first.status).toBe(200);
      const etag = first.headers.get('etag');
      expect(etag).toBeTruthy();
      expect(first.headers.get('cache-control')).toBeTruthy();
      // Workers: the platform's asset server answers before the Worker and compresses at the edge.
      if (ctx.runtime !== 'workerd') expect(first.headers.get('content-encoding')).toBe('gzip');
      await first.arrayBuffer();
      const again = await fetch(ctx.url('/css/app.css'), { headers: { 'if-none-match': etag! } });
      expect(again.status).toBe(304);
      await again.arrayBuffer();
    });

    it('sends the security headers on pages (SPEC 6)', async () => {
      const res = await fetch(ctx.url('/chat/general'));
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBeTruthy();
    });

    it('opens the page SSE stream with a first event that sets retry', async () => {
      const controller = new AbortController();
      const res = await fetch(ctx.url('/events'), { headers: { cookie: ctx.alice.cookie }, signal: controller.signal });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      const reader = res.body!.getReader();
      let text = '';
      while (!/\n\n/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
      expect(text).toMatch(/^retry: \d+$/m);
      controller.abort();
    });
  });
}
