import { describe, expect, it } from 'vitest';
import { newUser, SocketClient, wsUrl } from '../helpers/clients.ts';
import { api, RawSse } from '../helpers/sse.ts';
import type { SuiteContext, User } from './context.ts';

/** What htmx 4's hx-ws sends for a form: its values at top level plus "headers" (htmx 2: "HEADERS"). */
const htmx4 = (values: Record<string, unknown>) => ({ ...values, headers: { 'HX-Request': 'true', 'HX-Source': 'form#chat-form' } });

/**
 * SPEC §8 on one runtime: the server runs with HTMX_VERSION unset (2), and every socket and stream
 * serves htmx 4 clients too, told apart per connection.
 */
export function htmx4Suite(ctx: SuiteContext): void {
  const open = (path: string, user: User, headers: Record<string, string> = {}) => RawSse.open(ctx.url(path), { cookie: user.cookie, ...headers });
  const unnamed = (raw: RawSse) => raw.events.filter((e) => e.event === 'message');

  describe(`SPEC 8 both htmx majors over WebSocket on ${ctx.runtime}`, () => {
    it('lets an htmx 2 socket and an htmx 4 socket in one room chat with each other', async () => {
      const room = ctx.fresh();
      const two = await ctx.join(room, ctx.alice);
      const four = await SocketClient.connect(wsUrl(ctx.server.url, `/chat/${room}/ws?htmx=4`), { cookie: ctx.bob.cookie });
      await four.waitForText('id="chat-messages" hx-swap-oob="innerHTML"', 10_000);
      four.send(htmx4({ message: 'hi from <htmx 4>' }));
      for (const client of [two, four]) {
        expect(await client.waitForText('hi from', 10_000)).toMatch(/^<div id="chat-messages" hx-swap-oob="beforeend"><div class="message" id="msg-\d+"[^>]*><strong>Bob:<\/strong> hi from &lt;htmx 4&gt; /);
      }
      const from = four.frames.length;
      two.sendMessage('hi from htmx 2');
      await four.waitForText('<strong>Alice:</strong> hi from htmx 2 ', 10_000, from);
      two.close();
      four.close();
    });

    it('takes lobby actions in htmx 4 format from an unmarked socket', async () => {
      const lobby = ctx.fresh();
      const socket = await SocketClient.connect(wsUrl(ctx.server.url, `/lobby/${lobby}/ws`), { cookie: ctx.alice.cookie });
      await socket.waitForText('id="player-list"', 10_000);
      socket.send(htmx4({ action: 'ready' }));
      await socket.waitForText('Alice (Ready)', 10_000);
      socket.send({ message: 'x', headers: {}, HEADERS: {} });
      await socket.waitForText('not both', 10_000);
      socket.close();
    });
  });

  describe(`SPEC 4.3.1 and 8 a match between htmx majors on ${ctx.runtime}`, () => {
    it('sends each socket the arena with its own major\'s press form, and counts an htmx 4 press', async () => {
      const lobby = ctx.fresh();
      const two = await SocketClient.connect(wsUrl(ctx.server.url, `/lobby/${lobby}/ws`), { cookie: ctx.alice.cookie });
      await two.waitForText('Alice has joined the lobby.', 10_000);
      const four = await SocketClient.connect(wsUrl(ctx.server.url, `/lobby/${lobby}/ws?htmx=4`), { cookie: ctx.bob.cookie });
      await two.waitForText('Bob has joined the lobby.', 10_000);
      two.send({ action: 'ready', HEADERS: { 'HX-Request': 'true' } });
      await four.waitForText('Alice is ready.', 10_000);
      four.send(htmx4({ action: 'ready' }));
      expect(await two.waitForText('Get ready…', 10_000)).toContain('<form id="press-form" class="press-form" ws-send');
      expect(await four.waitForText('Get ready…', 10_000)).toContain('<form id="press-form" class="press-form" hx-ws:send');
      const go = await four.waitForText('<p class="arena-signal">GO!</p>', 15_000);
      expect(go).toContain('<form id="press-form" class="press-form" hx-ws:send');
      expect(await two.waitForText('<p class="arena-signal">GO!</p>', 10_000)).toContain('<form id="press-form" class="press-form" ws-send');
      four.send(htmx4({ action: 'press' }));
      await four.waitForText('First!', 10_000);
      two.send({ action: 'press', HEADERS: { 'HX-Request': 'true' } });
      const result = await two.waitForText('<strong>Round 1:</strong>', 10_000);
      expect(result).toMatch(/Bob wins round 1 \(\+1\)\. Alice: \d+ ms, Bob: \d+ ms\./);
      expect(result).toContain('<form id="press-form" class="press-form" ws-send');
      expect(await four.waitForText('<strong>Round 1:</strong>', 10_000)).toContain('<form id="press-form" class="press-form" hx-ws:send');
      expect(two.frames.join()).not.toContain('hx-ws:send');
      expect(four.frames.join()).not.toContain(' ws-send');
      two.close();
      four.close();
    }, 60_000);
  });

  describe(`SPEC 8 both htmx majors over SSE on ${ctx.runtime}`, () => {
    it('sends htmx 4 the same topics and ids as unnamed events carrying out-of-band swaps', async () => {
      const raw = await open('/events?topics=rooms,dashboard&htmx=4', ctx.alice);
      expect(raw.status).toBe(200);
      // Waits for the parsed event, not its text: a chunk may end inside it (workerd's pipe, wrangler's proxy).
      await raw.waitFor((r) => r.events.some((e) => e.data.includes('id="notif-count"')), 10_000);
      expect(raw.events.every((e) => e.event === 'message')).toBe(true);
      expect(raw.events[0]!.retry).toMatch(/^\d+$/);
      expect(raw.events.every((e) => e.id && /^(rooms|dashboard|user):\d+(,(rooms|dashboard|user):\d+)*$/.test(e.id))).toBe(true);
      const datas = raw.events.map((e) => e.data);
      for (const target of ['room-list', 'metric-cards', 'active-users', 'notif-count']) {
        expect(datas.some((d) => d.startsWith(`<div id="${target}" hx-swap-oob="innerHTML">`)), target).toBe(true);
      }
      expect(datas.join('')).not.toContain('sse-swap');
      raw.close();
    });

    it('tells an unmarked htmx 4 stream by the HX-Request header its fetch sends', async () => {
      const raw = await open('/events', ctx.alice, { 'hx-request': 'true', accept: 'text/html, text/event-stream' });
      const first = await raw.waitForEvent(() => true, 10_000);
      expect([first.event, first.data]).toEqual(['message', expect.stringMatching(/^<div id="notif-count" hx-swap-oob="innerHTML"><span>\d+<\/span><\/div>$/)]);
      raw.close();
    });

    it('sends toasts to that user only and replays exactly the missed ones after Last-Event-ID', async () => {
      const carol = await newUser(ctx.server.url, 'Carol');
      const name = `four-${ctx.fresh()}`;
      const mine = await open('/events?topics=dashboard&htmx=4', carol);
      const other = await open('/events?htmx=4', ctx.bob);
      await mine.waitFor((r) => r.events.some((e) => e.data.includes('notif-count')), 10_000);
      expect((await api(ctx.server.url, '/api/notify', { user: carol.userId, text: 'first <b>' })).status).toBe(202);
      const toast = await mine.waitForEvent((e) => e.data.includes('first'), 10_000);
      expect(toast.data).toMatch(/^<div id="toast-container" hx-swap-oob="afterbegin"><div class="toast toast-info" role="alert" id="toast-\d+">first &lt;b&gt;<\/div><\/div>$/);
      // The unread count itself: sparkline scales on the dashboard topic carry `<span>N</span>` too.
      await mine.waitFor((r) => r.events.some((e) => e.data.includes('<div id="notif-count" hx-swap-oob="innerHTML"><span>1</span>')), 10_000);
      const lastId = mine.lastId;
      mine.close();
      await api(ctx.server.url, '/api/metrics', { name, value: 5 });
      await api(ctx.server.url, '/api/notify', { user: carol.userId, text: 'second' });
      // hx-sse resumes (a reconnect, or a hidden tab shown again) with the Last-Event-ID header.
      const back = await open('/events?topics=dashboard&htmx=4', carol, { 'last-event-id': lastId });
      await back.waitFor((r) => r.events.some((e) => e.data.includes('<div id="notif-count" hx-swap-oob="innerHTML"><span>2</span>')) && r.events.some((e) => e.data.includes('>second</div>')), 10_000);
      const datas = unnamed(back).map((e) => e.data);
      expect(datas.filter((d) => d.includes('toast-container'))).toEqual([expect.stringContaining('>second</div>')]);
      expect(datas.some((d) => d.startsWith(`<div id="${name}" hx-swap-oob="innerHTML"><span class="metric">5</span>`))).toBe(true);
      expect(other.text).not.toContain('first');
      back.close();
      other.close();
    });
  });

  describe(`SPEC 8 htmx 4 assets on ${ctx.runtime}`, () => {
    it('serves the vendored htmx 4 and its hx-ws / hx-sse extensions', async () => {
      for (const asset of ['/vendor/htmx4/htmx.min.js', '/vendor/htmx4/ext/hx-ws.min.js', '/vendor/htmx4/ext/hx-sse.min.js', '/js/htmx4-bridge.js']) {
        const res = await fetch(ctx.url(asset));
        expect(res.status, asset).toBe(200);
        expect(res.headers.get('content-type'), asset).toContain('javascript');
        expect((await res.text()).length, asset).toBeGreaterThan(100);
      }
      expect(await (await fetch(ctx.url('/vendor/htmx4/htmx.min.js'))).text()).toContain('4.0.1');
    });
  });
}
