import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SocketClient } from '../helpers/clients.ts';
import { broadcastMessages, eventually, health, INSTANCE_TTL_MS, joinRoom, latestPresence, newUser, spawnInstance } from '../helpers/cluster.ts';
import { startRedis, type RedisServer } from '../helpers/redis.ts';
import type { ChildServer } from '../helpers/server.ts';

let redis: RedisServer;
let a: ChildServer;
let b: ChildServer;
let alice: { cookie: string; userId: string };
let bob: { cookie: string; userId: string };
const open: SocketClient[] = [];
let roomCounter = 0;
const freshRoom = () => `cluster-${process.pid}-${++roomCounter}`;
const track = (client: SocketClient) => (open.push(client), client);

beforeAll(async () => {
  redis = await startRedis();
  [a, b] = await Promise.all([spawnInstance(redis.url), spawnInstance(redis.url)]);
  // Each user is created on one instance; the cookie and the name work on the other.
  alice = await newUser(a.url, 'Alice');
  bob = await newUser(b.url, 'Bob');
});

afterAll(async () => {
  for (const client of open) client.close();
  await Promise.all([a?.stop(), b?.stop()]);
  await redis?.kill();
});

describe('SPEC 7 cluster: chat across instances', () => {
  it('reports healthy while Redis answers', async () => {
    expect(await health(a)).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await health(b)).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('shows a client on A and one on B each other’s messages, in the same order, with increasing ids', async () => {
    const room = freshRoom();
    const onA = track(await joinRoom(a, room, alice));
    const onB = track(await joinRoom(b, room, bob));
    for (let i = 1; i <= 5; i++) {
      onA.sendMessage(`a${i}`);
      onB.sendMessage(`b${i}`);
    }
    await eventually('10 messages on both sockets', () => broadcastMessages(onA).length === 10 && broadcastMessages(onB).length === 10);
    const seenOnA = broadcastMessages(onA);
    const seenOnB = broadcastMessages(onB);
    expect(seenOnA).toEqual(seenOnB);
    const ids = seenOnA.map((m) => m.id);
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(new Set(ids).size).toBe(10);
    expect(seenOnA.filter((m) => m.line.startsWith('Alice')).map((m) => m.line)).toEqual(['a1', 'a2', 'a3', 'a4', 'a5'].map((t) => `Alice: ${t}`));
    expect(seenOnA.filter((m) => m.line.startsWith('Bob')).map((m) => m.line)).toEqual(['b1', 'b2', 'b3', 'b4', 'b5'].map((t) => `Bob: ${t}`));
  });

  it('a rename made on A shows in presence on B and in the next messages (SPEC 3)', async () => {
    const room = freshRoom();
    const carol = await newUser(a.url, 'Carol');
    const onA = track(await joinRoom(a, room, carol));
    const onB = track(await joinRoom(b, room, bob));
    await onB.waitForText('Carol', 5000);
    const from = onB.frames.length;
    const res = await fetch(`${a.url}/session`, {
      method: 'POST',
      headers: { cookie: carol.cookie, origin: a.url, 'hx-request': 'true', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ name: 'Caroline' }),
    });
    expect(res.status).toBe(200);
    // Presence on B: the renamed user's one <li> is replaced (issue 12: no whole-list fragments).
    expect(await onB.waitForText('Caroline', 5000, from)).toContain(`<li id="presence-${carol.userId}" data-user-id="${carol.userId}" hx-swap-oob="outerHTML">`);
    expect(latestPresence(onB)).toEqual(['Bob', 'Caroline']);
    onA.sendMessage('renamed');
    expect(await onB.waitForText('</strong> renamed', 5000, from)).toContain('<strong>Caroline:</strong> renamed');
  });

  it('shares history: a page and a snapshot on B hold what was said on A', async () => {
    const room = freshRoom();
    const onA = track(await joinRoom(a, room, alice));
    onA.sendMessage('said on A');
    await onA.waitForText('said on A', 5000, 1);
    const page = await (await fetch(`${b.url}/chat/${room}`, { headers: { cookie: bob.cookie } })).text();
    expect(page).toContain('said on A');
    const onB = track(await joinRoom(b, room, bob));
    expect(onB.frames[0]).toContain('said on A');
  });

  it('counts both users in presence and on the home page of either instance', async () => {
    const room = freshRoom();
    const onA = track(await joinRoom(a, room, alice));
    const onB = track(await joinRoom(b, room, bob));
    await eventually('both names on A', () => latestPresence(onA)?.join() === 'Alice,Bob');
    await eventually('both names on B', () => latestPresence(onB)?.join() === 'Alice,Bob');
    for (const server of [a, b]) {
      const home = await (await fetch(server.url)).text();
      expect(home).toMatch(new RegExp(`${room}[\\s\\S]{0,200}2 online`));
    }
    onB.close();
    await eventually('Bob gone on A', () => latestPresence(onA)?.join() === 'Alice');
  });

  it('lists a user with tabs on both instances once; only closing the last tab makes them leave', async () => {
    const room = freshRoom();
    const watcher = track(await joinRoom(a, room, alice));
    const bobOnA = track(await joinRoom(a, room, bob));
    const bobOnB = track(await joinRoom(b, room, bob));
    await eventually('Alice and Bob on A', () => latestPresence(watcher)?.join() === 'Alice,Bob');
    expect(latestPresence(bobOnB)).toEqual(['Alice', 'Bob']);
    const home = await (await fetch(b.url)).text();
    expect(home).toMatch(new RegExp(`${room}[\\s\\S]{0,200}2 online`));
    bobOnA.close();
    await bobOnA.closed;
    // Bob is still on B: a marker message shows everything before it has been delivered.
    bobOnB.sendMessage('still here');
    await watcher.waitForText('still here');
    expect(latestPresence(watcher)).toEqual(['Alice', 'Bob']);
    bobOnB.close();
    await eventually('Bob gone once his last tab closed', () => latestPresence(watcher)?.join() === 'Alice');
  });

  it('limits the rate per user across instances: two sockets share one bucket', async () => {
    const room = freshRoom();
    const carol = await newUser(a.url, 'Carol');
    const onA = track(await joinRoom(a, room, carol));
    const onB = track(await joinRoom(b, room, carol));
    for (let i = 1; i <= 6; i++) {
      onA.sendMessage(`ra${i}`);
      onB.sendMessage(`rb${i}`);
    }
    await eventually('a rate-limit error', () => [...onA.frames, ...onB.frames].some((f) => f.includes('too fast')));
    await eventually('accepted messages to settle', async () => {
      const before = broadcastMessages(onA).length;
      await new Promise((r) => setTimeout(r, 300));
      return broadcastMessages(onA).length === before && before > 0;
    });
    // 12 sent, one bucket of 10 (plus at most one refill while they were in flight).
    expect(broadcastMessages(onA).length).toBeGreaterThanOrEqual(10);
    expect(broadcastMessages(onA).length).toBeLessThanOrEqual(11);
  });

  it('on SIGTERM, exits 0 and its users leave presence at once (long before the liveness TTL)', async () => {
    const d = await spawnInstance(redis.url, { CLUSTER_INSTANCE_TTL_MS: '600000' });
    const room = freshRoom();
    const onB = track(await joinRoom(b, room, alice));
    track(await joinRoom(d, room, bob));
    await eventually('Bob (on D) present on B', () => latestPresence(onB)?.join() === 'Alice,Bob');
    expect(await d.stop('SIGTERM')).toBe(0);
    await eventually('Bob gone from B after the shutdown', () => latestPresence(onB)?.join() === 'Alice', 5000);
  });

  it('shares a generated session secret through Redis when SESSION_SECRET is unset', async () => {
    const [e, f] = await Promise.all([spawnInstance(redis.url, { SESSION_SECRET: '' }), spawnInstance(redis.url, { SESSION_SECRET: '' })]);
    try {
      const hana = await newUser(e.url, 'Hana');
      const page = await (await fetch(`${f.url}/chat/secret`, { headers: { cookie: hana.cookie } })).text();
      expect(page).toContain(`data-user-id="${hana.userId}"`);
      expect(page).toContain('Hana');
    } finally {
      await Promise.all([e.stop(), f.stop()]);
    }
  });

  it('takes the users of a SIGKILLed instance out of presence within the liveness TTL', async () => {
    const c = await spawnInstance(redis.url);
    try {
      const room = freshRoom();
      const onB = track(await joinRoom(b, room, alice));
      track(await joinRoom(c, room, bob));
      await eventually('Bob (on C) present on B', () => latestPresence(onB)?.join() === 'Alice,Bob');
      await c.stop('SIGKILL');
      await eventually('Bob gone from B after the kill', () => latestPresence(onB)?.join() === 'Alice', INSTANCE_TTL_MS * 4);
      const home = await (await fetch(b.url)).text();
      expect(home).toMatch(new RegExp(`${room}[\\s\\S]{0,200}1 online`));
    } finally {
      await c.stop('SIGKILL');
    }
  });
});
