import { describe, expect, it } from 'vitest';
import { newUser, shownPresence, SocketClient, sleep, wsUrl } from '../helpers/clients.ts';
import type { SuiteContext } from './context.ts';

/** SPEC §4.2 chat and §6 limits over real sockets, and rooms that outlive an idle period. */
export function chatSuite(ctx: SuiteContext): void {
  describe(`SPEC 4.2 chat on ${ctx.runtime}`, () => {
    it('sends the snapshot first, then one escaped fragment per message to every socket', async () => {
      const room = ctx.fresh();
      const a = await ctx.join(room, ctx.alice);
      const b = await ctx.join(room, ctx.bob);
      expect(a.frames[0]).toContain('<div id="presence" hx-swap-oob="innerHTML">');
      await a.waitForText('Online (2)');
      const fromB = b.frames.length;
      a.sendMessage('  hello <b>there</b> & "you"  ');
      const seen = await b.waitForText('hello', 10_000, fromB);
      expect(seen).toMatch(
        /^<div id="chat-messages" hx-swap-oob="beforeend"><div class="message" id="msg-(\d+)" data-user-id="[^"]+"><strong>Alice:<\/strong> hello &lt;b&gt;there&lt;\/b&gt; &amp; &quot;you&quot; <time datetime="[^"]+">/,
      );
      a.close();
      b.close();
    });

    it('a rename shows in presence, the lobby and later messages at once; earlier messages keep the old name (SPEC 3)', async () => {
      const carol = await newUser(ctx.server.url, 'Carol');
      const room = ctx.fresh();
      const lobby = ctx.fresh();
      const c = await ctx.join(room, carol);
      const b = await ctx.join(room, ctx.bob);
      const lc = await SocketClient.connect(wsUrl(ctx.server.url, `/lobby/${lobby}/ws`), { cookie: carol.cookie });
      const lb = await SocketClient.connect(wsUrl(ctx.server.url, `/lobby/${lobby}/ws`), { cookie: ctx.bob.cookie });
      await lb.waitForText('Carol (Not Ready)', 10_000);
      await b.waitForText('Online (2)');
      await ctx.say(c, 'before');
      const fromB = b.frames.length;
      const fromLobby = lb.frames.length;
      const res = await fetch(ctx.url('/session'), {
        method: 'POST',
        headers: { cookie: carol.cookie, 'hx-request': 'true', origin: ctx.server.url, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ name: 'Caroline' }),
      });
      expect(res.status).toBe(200);
      // Presence: the renamed user's one <li> is replaced (issue 12: no whole-list fragments).
      expect(await b.waitForText('Caroline', 10_000, fromB)).toContain(`<li id="presence-${carol.userId}" data-user-id="${carol.userId}" hx-swap-oob="outerHTML">`);
      expect(shownPresence(b.frames).names.sort()).toEqual(['Bob', 'Caroline']);
      expect(await lb.waitForText('Caroline (Not Ready)', 10_000, fromLobby)).toContain('<div id="player-list" hx-swap-oob="innerHTML">');
      const after = await ctx.say(c, 'after');
      expect(after).toContain('<strong>Caroline:</strong> after');
      const page = await (await fetch(ctx.url(`/chat/${room}`), { headers: { cookie: ctx.bob.cookie } })).text();
      expect(page).toContain('<strong>Carol:</strong> before');
      for (const client of [c, b, lc, lb]) client.close();
    });

    it('lists a room with its online count on the home page while someone is in it', async () => {
      const room = ctx.fresh();
      const a = await ctx.join(room, ctx.alice);
      const b = await ctx.join(room, ctx.bob);
      await a.waitForText('Online (2)');
      const home = await (await fetch(ctx.url('/'))).text();
      expect(home).toMatch(new RegExp(`<li class="room room-chat" id="chat-${room}"><a href="/chat/${room}">#${room}</a> <span class="online">2 online</span></li>`));
      a.close();
      b.close();
    });

    it('trims to HISTORY_LIMIT: deletes the message that falls out and snapshots only the last ones', async () => {
      const room = ctx.fresh();
      const a = await ctx.join(room, ctx.alice);
      const ids: string[] = [];
      for (const text of ['one', 'two', 'three']) ids.push(/id="msg-(\d+)"/.exec(await ctx.say(a, text))![1]!);
      expect(await ctx.say(a, 'four')).toContain(`<div id="msg-${ids[0]}" hx-swap-oob="delete"></div>`);
      a.close();
      const again = await ctx.join(room, ctx.bob);
      const snapshot = again.frames[0]!;
      expect(snapshot).not.toContain('</strong> one ');
      for (const text of ['two', 'three', 'four']) expect(snapshot).toContain(`</strong> ${text} `);
      const older = await (await fetch(ctx.url(`/chat/${room}/history?before=${ids[1]}`))).text();
      expect(older).toContain('</strong> one ');
      again.close();
    });
  });

  describe(`SPEC 7 idle rooms on ${ctx.runtime}`, () => {
    // workerd hibernates a Durable Object after ~10 s without events; its sockets must survive the wake-up.
    it('keeps chat, presence and lobby state after 11 s of silence', async () => {
      const room = ctx.fresh();
      const a = await ctx.join(room, ctx.alice);
      const b = await ctx.join(room, ctx.bob);
      await a.waitForText('Online (2)');
      const lobby = ctx.fresh();
      const la = await SocketClient.connect(wsUrl(ctx.server.url, `/lobby/${lobby}/ws`), { cookie: ctx.alice.cookie });
      const lb = await SocketClient.connect(wsUrl(ctx.server.url, `/lobby/${lobby}/ws`), { cookie: ctx.bob.cookie });
      await la.waitForText('Bob has joined the lobby.');
      await sleep(11_500);
      lb.send({ action: 'ready', HEADERS: {} });
      expect(await la.waitForText('Bob is ready.', 10_000)).toContain('<div class="player">Bob (Ready)</div>');
      la.close();
      lb.close();
      const fromB = b.frames.length;
      await ctx.say(a, 'after the silence');
      await b.waitForText('</strong> after the silence ', 10_000, fromB);
      const fromA = a.frames.length;
      b.close();
      await a.waitForText('Online (1)', 10_000, fromA);
      expect(shownPresence(a.frames)).toEqual({ count: 1, names: ['Alice'] });
      a.close();
    }, 40_000);
  });

  describe(`SPEC 6 limits and bad input on ${ctx.runtime}`, () => {
    it('refuses a foreign Origin with 403 before upgrading', async () => {
      const target = wsUrl(ctx.server.url, `/chat/${ctx.fresh()}/ws`);
      await expect(SocketClient.connect(target, { cookie: ctx.alice.cookie, origin: 'https://evil.example' })).rejects.toThrow('403');
      const events = await fetch(ctx.url('/events'), { headers: { cookie: ctx.alice.cookie, origin: 'https://evil.example' } });
      expect(events.status).toBe(403);
      const same = await SocketClient.connect(target, { cookie: ctx.alice.cookie, origin: ctx.server.url });
      same.close();
    });

    it('closes with 1009 on a frame over 64 KiB, and the others see that user leave', async () => {
      const room = ctx.fresh();
      const client = await ctx.join(room, ctx.alice);
      const other = await ctx.join(room, ctx.bob);
      await client.waitForText('Online (2)');
      const from = other.frames.length;
      client.send({ message: 'x'.repeat(70 * 1024) });
      expect(await client.closed).toBe(1009);
      await other.waitForText('Online (1)', 10_000, from);
      expect(shownPresence(other.frames)).toEqual({ count: 1, names: ['Bob'] });
      other.close();
    });

    it('answers bad input with an error fragment for that client only and keeps the socket open', async () => {
      const room = ctx.fresh();
      const a = await ctx.join(room, ctx.alice);
      const b = await ctx.join(room, ctx.bob);
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
      await ctx.say(a, 'still here');
      expect(b.frames.slice(fromB).some((f) => f.includes('chat-error'))).toBe(false);
      a.close();
      b.close();
    });

    it('allows a burst of 10, then answers the excess with an error that is not broadcast', async () => {
      const room = ctx.fresh();
      // The rate limit is per user (SPEC §6): a user of its own, not one earlier tests have spent.
      const a = await ctx.join(room, await newUser(ctx.server.url, 'Burst'));
      const b = await ctx.join(room, ctx.bob);
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
      const anonymous = await newUser(ctx.server.url);
      const client = await SocketClient.connect(wsUrl(ctx.server.url, `/chat/${ctx.fresh()}/ws`), { cookie: anonymous.cookie });
      expect(await client.closed).toBe(1008);
      expect(client.frames.join()).toContain('Choose a name');
    });
  });
}
