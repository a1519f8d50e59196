import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SocketClient } from '../helpers/clients.ts';
import { broadcastMessages, eventually, health, joinRoom, latestPresence, newUser, spawnInstance } from '../helpers/cluster.ts';
import { startRedis, type RedisServer } from '../helpers/redis.ts';
import { freePort, TEST_TOKEN, type ChildServer } from '../helpers/server.ts';
import { api, SseClient } from '../helpers/sse.ts';

const SNAPSHOT = '<div id="chat-messages" hx-swap-oob="innerHTML">';
const snapshotsFrom = (client: SocketClient, from: number) => client.frames.slice(from).filter((f) => f.startsWith(SNAPSHOT));

interface Cluster {
  redis: RedisServer;
  a: ChildServer;
  b: ChildServer;
  sockets: Array<{ close(): void }>;
}

async function startCluster(persistent: boolean): Promise<Cluster> {
  const redis = await startRedis({ persistent });
  const [a, b] = await Promise.all([spawnInstance(redis.url), spawnInstance(redis.url)]);
  return { redis, a, b, sockets: [] };
}

async function stopCluster(cluster: Cluster | undefined): Promise<void> {
  if (!cluster) return;
  for (const socket of cluster.sockets) socket.close();
  await Promise.all([cluster.a.stop(), cluster.b.stop()]);
  await cluster.redis.kill();
}

