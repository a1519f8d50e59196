import { describe, expect, it } from 'vitest';
import { BrowserUser, expectMajor, type Major, statusIs } from '../helpers/browser.ts';
import { newUser, SocketClient, wsUrl } from '../helpers/clients.ts';
import { tempDir } from '../helpers/server.ts';
import { api, RawSse } from '../helpers/sse.ts';
import type { SuiteContext } from './context.ts';

/** SPEC §6–7 heartbeats, the browser, a restart, and a clean console. */
export function lifecycleSuite(ctx: SuiteContext): void {
  // Only runtimes that can ping get this check; on workerd the platform's keep-alive stands in (SPEC §6).
  if (ctx.launcher.pingsSockets) {
    describe(`SPEC 6 heartbeat on ${ctx.runtime}`, () => {
      it('ends a socket that answers no ping and keeps one that does', async () => {
        const fast = await ctx.launcher.start(tempDir(`switchboard-${ctx.runtime}-hb-`), { HEARTBEAT_MS: '200' });
        try {
          const carol = await newUser(fast.url, 'Carol');
          const target = wsUrl(fast.url, `/chat/${ctx.fresh()}/ws`);
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

  describe(`SPEC 2 configuration on ${ctx.runtime}`, () => {
    it('lets ALLOWED_ORIGINS open sockets and streams, and still refuses other origins', async () => {
      const other = await ctx.launcher.start(tempDir(`switchboard-${ctx.runtime}-origins-`), { ALLOWED_ORIGINS: 'https://app.example.com' });
      try {
        const carol = await newUser(other.url, 'Carol');
        const target = wsUrl(other.url, `/chat/${ctx.fresh()}/ws`);
        const allowed = await SocketClient.connect(target, { cookie: carol.cookie, origin: 'https://app.example.com' });
        allowed.close();
        await expect(SocketClient.connect(target, { cookie: carol.cookie, origin: 'https://evil.example' })).rejects.toThrow('403');
        const stream = await RawSse.open(`${other.url}/events`, { cookie: carol.cookie, origin: 'https://app.example.com' });
        expect(stream.status).toBe(200);
        stream.close();
      } finally {
        await other.stop();
      }
    });
  });

  /** Two people chat and a dashboard follows an API post, in pages served for `major`. */
  const browserSuite = (major: Major) =>
  describe(`SPEC 4.2 and 4.4 in the browser on ${ctx.runtime} (htmx ${major})`, () => {
    it('lets two people chat, shows markup as text, and updates the dashboard after an API post', async () => {
      const [first, second] = await Promise.all([BrowserUser.launch(), BrowserUser.launch()]);
      try {
        const room = ctx.fresh();
        const pageA = await first.openNamed(ctx.url(`/chat/${room}`), 'Alice');
        const pageB = await second.openNamed(ctx.url(`/chat/${room}`), 'Bob');
        await expectMajor(pageA, major);
        await statusIs(pageA, 'Connected');
        await statusIs(pageB, 'Connected');
        await pageA.fill('#chat-form input[name=message]', '<i>Hello</i> Bob');
        await pageA.press('#chat-form input[name=message]', 'Enter');
        await pageB.waitForSelector('#chat-messages .message:has-text("<i>Hello</i> Bob")');
        expect(await pageB.locator('#chat-messages i').count()).toBe(0);
        const dashboard = await first.open(ctx.url('/dashboard'));
        await statusIs(dashboard, 'Connected');
        const name = `visits-${ctx.fresh()}`;
        expect((await api(ctx.server.url, '/api/metrics', { name, value: 4321 })).status).toBe(204);
        await dashboard.waitForSelector(`#card-${name} #${name} .metric:has-text("4,321")`);
        expect((await api(ctx.server.url, '/api/metrics', { name, value: 4322 })).status).toBe(204);
        await dashboard.waitForSelector(`#${name} .metric:has-text("4,322")`);
        expect([...first.errors, ...second.errors]).toEqual([]);
      } finally {
        await Promise.all([first.close(), second.close()]);
      }
    }, 60_000);
  });
  browserSuite(2);

  describe(`SPEC 6 and 7 restart on ${ctx.runtime}`, () => {
    it('keeps history, identities and notifications across a restart that switches HTMX_VERSION from 2 to 4, and lets go of lobby players nobody holds', async () => {
      const room = ctx.fresh();
      const a = await ctx.join(room, ctx.alice);
      await ctx.say(a, 'before the restart');
      expect((await api(ctx.server.url, '/api/notify', { user: ctx.alice.userId, text: 'kept across the restart' })).status).toBe(202);
      const unread = async () => {
        const raw = await RawSse.open(ctx.url('/events'), { cookie: ctx.alice.cookie });
        const count = await raw.waitForEvent((e) => e.event === 'notification-count', 10_000);
        raw.close();
        return count.data;
      };
      const before = await unread();
      expect(before).toMatch(/^<span>[1-9]\d*<\/span>$/);
      const stream = await RawSse.open(ctx.url('/events?topics=rooms'), { cookie: ctx.bob.cookie });
      await stream.waitFor((r) => r.events.length > 0, 10_000);
      // A lobby player whose socket is still open when the server goes (workerd: no close handler runs).
      const lobby = ctx.fresh();
      const player = await SocketClient.connect(wsUrl(ctx.server.url, `/lobby/${lobby}/ws`), { cookie: ctx.alice.cookie });
      await player.waitForText('Alice (Not Ready)');
      const exitCode = await ctx.restart({ HTMX_VERSION: '4' });
      await stream.waitFor((r) => r.ended, 10_000);
      const { onStop } = ctx.launcher;
      if (onStop) {
        expect(await a.closed).toBe(onStop.closeCode);
        expect(exitCode).toBe(onStop.exitCode);
      }
      const page = await (await fetch(ctx.url(`/chat/${room}`), { headers: { cookie: ctx.alice.cookie } })).text();
      expect(page).toContain(`data-user-id="${ctx.alice.userId}"`);
      expect(page).toContain('Signed in as <strong>Alice</strong>');
      expect(page).toContain('</strong> before the restart ');
      expect(page).toMatch(/<script src="\/vendor\/htmx4\/htmx\.min\.js(\?v=4\.0\.1)?"><\/script>/);
      expect(page).toContain(`hx-ws:connect="/chat/${room}/ws?htmx=4"`);
      expect(page).not.toMatch(/ws-connect|sse-connect|hx-ext/);
      const again = await ctx.join(room, ctx.alice);
      expect(again.frames[0]).toContain('</strong> before the restart ');
      again.close();
      expect(await unread()).toBe(before);
      const list = await (await fetch(ctx.url('/notifications'), { headers: { cookie: ctx.alice.cookie } })).text();
      expect(list).toContain('kept across the restart');
      // Nobody holds Alice in that lobby any more: whoever enters it next sees her gone, not listed forever.
      const next = await SocketClient.connect(wsUrl(ctx.server.url, `/lobby/${lobby}/ws?htmx=4`), { cookie: ctx.bob.cookie });
      await next.waitForText('Bob (Not Ready)');
      await next.waitFor(() => {
        const lists = next.frames.filter((frame) => frame.includes('id="player-list"'));
        return lists.length > 0 && !lists.at(-1)!.includes('Alice (');
      }, 10_000);
      next.close();
    });
  });

  browserSuite(4);

  describe(`server console on ${ctx.runtime}`, () => {
    it('logged no errors during the suite', () => {
      const output = [...ctx.earlierOutput, ctx.server.output()].join('\n');
      expect(output).toMatch(/listening on|Ready on/);
      const errors = output.split('\n').filter((line) => /\[ERROR\]|Uncaught|\bfailed\b|Error:/.test(line));
      // KNOWN DEFECT (README, Workers): workerd, through the inspector wrangler dev attaches, prints
      // this once per WebSocket a room refuses (no name, lobby full: workerd's WebSocket::couple awaits
      // an accept()ed socket's pumps inside the request; workerd-log.test.ts pins it), and rarely for
      // an SSE write racing a client's TCP reset. Tolerated here (a handful at most), on workerd only.
      const known = ctx.runtime === 'workerd' ? errors.filter((line) => /Network connection lost\./.test(line)) : [];
      expect(known.length).toBeLessThanOrEqual(8);
      expect(errors.filter((line) => !known.includes(line))).toEqual([]);
    });
  });
}
