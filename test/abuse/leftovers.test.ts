import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeServer } from '../../app/platform/node.ts';
import { sizesOf } from '../../app/realtime/stats.ts';
import { newUser, SocketClient, sleep, wsUrl } from '../helpers/clients.ts';
import { startServer } from '../helpers/server.ts';
import { api, RawSse } from '../helpers/sse.ts';

/** Issue 10 items 1 and 2: nothing a request leaves behind outlives it; rings only where SSE replays. */
let server: NodeServer;
const sizes = () => sizesOf(server.platform.stats);

/** Runs `count` tasks, `width` at a time. */
async function pool(count: number, width: number, task: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < count) await task(next++);
  }));
}

async function settle(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await sleep(50);
  expect(check(), `${what}: ${JSON.stringify(sizes())}`).toBe(true);
}

beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.shutdown());

describe('SPEC 6: a request that never upgrades leaves nothing behind', () => {
  it('2,000 plain GETs of /chat/NAME/ws and /lobby/NAME/ws make no room, lobby or hub topic', async () => {
    const { cookie } = await newUser(server.url, 'Getter');
    const before = sizes();
    await pool(2000, 32, async (i) => {
      const kind = i % 2 ? 'chat' : 'lobby';
      const res = await fetch(`${server.url}/${kind}/plain-${i}/ws`, { headers: { cookie } });
      await res.arrayBuffer();
    });
    const after = sizes();
    expect(after.chatRooms).toBe(0);
    expect(after.lobbies).toBe(0);
    expect(after.hubTopics).toBe(before.hubTopics);
    expect(after.connectedUsers).toBe(0);
  });

  it('refused upgrades (no display name → 1008) never make a room either', async () => {
    const { cookie } = await newUser(server.url);
    const before = sizes();
    await pool(200, 20, async (i) => {
      const kind = i % 2 ? 'chat' : 'lobby';
      const client = await SocketClient.connect(wsUrl(server.url, `/${kind}/nameless-${i}/ws`), { cookie });
      expect(await client.closed).toBe(1008);
    });
    await settle(() => sizes().connectedUsers === 0, 'slots given back');
    const after = sizes();
    expect(after.chatRooms).toBe(0);
    expect(after.lobbies).toBe(0);
    expect(after.hubTopics).toBe(before.hubTopics);
  });

  it('a room made by a real socket is released with its last socket', async () => {
    const { cookie } = await newUser(server.url, 'Holder');
    const before = sizes();
    const clients = await Promise.all(
      Array.from({ length: 30 }, async (_, i) => {
        const client = await SocketClient.connect(wsUrl(server.url, `/${i % 2 ? 'chat' : 'lobby'}/held-${i}/ws`), { cookie });
        await client.waitFor((f) => f.includes('hx-swap-oob'));
        return client;
      }),
    );
    expect(sizes().chatRooms + sizes().lobbies).toBe(30);
    for (const client of clients) client.close();
    await settle(() => sizes().chatRooms === 0 && sizes().lobbies === 0, 'rooms released');
    await settle(() => sizes().hubTopics === before.hubTopics, 'hub topics released');
  });
});

describe('SPEC 6: replay rings only for topics SSE replays', () => {
  it('1,000 messages of 2,000 characters keep no chat ring; the rooms/dashboard rings stay within their byte bound', async () => {
    const text = 'x'.repeat(2000);
    await pool(1000, 16, async (i) => {
      const res = await api(server.url, `/api/rooms/big-${i % 100}/messages`, { name: 'bot', text });
      expect(res.status).toBe(201);
    });
    const after = sizes();
    // Only `rooms` and `dashboard` may have rings (the hub also sees the built-in metric topics publish there).
    expect(after.rings).toBeLessThanOrEqual(2);
    expect(after.ringBytes).toBeLessThan(2 * server.platform.config.limits.maxRingBytes);
    // Nothing of the 100 chat topics is kept: no listeners, no rings.
    expect(after.chatRooms).toBe(0);
    // The ring events left are the dashboard's and the room list's, never the 1,000 messages (each ≥ 6 KB in a ring).
    expect(after.ringBytes).toBeLessThan(1000 * 6000);
  });

  it('an SSE client still resumes the rooms topic exactly after the change', async () => {
    const { cookie } = await newUser(server.url, 'Watcher');
    const first = await RawSse.open(`${server.url}/events?topics=rooms`, { cookie });
    await first.waitForEvent((e) => e.event === 'rooms');
    const lastId = first.lastId;
    first.close();
    const { cookie: other } = await newUser(server.url, 'Mover');
    const mover = await SocketClient.connect(wsUrl(server.url, '/chat/resume-check/ws'), { cookie: other });
    await mover.waitFor((f) => f.includes('hx-swap-oob'));
    const again = await RawSse.open(`${server.url}/events?topics=rooms`, { cookie, 'last-event-id': lastId });
    const update = await again.waitForEvent((e) => e.event === 'rooms' && e.data.includes('resume-check'));
    expect(update.data).toContain('resume-check');
    again.close();
    mover.close();
  });
});