describe('SPEC 7 cluster: Redis killed and restarted (appendonly yes)', () => {
  let c: Cluster;
  beforeAll(async () => (c = await startCluster(true)));
  afterAll(() => stopCluster(c));

  it('keeps sockets open, reports degraded, refuses new messages clearly, then resynchronises and delivers again', async () => {
    const alice = await newUser(c.a.url, 'Alice');
    const bob = await newUser(c.b.url, 'Bob');
    const onA = await joinRoom(c.a, 'outage', alice);
    const onB = await joinRoom(c.b, 'outage', bob);
    c.sockets.push(onA, onB);
    const bobsStream = new SseClient(`${c.b.url}/events`, ['new-notification', 'notification-count'], bob.cookie);
    c.sockets.push(bobsStream);
    await bobsStream.waitFor((s) => s.named('notification-count').length === 1);
    onA.sendMessage('before the outage');
    await onB.waitForText('before the outage');

    await c.redis.kill('SIGKILL');
    await eventually('A to report degraded', async () => (await health(c.a)).status === 503);
    expect(await health(c.a)).toEqual({ status: 503, body: { status: 'degraded', redis: 'unreachable' } });
    expect((await health(c.b)).status).toBe(503);
    const metrics = await (await fetch(`${c.a.url}/metrics`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).text();
    expect(metrics).toContain('\nswitchboard_healthy 0\n');

    const sentAt = onA.frames.length;
    onA.sendMessage('during the outage');
    const error = await onA.waitForText('not sent', 5000, sentAt);
    expect(error).toContain('id="chat-error"');
    expect(error).toContain('lost contact with its message store');

    const refused = await api(c.a.url, '/api/notify', { user: bob.userId, text: 'lost' });
    expect(refused.status).toBe(503);
    expect(((await refused.json()) as { error: string }).error).toContain('nothing was stored');

    const beforeRecovery = { a: onA.frames.length, b: onB.frames.length };
    await c.redis.restart();
    await eventually('both instances healthy again', async () => (await health(c.a)).status === 200 && (await health(c.b)).status === 200);
    expect(onA.closeCode, c.a.output()).toBeUndefined();
    expect(await (await fetch(`${c.a.url}/metrics`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).text()).toContain('\nswitchboard_healthy 1\n');
    expect(onB.closeCode, c.b.output()).toBeUndefined();

    // A fresh snapshot on both sides: what was accepted before survived, the refused message never appears.
    await eventually('snapshots after recovery', () => snapshotsFrom(onA, beforeRecovery.a).length > 0 && snapshotsFrom(onB, beforeRecovery.b).length > 0);
    for (const snapshot of [...snapshotsFrom(onA, beforeRecovery.a), ...snapshotsFrom(onB, beforeRecovery.b)]) {
      expect(snapshot).toContain('before the outage');
      expect(snapshot).not.toContain('during the outage');
    }
    await eventually('both names in presence on B', () => latestPresence(onB)?.join() === 'Alice,Bob');

    onA.sendMessage('after the outage');
    await onB.waitForText('after the outage', 5000, beforeRecovery.b);
    onB.sendMessage('reply after the outage');
    await onA.waitForText('reply after the outage', 5000, beforeRecovery.a);
    await onB.waitForText('reply after the outage', 5000, beforeRecovery.b);
    // The SSE stream on B stayed open through the outage and still gets news from A.
    expect((await api(c.a.url, '/api/notify', { user: bob.userId, text: 'back again' })).status).toBe(202);
    await bobsStream.waitFor((s) => s.named('new-notification').some((e) => e.data.includes('back again')));
    expect(bobsStream.opens).toBe(1);
    expect(bobsStream.named('new-notification').some((e) => e.data.includes('lost'))).toBe(false);
    expect(broadcastMessages(onB).map((m) => m.line)).toEqual(['Alice: before the outage', 'Alice: after the outage', 'Bob: reply after the outage']);
  });
});

describe('SPEC 7 cluster: Redis restarted empty (no persistence)', () => {
  let c: Cluster;
  beforeAll(async () => (c = await startCluster(false)));
  afterAll(() => stopCluster(c));

  it('rebuilds presence from the instances, shares names again and delivers new messages', async () => {
    const alice = await newUser(c.a.url, 'Alice');
    const bob = await newUser(c.b.url, 'Bob');
    const onA = await joinRoom(c.a, 'restart', alice);
    const onB = await joinRoom(c.b, 'restart', bob);
    c.sockets.push(onA, onB);
    await eventually('both present', () => latestPresence(onA)?.join() === 'Alice,Bob');
    const bobsStream = new SseClient(`${c.b.url}/events`, ['new-notification', 'notification-count'], bob.cookie);
    c.sockets.push(bobsStream);
    await bobsStream.waitFor((s) => s.named('notification-count').length === 1);
    await api(c.a.url, '/api/notify', { user: bob.userId, text: 'before the restart' });
    await bobsStream.waitFor((s) => s.named('new-notification').length === 1);

    await c.redis.kill('SIGKILL');
    await eventually('degraded', async () => (await health(c.b)).status === 503);
    await c.redis.restart();
    await eventually('healthy', async () => (await health(c.a)).status === 200 && (await health(c.b)).status === 200);

    // Redis came back empty: each instance wrote its own users back.
    const from = onB.frames.length;
    await eventually('presence rebuilt on A', async () => {
      const home = await (await fetch(c.a.url)).text();
      return /#restart<\/a> <span class="online">2 online/.test(home);
    });
    expect(latestPresence(onB)).toEqual(['Alice', 'Bob']);
    onA.sendMessage('fresh start');
    await onB.waitForText('fresh start', 5000, from);
    // Ids keep increasing although Redis forgot its counters, so the open stream does not skip this as old news.
    await api(c.a.url, '/api/notify', { user: bob.userId, text: 'after the restart' });
    await bobsStream.waitFor((s) => s.named('new-notification').some((e) => e.data.includes('after the restart')));
  });
});

describe('SPEC 7 cluster: Redis unreachable at start-up', () => {
  it('starts degraded, serves what it can, and recovers once Redis appears', async () => {
    const port = await freePort();
    const instance = await spawnInstance(`redis://127.0.0.1:${port}`);
    let redis: RedisServer | undefined;
    try {
      expect(instance.output()).toContain('is unreachable; serving degraded until it answers');
      expect(await health(instance)).toEqual({ status: 503, body: { status: 'degraded', redis: 'unreachable' } });
      expect((await fetch(instance.url)).status).toBe(200);
      redis = await startRedis({ port });
      await eventually('healthy once Redis answers', async () => (await health(instance)).status === 200);
      const user = await newUser(instance.url, 'Late');
      const socket = await joinRoom(instance, 'late', user);
      socket.sendMessage('made it');
      await socket.waitForText('made it', 5000, 1);
      socket.close();
    } finally {
      await instance.stop();
      await redis?.kill();
    }
  });
});
