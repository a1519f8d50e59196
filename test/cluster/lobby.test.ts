import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SocketClient, wsUrl } from '../helpers/clients.ts';
import { eventually, INSTANCE_TTL_MS, newUser, spawnInstance } from '../helpers/cluster.ts';
import { startRedis, type RedisServer } from '../helpers/redis.ts';
import type { ChildServer } from '../helpers/server.ts';

let redis: RedisServer;
let a: ChildServer;
let b: ChildServer;
const open: SocketClient[] = [];

async function enter(server: ChildServer, lobby: string, user: { cookie: string }, name: string): Promise<SocketClient> {
  const client = await SocketClient.connect(wsUrl(server.url, `/lobby/${lobby}/ws`), { cookie: user.cookie });
  open.push(client);
  await client.waitForText(`<p><em>${name} has joined the lobby.</em></p>`);
  return client;
}
const ready = (client: SocketClient) => client.send({ action: 'ready', HEADERS: { 'HX-Request': 'true', 'HX-Trigger': 'ready-form' } });
const playerList = (...names: string[]) => `<div id="player-list" hx-swap-oob="innerHTML">${names.map((n) => `<div class="player">${n}</div>`).join('')}</div>`;

beforeAll(async () => {
  redis = await startRedis();
  [a, b] = await Promise.all([spawnInstance(redis.url, { LOBBY_GRACE_MS: '200' }), spawnInstance(redis.url, { LOBBY_GRACE_MS: '200' })]);
});
afterAll(async () => {
  for (const client of open) client.close();
  await Promise.all([a?.stop(), b?.stop()]);
  await redis?.kill();
});

describe('SPEC 7 cluster: lobby across instances', () => {
  it('shares players, ready flags and the log between instances', async () => {
    const alice = await newUser(a.url, 'Alice');
    const bob = await newUser(b.url, 'Bob');
    const onA = await enter(a, 'shared', alice, 'Alice');
    const onB = await enter(b, 'shared', bob, 'Bob');
    await onA.waitForText('<p><em>Bob has joined the lobby.</em></p>');
    expect(onB.frames[0]).toContain('Alice (Not Ready)');
    ready(onA);
    ready(onB);
    const started = 'All 2 players ready — starting!';
    await onA.waitForText(started);
    await onB.waitForText(started);
    expect(await onB.waitForText(started)).toContain(playerList('Alice (Ready)', 'Bob (Ready)'));
  });

  it('refuses a 9th player however the players are spread over instances', async () => {
    const users = await Promise.all(Array.from({ length: 9 }, (_, i) => newUser(i % 2 ? a.url : b.url, `P${i}`)));
    for (let i = 0; i < 8; i++) await enter(i % 2 ? a : b, 'full', users[i]!, `P${i}`);
    const ninth = await SocketClient.connect(wsUrl(a.url, '/lobby/full/ws'), { cookie: users[8]!.cookie });
    open.push(ninth);
    expect(await ninth.closed).toBe(1008);
    expect(ninth.frames.join()).toContain('This lobby is full');
  });

  it('clears the players of an instance that died alone in a lobby when someone next enters it', async () => {
    const c = await spawnInstance(redis.url);
    try {
      const frank = await newUser(c.url, 'Frank');
      await enter(c, 'ghost', frank, 'Frank');
      await c.stop('SIGKILL');
      // Presence forgets Frank once C's liveness key expires; the lobby state still lists him.
      const gina = await newUser(a.url, 'Gina');
      await eventually('Frank reaped from presence', async () => !(await (await fetch(a.url)).text()).includes('Lobby ghost'), INSTANCE_TTL_MS * 4);
      const onA = await enter(a, 'ghost', gina, 'Gina');
      const left = await onA.waitForText('Frank has left the lobby.');
      expect(left).toContain(playerList('Gina (Not Ready)'));
    } finally {
      await c.stop('SIGKILL');
    }
  });

  it('lets the players of a SIGKILLed instance leave the lobby', async () => {
    const c = await spawnInstance(redis.url);
    try {
      const dave = await newUser(a.url, 'Dave');
      const erin = await newUser(c.url, 'Erin');
      const onA = await enter(a, 'crash', dave, 'Dave');
      await enter(c, 'crash', erin, 'Erin');
      await onA.waitForText('Erin has joined the lobby.');
      await c.stop('SIGKILL');
      const left = await onA.waitForText('Erin has left the lobby.', INSTANCE_TTL_MS * 4);
      expect(left).toContain(playerList('Dave (Not Ready)'));
    } finally {
      await c.stop('SIGKILL');
    }
  });
});
