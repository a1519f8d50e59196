import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Redis from 'ioredis';
import { SocketClient, wsUrl } from '../helpers/clients.ts';
import { joinRoom, newUser, spawnInstance } from '../helpers/cluster.ts';
import { startRedis, type RedisServer } from '../helpers/redis.ts';
import type { ChildServer } from '../helpers/server.ts';
import { api, RawSse } from '../helpers/sse.ts';

/** Issue 10 in cluster mode: no Redis subscriptions or logs left behind, per-person caps across instances. */
let redis: RedisServer;
let client: Redis;
let a: ChildServer;
let b: ChildServer;
const MAX = 4;

beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url);
  [a, b] = await Promise.all([
    spawnInstance(redis.url, { MAX_CONNECTIONS_PER_USER: String(MAX), NEW_IDENTITIES_PER_MINUTE: '0' }),
    spawnInstance(redis.url, { MAX_CONNECTIONS_PER_USER: String(MAX), NEW_IDENTITIES_PER_MINUTE: '0' }),
  ]);
});

afterAll(async () => {
  client?.disconnect();
  await Promise.all([a?.stop(), b?.stop()]);
  await redis?.kill();
});

const topicChannels = async () => ((await client.pubsub('CHANNELS', 'sb:topic:*')) as string[]).filter((c) => /^sb:topic:(chat|lobby):/.test(c));

async function pool(count: number, width: number, task: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < count) await task(next++);
  }));
}

describe('cluster: a request that never upgrades leaves no Redis subscription', () => {
  it('1,000 plain GETs and 50 refused upgrades add no SUBSCRIBE channel', async () => {
    const named = await newUser(a.url, 'Getter');
    const nameless = await newUser(a.url);
    const before = await topicChannels();
    await pool(1000, 32, async (i) => {
      const res = await fetch(`${(i % 2 ? a : b).url}/${i % 4 < 2 ? 'chat' : 'lobby'}/plain-${i}/ws`, { headers: { cookie: named.cookie } });
      await res.arrayBuffer();
    });
    await pool(50, 2, async (i) => {
      const ws = await SocketClient.connect(wsUrl(a.url, `/chat/nameless-${i}/ws`), { cookie: nameless.cookie });
      expect(await ws.closed).toBe(1008);
    });
    expect(await topicChannels()).toEqual(before);
  }, 90_000);

  it('a room subscribed for a socket is unsubscribed with its last socket', async () => {
    const user = await newUser(a.url, 'Sub');
    const socket = await joinRoom(a, 'held-room', user);
    expect(await topicChannels()).toContain('sb:topic:chat:held-room');
    socket.close();
    for (let i = 0; i < 100 && (await topicChannels()).includes('sb:topic:chat:held-room'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(await topicChannels()).not.toContain('sb:topic:chat:held-room');
  });
});

describe('cluster: per-topic logs only where SSE replays', () => {
  it('a chat topic keeps a short, expiring catch-up log, not 500 events for 7 days', async () => {
    for (let i = 0; i < 60; i++) expect((await api(a.url, '/api/rooms/logged/messages', { name: 'bot', text: `m${i} ${'x'.repeat(500)}` })).status).toBe(201);
    expect(await client.zcard('sb:topic:chat:logged:log')).toBeLessThanOrEqual(20);
    const ttl = await client.ttl('sb:topic:chat:logged:log');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);
  });
});

describe('cluster: MAX_CONNECTIONS_PER_USER across instances', () => {
  it('counts sockets and streams on both instances together; one more is 429 on either', async () => {
    const user = await newUser(a.url, 'Spread');
    const onA = await Promise.all([0, 1].map((i) => joinRoom(a, `spread-${i}`, user)));
    const onB = await Promise.all([0, 1].map(() => RawSse.open(`${b.url}/events?topics=rooms`, { cookie: user.cookie })));
    for (const s of onB) expect(s.status).toBe(200);
    const refusedA = await new Promise<number>((resolve) => {
      const ws = new SocketClient(wsUrl(a.url, '/chat/spread-x/ws'), { cookie: user.cookie });
      ws.socket.once('unexpected-response', (_q, res) => resolve(res.statusCode ?? 0));
      ws.opened.then(() => resolve(101), () => {});
    });
    expect(refusedA).toBe(429);
    const refusedB = await RawSse.open(`${b.url}/events?topics=rooms`, { cookie: user.cookie });
    expect(refusedB.status).toBe(429);
    refusedB.close();
    onA[0]!.close();
    let again = 0;
    for (let i = 0; i < 40 && again !== 200; i++) {
      const s = await RawSse.open(`${b.url}/events?topics=rooms`, { cookie: user.cookie });
      again = s.status;
      s.close();
      if (again !== 200) await new Promise((r) => setTimeout(r, 50));
    }
    expect(again).toBe(200);
    onA[1]!.close();
    for (const s of onB) s.close();
  });
});
