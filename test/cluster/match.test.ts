import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SocketClient, wsUrl } from '../helpers/clients.ts';
import { INSTANCE_TTL_MS, newUser, spawnInstance } from '../helpers/cluster.ts';
import { startRedis, type RedisServer } from '../helpers/redis.ts';
import type { ChildServer } from '../helpers/server.ts';

const ROUNDS = 3;
const MATCH_ENV = { LOBBY_GRACE_MS: '200', MATCH_TEMPO_MS: '100', MATCH_ROUNDS: String(ROUNDS) };
const WAIT = '<p class="arena-signal">Wait for it…</p>';
const GO = '<p class="arena-signal">GO!</p>';

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
const send = (client: SocketClient, action: string) => client.send({ action, HEADERS: { 'HX-Request': 'true' } });

/** Index of the first frame from `from` on that matches. */
async function indexOf(client: SocketClient, match: (frame: string) => boolean, from: number, timeoutMs = 15_000): Promise<number> {
  const frame = await client.waitFor(match, timeoutMs, from);
  return client.frames.indexOf(frame, from);
}

beforeAll(async () => {
  redis = await startRedis();
  [a, b] = await Promise.all([spawnInstance(redis.url, MATCH_ENV), spawnInstance(redis.url, MATCH_ENV)]);
});
afterAll(async () => {
  for (const client of open) client.close();
  await Promise.all([a?.stop(), b?.stop()]);
  await redis?.kill();
});

describe('SPEC 4.3.1 + 7 cluster: the match clock runs on one instance', () => {
  it('plays across instances, and another instance carries the match on when the clock holder is killed', async () => {
    const c = await spawnInstance(redis.url, MATCH_ENV);
    try {
      const [alice, bob, carol] = await Promise.all([newUser(a.url, 'Alice'), newUser(b.url, 'Bob'), newUser(c.url, 'Carol')]);
      const onA = await enter(a, 'race', alice, 'Alice');
      const onB = await enter(b, 'race', bob, 'Bob');
      const onC = await enter(c, 'race', carol, 'Carol');
      await onA.waitForText('Carol has joined the lobby.');
      for (const [client, name] of [[onA, 'Alice'], [onB, 'Bob'], [onC, 'Carol']] as const) {
        const from = onA.frames.length;
        send(client, 'ready');
        await onA.waitForText(`${name} is ready.`, 5000, from);
      }
      // Carol's toggle was the last, so C holds the clock; round 1 is played with presses relayed to it.
      let at = await indexOf(onA, (f) => f.includes(GO), 0);
      send(onA, 'press');
      expect(await onA.waitForText('First!', 5000, at)).toContain('note-pressed');
      send(onB, 'press');
      send(onC, 'press');
      const round1 = await onB.waitForText('<strong>Round 1:</strong>', 5000);
      expect(round1).toMatch(/Alice wins round 1 \(\+1\)\. Alice: \d+ ms, Bob: \d+ ms, Carol: \d+ ms\./);

      // Round 2 begins on C's clock; C dies before its GO can be answered.
      at = await indexOf(onA, (f) => f.includes(WAIT) && f.includes('Round 2 of'), at);
      await c.stop('SIGKILL');
      const moved = await indexOf(onA, (f) => f.includes('The match clock moved to another server; round 2 starts again.'), at, INSTANCE_TTL_MS * 4);
      await onB.waitForText('The match clock moved to another server; round 2 starts again.', 5000);
      // Carol's instance is gone: once presence notices, she leaves and forfeits; Alice and Bob play on.
      for (let round = 2; round <= ROUNDS; round++) {
        const go = await indexOf(onA, (f) => f.includes(GO), await indexOf(onA, (f) => f.includes(WAIT) && f.includes(`Round ${round} of`), moved));
        send(onA, 'press');
        await onA.waitForText('First!', 5000, go);
        send(onB, 'press');
        at = await indexOf(onA, (f) => f.includes(`<strong>Round ${round}:</strong>`), go);
        expect(onA.frames[at]).toContain(`Alice wins round ${round} (+1)`);
      }
      const over = await onB.waitForText('Alice wins!', 15_000);
      expect(over).toContain('<div id="game-status" hx-swap-oob="innerHTML">Alice wins!</div>');
      expect(over).toContain('Alice (Not Ready)');
      expect(onA.frames.join()).toContain('Carol has left the lobby.');
      expect(over).toContain(`Match over: Alice wins with ${ROUNDS} points.`);
    } finally {
      await c.stop('SIGKILL');
    }
  });
});
