import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { NodeServer } from '../../app/platform/node.ts';
import { newUser, sendAndSeeBoth, SocketClient, wsUrl } from '../helpers/clients.ts';
import { startRedis, type RedisServer } from '../helpers/redis.ts';
import { startServer } from '../helpers/server.ts';

/**
 * Cluster mode: other instances hold sockets of the same room, so a room's events still go through
 * the hub (Redis), in the one order every instance shows. Two instances in this process, so the
 * publishing instance's hub can be watched.
 */

let redis: RedisServer;
let a: NodeServer;
let b: NodeServer;
let alice: { cookie: string; userId: string };
let bob: { cookie: string; userId: string };

const joinChat = async (server: NodeServer, room: string, user: { cookie: string }) => {
  const client = await SocketClient.connect(wsUrl(server.url, `/chat/${room}/ws`), { cookie: user.cookie });
  await client.waitForText('id="chat-messages" hx-swap-oob="innerHTML"');
  return client;
};

beforeAll(async () => {
  redis = await startRedis();
  a = await startServer({ REDIS_URL: redis.url, CLUSTER_INSTANCE_TTL_MS: '3000' });
  b = await startServer({ REDIS_URL: redis.url, CLUSTER_INSTANCE_TTL_MS: '3000' });
  alice = await newUser(a.url, 'Alice');
  bob = await newUser(b.url, 'Bob');
});

afterAll(async () => {
  // Let the closed sockets' leaves (and the room-list updates they start) finish before Redis goes away.
  for (let i = 0; i < 100 && a && (await a.platform.presence.counts()).size > 0; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  await a?.shutdown();
  await b?.shutdown();
  await redis?.kill();
});

describe('SPEC 7 cluster: a room publishes through the hub', () => {
  it('a chat message sent on A goes through the hub once and reaches the sockets on A and on B once each', async () => {
    const room = `fanout-${process.pid}`;
    const onA = await joinChat(a, room, alice);
    const onB = await joinChat(b, room, bob);
    await onA.waitForText('Online (2)');
    const publish = vi.spyOn(a.platform.hub, 'publish');
    try {
      await sendAndSeeBoth(onA, onB, 'across instances', '</strong> across instances ');
      expect(publish.mock.calls.filter(([topic, event]) => topic === `chat:${room}` && event === 'message')).toHaveLength(1);
      for (const client of [onA, onB]) expect(client.frames.filter((frame) => frame.includes('across instances'))).toHaveLength(1);
    } finally {
      publish.mockRestore();
      onA.close();
      onB.close();
    }
  });

  it('keeps one socket’s messages in order through the shared rate limiter', async () => {
    const room = `order-${process.pid}`;
    const onA = await joinChat(a, room, alice);
    const onB = await joinChat(b, room, bob);
    await onB.waitForText('Online (2)');
    const texts = Array.from({ length: 8 }, (_, i) => `ordered-${i}`);
    for (const text of texts) onA.sendMessage(text);
    await onB.waitForText('</strong> ordered-7 ', 10_000);
    const seen = (client: SocketClient) => client.frames.flatMap((frame) => [...frame.matchAll(/<\/strong> (ordered-\d) /g)].map((m) => m[1]!));
    expect(seen(onB)).toEqual(texts);
    await onA.waitForText('</strong> ordered-7 ', 10_000);
    expect(seen(onA)).toEqual(texts);
    onA.close();
    onB.close();
  });
});
