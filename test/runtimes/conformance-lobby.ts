import { describe, expect, it } from 'vitest';
import { newUser, SocketClient, wsUrl } from '../helpers/clients.ts';
import type { SuiteContext, User } from './context.ts';

/** SPEC §4.3 lobby fragments over real sockets. */
export function lobbySuite(ctx: SuiteContext): void {
  describe(`SPEC 4.3 lobby on ${ctx.runtime}`, () => {
    const enter = async (lobby: string, user: User) => {
      const client = await SocketClient.connect(wsUrl(ctx.server.url, `/lobby/${lobby}/ws`), { cookie: user.cookie });
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
      const html = await (await fetch(ctx.url('/lobby/arena'), { headers: { cookie: ctx.alice.cookie } })).text();
      expect(html).toContain('hx-ext="ws" ws-connect="/lobby/arena/ws"');
      for (const id of ['player-list', 'game-status', 'chat-log']) expect(html).toContain(`id="${id}"`);
      expect(html).toMatch(/<form id="ready-form" ws-send[^>]*><button type="submit" name="action" value="ready">/);
      expect((await fetch(ctx.url('/lobby/dot.dot'))).status).toBe(404);
    });

    it('sends the three regions in one message on join, ready and leave, and starts when all are ready', async () => {
      const lobby = ctx.fresh();
      const a = await enter(lobby, ctx.alice);
      await a.waitForText('Alice has joined the lobby.');
      const b = await enter(lobby, ctx.bob);
      const joined = await a.waitForText('Bob has joined the lobby.');
      expect(joined).toMatch(update(['Alice (Not Ready)', 'Bob (Not Ready)'], '2 players connected — waiting for all to be ready', 'Bob has joined the lobby.'));
      ready(a);
      await b.waitForText('Alice is ready.');
      const from = a.frames.length;
      ready(b);
      expect(await a.waitForText('Bob is ready.', 10_000, from)).toMatch(
        update(['Alice (Ready)', 'Bob (Ready)'], 'All 2 players ready — starting!', 'Bob is ready.'),
      );
      const page = await (await fetch(ctx.url(`/lobby/${lobby}`), { headers: { cookie: ctx.alice.cookie } })).text();
      expect(page).toContain('<div class="player">Bob (Ready)</div>');
      b.close();
      expect(await a.waitForText('Bob has left the lobby.', 10_000)).toMatch(
        update(['Alice (Ready)'], '1 player connected — waiting for more players', 'Bob has left the lobby.'),
      );
      a.close();
    });

    it('plays a match to its winner: countdown, GO, server-timed presses, scoreboard, everyone Not Ready after (SPEC 4.3.1)', async () => {
      const lobby = ctx.fresh();
      const a = await enter(lobby, ctx.alice);
      await a.waitForText('Alice has joined the lobby.');
      const b = await enter(lobby, ctx.bob);
      await a.waitForText('Bob has joined the lobby.');
      ready(a);
      await b.waitForText('Alice is ready.');
      ready(b);
      await a.waitForText('All 2 players ready — starting!', 10_000);
      let from = 0;
      for (const count of ['3', '2', '1']) from = a.frames.indexOf(await a.waitForText(`<div id="game-status" hx-swap-oob="innerHTML">${count}</div>`, 10_000, from));
      for (let round = 1; round <= 2; round++) {
        from = a.frames.indexOf(await a.waitForText(`Round ${round} of 2</p><p class="arena-signal">Wait for it…`, 10_000, from), from);
        from = a.frames.indexOf(await a.waitForText('<p class="arena-signal">GO!</p>', 10_000, from), from);
        a.send({ action: 'press', HEADERS: { 'HX-Request': 'true' } });
        await a.waitForText('First!', 10_000, from);
        b.send({ action: 'press', HEADERS: { 'HX-Request': 'true' } });
        const result = await b.waitForText(`<strong>Round ${round}:</strong>`, 10_000);
        expect(result).toMatch(new RegExp(`Alice wins round ${round} \\(\\+1\\)\\. Alice: \\d+ ms, Bob: \\d+ ms\\.`));
        expect(result).toContain(`<span class="score-name">Alice</span> <span class="score-points">${round}</span>`);
      }
      const over = await b.waitForText('<div id="game-status" hx-swap-oob="innerHTML">Alice wins!</div>', 10_000);
      expect(over).toContain('<div class="player">Alice (Not Ready)</div><div class="player">Bob (Not Ready)</div>');
      a.close();
      b.close();
    }, 60_000);

    it('refuses a 9th player with a "lobby is full" fragment and close code 1008', async () => {
      const lobby = ctx.fresh();
      const users = await Promise.all(Array.from({ length: 9 }, (_, i) => newUser(ctx.server.url, `P${i + 1}`)));
      const clients: SocketClient[] = [];
      for (const user of users.slice(0, 8)) clients.push(await enter(lobby, user));
      const ninth = await SocketClient.connect(wsUrl(ctx.server.url, `/lobby/${lobby}/ws`), { cookie: users[8]!.cookie });
      await ninth.waitForText('This lobby is full');
      // The close follows the refusal at once: within a few stored changes and broadcasts of the
      // players already in (workerd used to close it only ~10 s later, hundreds of round trips). The
      // close handshake and one toggle's round trip take about as long on a fast machine, so up to
      // 14 toggles (players 1–7, ready and back: never all eight ready) are allowed before it.
      for (let toggle = 0; toggle < 14 && ninth.closeCode === undefined; toggle++) {
        const index = toggle >> 1;
        const player = clients[index]!;
        const from = player.frames.length;
        ready(player);
        if (toggle % 2 === 0) await player.waitForText(`P${index + 1} is ready.`, 10_000, from);
        else await player.waitFor((frame) => frame.includes(`<div class="player">P${index + 1} (Not Ready)</div>`), 10_000, from);
      }
      expect(ninth.closeCode).toBe(1008);
      expect(ninth.frames).toHaveLength(1);
      expect(ninth.frames[0]).toMatch(/^<div id="chat-error" hx-swap-oob="innerHTML"><p class="error">This lobby is full/);
      for (const client of clients) client.close();
    });
  });
}
