import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeServer } from '../../app/platform/node.ts';
import { newUser, SocketClient, wsUrl } from '../helpers/clients.ts';
import { startServer } from '../helpers/server.ts';

/** Issue 10 item 12: a lobby seat needs a live, named socket. */
let server: NodeServer;

beforeAll(async () => {
  server = await startServer({ HEARTBEAT_MS: '1000', LOBBY_GRACE_MS: '100' });
});
afterAll(() => server.shutdown());

const enter = async (lobby: string, cookie: string, autoPong = true) => {
  const client = await SocketClient.connect(wsUrl(server.url, `/lobby/${lobby}/ws`), { cookie, autoPong });
  await client.waitFor((f) => f.includes('hx-swap-oob') && (f.includes('id="player-list"') || f.includes('chat-error')));
  return client;
};

describe('SPEC 6: lobby squatting', () => {
  it('eight sockets that stop answering pings lose their seats; a real player then gets in', async () => {
    const lobby = `squat-${process.pid}`;
    const squatters = await Promise.all(Array.from({ length: 8 }, async (_, i) => enter(lobby, (await newUser(server.url, `squat${i}`)).cookie, false)));
    const player = await newUser(server.url, 'Player');
    const early = await SocketClient.connect(wsUrl(server.url, `/lobby/${lobby}/ws`), { cookie: player.cookie });
    expect(await early.waitForText('This lobby is full')).toContain('chat-error');
    expect(await early.closed).toBe(1008);
    // Two heartbeats without a pong end each squatter's socket; the grace period then frees its seat.
    for (const s of squatters) await s.closed;
    let seated = false;
    for (let i = 0; i < 100 && !seated; i++) {
      const again = await enter(lobby, player.cookie);
      seated = again.frames.some((f) => f.includes('Player (Not Ready)'));
      if (!seated) await new Promise((r) => setTimeout(r, 100));
      else again.close();
    }
    expect(seated).toBe(true);
    const names = async () => (await server.platform.lobbies.players(lobby)).map((p) => p.name);
    for (let i = 0; i < 50 && (await names()).some((n) => n.startsWith('squat')); i++) await new Promise((r) => setTimeout(r, 100));
    expect((await names()).filter((n) => n.startsWith('squat'))).toEqual([]);
  });

  it('a socket without a display name never takes a seat', async () => {
    const lobby = `nameless-${process.pid}`;
    for (let i = 0; i < 10; i++) {
      const anonymous = await newUser(server.url);
      const client = await SocketClient.connect(wsUrl(server.url, `/lobby/${lobby}/ws`), { cookie: anonymous.cookie });
      expect(await client.closed).toBe(1008);
    }
    expect(await server.platform.lobbies.players(lobby)).toEqual([]);
  });
});
