import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserUser, statusIs } from '../helpers/browser.ts';
import { newUser, SocketClient, sleep, wsUrl } from '../helpers/clients.ts';
import { tempDir } from '../helpers/server.ts';
import { api, RawSse } from '../helpers/sse.ts';
import { eventsSuite } from './conformance-events.ts';
import type { Launcher, RuntimeServer } from './launchers.ts';

type User = { cookie: string; userId: string };

/**
 * SPEC §7: one conformance suite, run unchanged against every runtime's real entry point.
 * Each runtime's test file calls this with its launcher; nothing here knows which runtime it is
 * talking to except the launcher's declared `onStop` behaviour.
 */
export function conformanceSuite(launcher: Launcher): void {
  const dataDir = tempDir(`switchboard-${launcher.runtime}-`);
  let server: RuntimeServer;
  /** Console output of the servers stopped so far (the restart test replaces the first one). */
  const earlierOutput: string[] = [];
  let alice: User;
  let bob: User;
  let roomCounter = 0;
  const freshRoom = () => `${launcher.runtime}-${process.pid}-${++roomCounter}`;
  const url = (path: string) => server.url + path;
  const join = async (room: string, user: User) => {
    const client = await SocketClient.connect(wsUrl(server.url, `/chat/${room}/ws`), { cookie: user.cookie });
    await client.waitForText('id="chat-messages" hx-swap-oob="innerHTML"');
    return client;
  };
  const say = async (client: SocketClient, text: string) => {
    const from = client.frames.length;
    client.sendMessage(text);
    return client.waitForText(`</strong> ${text} `, 10_000, from);
  };

  beforeAll(async () => {
    server = await launcher.start(dataDir, {});
    alice = await newUser(server.url, 'Alice');
    bob = await newUser(server.url, 'Bob');
  });
  afterAll(async () => {
    await server?.stop();
  });

  describe(`SPEC 3 identity and 4 pages on ${launcher.runtime}`, () => {
    it('issues a signed HttpOnly SameSite=Lax sid cookie and ignores a forged one', async () => {
      const res = await fetch(url('/'));
      const cookie = res.headers.get('set-cookie')!;
      expect(cookie).toMatch(/^sid=[^;]+;/);
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Lax/i);
      const forged = await fetch(url('/'), { headers: { cookie: `sid=${alice.userId}.forged` } });
      expect(forged.headers.get('set-cookie')).toMatch(/^sid=/);
      expect(await forged.text()).not.toContain(`data-user-id="${alice.userId}"`);
    });

    it('sets the display name with POST /session and refuses a bad one naming the problem', async () => {
      const page = await (await fetch(url('/'), { headers: { cookie: alice.cookie } })).text();
      expect(page).toContain(`data-user-id="${alice.userId}"`);
      expect(page).toContain('Signed in as <strong>Alice</strong>');
      const fresh = await newUser(server.url);
      const form = await fetch(url('/chat/general'), { headers: { cookie: fresh.cookie } });
      expect(await form.text()).toContain('id="name-form"');
      const bad = await fetch(url('/session'), {
        method: 'POST',
        headers: { cookie: fresh.cookie, 'hx-request': 'true', origin: server.url, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ name: 'x'.repeat(33) }),
      });
      expect(await bad.text()).toContain('at most 32 characters');
    });

    it('renders the home page and the chat markup contract', async () => {
      const home = await (await fetch(url('/'), { headers: { cookie: alice.cookie } })).text();
      expect(home).toContain('id="room-list"');
      expect(home).toContain('sse-connect="/events?topics=rooms"');
      const html = await (await fetch(url('/chat/general'), { headers: { cookie: alice.cookie } })).text();
      expect(html).toContain('hx-ext="ws" ws-connect="/chat/general/ws"');
      expect(html).toMatch(/<div id="chat-messages" role="log" aria-live="polite">/);
      for (const id of ['presence', 'chat-error', 'connection-status', 'notif-count', 'toast-container']) expect(html).toContain(`id="${id}"`);
      expect(html).toMatch(/<form id="chat-form" ws-send[^>]*>/);
      expect(html).toContain('name="message"');
    });

    it('answers 404 for bad room names and folds upper case', async () => {
      for (const bad of ['no%20spaces', 'a'.repeat(65), 'caf%C3%A9', 'dot.dot']) {
        expect((await fetch(url(`/chat/${bad}`))).status, bad).toBe(404);
      }
      const folded = await fetch(url('/chat/General'), { redirect: 'manual' });
      expect(folded.status).toBe(308);
      expect(folded.headers.get('location')).toBe('/chat/general');
      expect(await (await fetch(url('/healthz'))).json()).toEqual({ status: 'ok' });
    });

    it('serves every script and stylesheet the layout loads', async () => {
      const html = await (await fetch(url('/'))).text();
      const assets = [...html.matchAll(/<(?:script src|link rel="stylesheet" href)="([^"]+)"/g)].map((m) => m[1]!);
      expect(assets).toEqual(expect.arrayContaining(['/vendor/htmx.min.js', '/vendor/ws.min.js', '/vendor/sse.min.js', '/css/app.css']));
      for (const asset of assets) {
        const res = await fetch(url(asset));
        expect(res.status, asset).toBe(200);
        expect((await res.text()).length, asset).toBeGreaterThan(100);
      }
    });

    it('sends the security headers on pages (SPEC 6)', async () => {
      const res = await fetch(url('/chat/general'));
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBeTruthy();
    });

    it('opens the page SSE stream with a first event that sets retry', async () => {
      const controller = new AbortController();
      const res = await fetch(url('/events'), { headers: { cookie: alice.cookie }, signal: controller.signal });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      const reader = res.body!.getReader();
      let text = '';
      while (!/\n\n/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
      expect(text).toMatch(/^retry: \d+$/m);
      controller.abort();
    });
  });

  describe(`SPEC 4.2 chat on ${launcher.runtime}`, () => {
    it('sends the snapshot first, then one escaped fragment per message to every socket', async () => {
      const room = freshRoom();
      const a = await join(room, alice);
      const b = await join(room, bob);
      expect(a.frames[0]).toContain('<div id="presence" hx-swap-oob="innerHTML">');
      await a.waitForText('Online (2)');
      const fromB = b.frames.length;
      a.sendMessage('  hello <b>there</b> & "you"  ');
      const seen = await b.waitForText('hello', 10_000, fromB);
      expect(seen).toMatch(
        /^<div id="chat-messages" hx-swap-oob="beforeend"><div class="message" id="msg-(\d+)"><strong>Alice:<\/strong> hello &lt;b&gt;there&lt;\/b&gt; &amp; &quot;you&quot; <time datetime="[^"]+">/,
      );
      a.close();
      b.close();
    });

    it('lists a room with its online count on the home page while someone is in it', async () => {
      const room = freshRoom();
      const a = await join(room, alice);
      const b = await join(room, bob);
      await a.waitForText('Online (2)');
      const home = await (await fetch(url('/'))).text();
      expect(home).toMatch(new RegExp(`<li class="room room-chat" id="chat-${room}"><a href="/chat/${room}">#${room}</a> <span class="online">2 online</span></li>`));
      a.close();
      b.close();
    });

    it('trims to HISTORY_LIMIT: deletes the message that falls out and snapshots only the last ones', async () => {
      const room = freshRoom();
      const a = await join(room, alice);
      const ids: string[] = [];
      for (const text of ['one', 'two', 'three']) ids.push(/id="msg-(\d+)"/.exec(await say(a, text))![1]!);
      expect(await say(a, 'four')).toContain(`<div id="msg-${ids[0]}" hx-swap-oob="delete"></div>`);
      a.close();
      const again = await join(room, bob);
      const snapshot = again.frames[0]!;
      expect(snapshot).not.toContain('</strong> one ');
      for (const text of ['two', 'three', 'four']) expect(snapshot).toContain(`</strong> ${text} `);
      const older = await (await fetch(url(`/chat/${room}/history?before=${ids[1]}`))).text();
      expect(older).toContain('</strong> one ');
      again.close();
    });
  });

  describe(`SPEC 4.3 lobby on ${launcher.runtime}`, () => {
    const enter = async (lobby: string, user: User) => {
      const client = await SocketClient.connect(wsUrl(server.url, `/lobby/${lobby}/ws`), { cookie: user.cookie });
      await client.waitForText('<div id="chat-log" hx-swap-oob="innerHTML">');
      return client;
    };
    const ready = (client: SocketClient) => client.send({ action: 'ready', HEADERS: { 'HX-Request': 'true' } });
    const update = (list: string[], status: string, line: string) =>
      new RegExp(
        `^<div id="player-list" hx-swap-oob="innerHTML">${list.map((p) => `<div class="player">${p.replace(/[()]/g, '\\$&')}</div>`).join('')}</div>` +
          `<div id="game-status" hx-swap-oob="innerHTML">${status}</div>` +
          `<div id="chat-log" hx-swap-oob="beforeend"><div class="log-line" id="log-\\d+"><p><em>${line}</em></p></div></div>(<div id="log-\\d+" hx-swap-oob="delete"></div>)?$`,
      );

    it('renders the lobby markup contract', async () => {
      const html = await (await fetch(url('/lobby/arena'), { headers: { cookie: alice.cookie } })).text();
      expect(html).toContain('hx-ext="ws" ws-connect="/lobby/arena/ws"');
      for (const id of ['player-list', 'game-status', 'chat-log']) expect(html).toContain(`id="${id}"`);
      expect(html).toMatch(/<form id="ready-form" ws-send[^>]*><button type="submit" name="action" value="ready">/);
      expect((await fetch(url('/lobby/dot.dot'))).status).toBe(404);
    });

    it('sends the three regions in one message on join, ready and leave, and starts when all are ready', async () => {
      const lobby = freshRoom();
      const a = await enter(lobby, alice);
      await a.waitForText('Alice has joined the lobby.');
      const b = await enter(lobby, bob);
      const joined = await a.waitForText('Bob has joined the lobby.');
      expect(joined).toMatch(update(['Alice (Not Ready)', 'Bob (Not Ready)'], '2 players connected — waiting for all to be ready', 'Bob has joined the lobby.'));
      ready(a);
      await b.waitForText('Alice is ready.');
      const from = a.frames.length;
      ready(b);
      expect(await a.waitForText('Bob is ready.', 10_000, from)).toMatch(
        update(['Alice (Ready)', 'Bob (Ready)'], 'All 2 players ready — starting!', 'Bob is ready.'),
      );
      const page = await (await fetch(url(`/lobby/${lobby}`), { headers: { cookie: alice.cookie } })).text();
      expect(page).toContain('<div class="player">Bob (Ready)</div>');
      b.close();
      expect(await a.waitForText('Bob has left the lobby.', 10_000)).toMatch(
        update(['Alice (Ready)'], '1 player connected — waiting for more players', 'Bob has left the lobby.'),
      );
      a.close();
    });

    it('refuses a 9th player with a "lobby is full" fragment and close code 1008', async () => {
      const lobby = freshRoom();
      const users = await Promise.all(Array.from({ length: 9 }, (_, i) => newUser(server.url, `P${i + 1}`)));
      const clients: SocketClient[] = [];
      for (const user of users.slice(0, 8)) clients.push(await enter(lobby, user));
      const ninth = await SocketClient.connect(wsUrl(server.url, `/lobby/${lobby}/ws`), { cookie: users[8]!.cookie });
      expect(await ninth.closed).toBe(1008);
      expect(ninth.frames[0]).toMatch(/^<div id="chat-error" hx-swap-oob="innerHTML"><p class="error">This lobby is full/);
      for (const client of clients) client.close();
    });
  });

  eventsSuite({ runtime: launcher.runtime, url: () => server.url, users: () => ({ alice, bob }), fresh: freshRoom });

  describe(`SPEC 7 idle rooms on ${launcher.runtime}`, () => {
    // workerd hibernates a Durable Object after ~10 s without events; its sockets must survive the wake-up.
    it('keeps chat, presence and lobby state after 11 s of silence', async () => {
      const room = freshRoom();
      const a = await join(room, alice);
      const b = await join(room, bob);
      await a.waitForText('Online (2)');
      const lobby = freshRoom();
      const la = await SocketClient.connect(wsUrl(server.url, `/lobby/${lobby}/ws`), { cookie: alice.cookie });
      const lb = await SocketClient.connect(wsUrl(server.url, `/lobby/${lobby}/ws`), { cookie: bob.cookie });
      await la.waitForText('Bob has joined the lobby.');
      await sleep(11_500);
      lb.send({ action: 'ready', HEADERS: {} });
      expect(await la.waitForText('Bob is ready.', 10_000)).toContain('<div class="player">Bob (Ready)</div>');
      la.close();
      lb.close();
      const fromB = b.frames.length;
      await say(a, 'after the silence');
      await b.waitForText('</strong> after the silence ', 10_000, fromB);
      const fromA = a.frames.length;
      b.close();
      const presence = await a.waitForText('Online (1)', 10_000, fromA);
      expect(presence).toContain('Alice');
      expect(presence).not.toContain('Bob');
      a.close();
    }, 40_000);
  });

  describe(`SPEC 6 limits and bad input on ${launcher.runtime}`, () => {
    it('refuses a foreign Origin with 403 before upgrading', async () => {
      const target = wsUrl(server.url, `/chat/${freshRoom()}/ws`);
      await expect(SocketClient.connect(target, { cookie: alice.cookie, origin: 'https://evil.example' })).rejects.toThrow('403');
      const events = await fetch(url('/events'), { headers: { cookie: alice.cookie, origin: 'https://evil.example' } });
      expect(events.status).toBe(403);
      const same = await SocketClient.connect(target, { cookie: alice.cookie, origin: server.url });
      same.close();
    });

    it('closes with 1009 on a frame over 64 KiB', async () => {
      const client = await join(freshRoom(), alice);
      client.send({ message: 'x'.repeat(70 * 1024) });
      expect(await client.closed).toBe(1009);
    });

    it('answers bad input with an error fragment for that client only and keeps the socket open', async () => {
      const room = freshRoom();
      const a = await join(room, alice);
      const b = await join(room, bob);
      const fromB = b.frames.length;
      const cases: Array<[string | Buffer, RegExp]> = [
        [Buffer.from([1, 2, 3]), /Binary messages/],
        ['{not json', /not valid JSON/],
        [JSON.stringify({ HEADERS: {} }), /&quot;message&quot; field is missing/],
        [JSON.stringify({ message: '   ' }), /empty/],
        [JSON.stringify({ message: 'y'.repeat(2001) }), /the limit is 2000/],
        [JSON.stringify({ message: 'hi', admin: true }), /Unknown field &quot;admin&quot;/],
      ];
      for (const [payload, expected] of cases) {
        const from = a.frames.length;
        a.socket.send(payload);
        expect(await a.waitFor((f) => f.startsWith('<div id="chat-error" hx-swap-oob="innerHTML">'), 10_000, from)).toMatch(expected);
      }
      expect(a.socket.readyState).toBe(a.socket.OPEN);
      await say(a, 'still here');
      expect(b.frames.slice(fromB).some((f) => f.includes('chat-error'))).toBe(false);
      a.close();
      b.close();
    });

    it('allows a burst of 10, then answers the excess with an error that is not broadcast', async () => {
      const room = freshRoom();
      const a = await join(room, alice);
      const b = await join(room, bob);
      const fromB = b.frames.length;
      for (let i = 1; i <= 12; i++) a.sendMessage(`burst ${i}`);
      await b.waitForText('</strong> burst 10 ', 10_000, fromB);
      expect(await a.waitForText('too fast')).toContain('id="chat-error"');
      await sleep(300);
      expect(b.frames.slice(fromB).filter((f) => f.includes('</strong> burst '))).toHaveLength(10);
      a.close();
      b.close();
    });

    it('refuses sockets of users without a name with 1008', async () => {
      const anonymous = await newUser(server.url);
      const client = await SocketClient.connect(wsUrl(server.url, `/chat/${freshRoom()}/ws`), { cookie: anonymous.cookie });
      expect(await client.closed).toBe(1008);
      expect(client.frames.join()).toContain('Choose a name');
    });
  });

  // Only runtimes that can ping get this check; on workerd the platform's keep-alive stands in (SPEC §6).
  if (launcher.pingsSockets) {
    describe(`SPEC 6 heartbeat on ${launcher.runtime}`, () => {
      it('ends a socket that answers no ping and keeps one that does', async () => {
        const fast = await launcher.start(tempDir(`switchboard-${launcher.runtime}-hb-`), { HEARTBEAT_MS: '200' });
        try {
          const carol = await newUser(fast.url, 'Carol');
          const target = wsUrl(fast.url, `/chat/${freshRoom()}/ws`);
          const silent = await SocketClient.connect(target, { cookie: carol.cookie, autoPong: false });
          const alive = await SocketClient.connect(target, { cookie: carol.cookie });
          await silent.closed;
          expect(alive.closeCode).toBeUndefined();
          alive.close();
        } finally {
          await fast.stop();
        }
      });
    });
  }

  describe(`SPEC 4.2 and 4.4 in the browser on ${launcher.runtime}`, () => {
    it('lets two people chat, shows markup as text, and updates the dashboard after an API post', async () => {
      const [first, second] = await Promise.all([BrowserUser.launch(), BrowserUser.launch()]);
      try {
        const room = freshRoom();
        const pageA = await first.openNamed(url(`/chat/${room}`), 'Alice');
        const pageB = await second.openNamed(url(`/chat/${room}`), 'Bob');
        await statusIs(pageA, 'Connected');
        await statusIs(pageB, 'Connected');
        await pageA.fill('#chat-form input[name=message]', '<i>Hello</i> Bob');
        await pageA.press('#chat-form input[name=message]', 'Enter');
        await pageB.waitForSelector('#chat-messages .message:has-text("<i>Hello</i> Bob")');
        expect(await pageB.locator('#chat-messages i').count()).toBe(0);
        const dashboard = await first.open(url('/dashboard'));
        await statusIs(dashboard, 'Connected');
        const name = `visits-${freshRoom()}`;
        expect((await api(server.url, '/api/metrics', { name, value: 4321 })).status).toBe(204);
        await dashboard.waitForSelector(`#card-${name} #${name} .metric:has-text("4,321")`);
        expect((await api(server.url, '/api/metrics', { name, value: 4322 })).status).toBe(204);
        await dashboard.waitForSelector(`#${name} .metric:has-text("4,322")`);
        expect([...first.errors, ...second.errors]).toEqual([]);
      } finally {
        await Promise.all([first.close(), second.close()]);
      }
    });
  });

  describe(`SPEC 6 and 7 restart on ${launcher.runtime}`, () => {
    it('keeps history, identities and notifications across a restart', async () => {
      const room = freshRoom();
      const a = await join(room, alice);
      await say(a, 'before the restart');
      expect((await api(server.url, '/api/notify', { user: alice.userId, text: 'kept across the restart' })).status).toBe(202);
      const unread = async () => {
        const raw = await RawSse.open(url('/events'), { cookie: alice.cookie });
        const count = await raw.waitForEvent((e) => e.event === 'notification-count', 10_000);
        raw.close();
        return count.data;
      };
      const before = await unread();
      expect(before).toMatch(/^<span>[1-9]\d*<\/span>$/);
      const exitCode = await server.stop();
      earlierOutput.push(server.output());
      const closeCode = await a.closed;
      if (launcher.onStop) {
        expect(closeCode).toBe(launcher.onStop.closeCode);
        expect(exitCode).toBe(launcher.onStop.exitCode);
      }
      server = await launcher.start(dataDir, {});
      const page = await (await fetch(url(`/chat/${room}`), { headers: { cookie: alice.cookie } })).text();
      expect(page).toContain(`data-user-id="${alice.userId}"`);
      expect(page).toContain('Signed in as <strong>Alice</strong>');
      expect(page).toContain('</strong> before the restart ');
      const again = await join(room, alice);
      expect(again.frames[0]).toContain('</strong> before the restart ');
      again.close();
      expect(await unread()).toBe(before);
      const list = await (await fetch(url('/notifications'), { headers: { cookie: alice.cookie } })).text();
      expect(list).toContain('kept across the restart');
    });
  });

  describe(`server console on ${launcher.runtime}`, () => {
    it('logged no errors during the suite', () => {
      const output = [...earlierOutput, server.output()].join('\n');
      expect(output).toMatch(/listening on|Ready on/);
      expect(output.split('\n').filter((line) => /\[ERROR\]|Uncaught|\bfailed\b|Error:/.test(line))).toEqual([]);
    });
  });
}
