import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { NodeServer } from '../../app/platform/node.ts';
import type { DirectFanout } from '../../app/realtime/room-fanout.ts';
import { newUser, sendAndSeeBoth, SocketClient, wsUrl } from '../helpers/clients.ts';
import { startServer, TEST_TOKEN } from '../helpers/server.ts';

/**
 * One process: a room's broadcast goes straight to the room's sockets. The hub (which SSE topics,
 * control orders and renames use) never sees a chat or lobby event, and the reconnect snapshot and
 * live messages still add up to every message exactly once.
 */

let server: NodeServer;
let alice: { cookie: string; userId: string };
let bob: { cookie: string; userId: string };
let counter = 0;
const fresh = (kind: string) => `${kind}-${process.pid}-${++counter}`;

/** Ids of the messages a client was shown, snapshot and live ones, in arrival order (trims are not shown messages). */
const messageIds = (frames: readonly string[]) => frames.flatMap((frame) => [...frame.matchAll(/<div class="message" id="msg-(\d+)"/g)].map((m) => Number(m[1])));

/** Every message id of a room, oldest first, read page by page through "Load older". */
async function roomIds(room: string, cookie: string): Promise<number[]> {
  const ids: number[] = [];
  for (let before = Number.MAX_SAFE_INTEGER; ; ) {
    const html = await (await fetch(`${server.url}/chat/${room}/history?before=${before}`, { headers: { cookie } })).text();
    const page = messageIds([html]);
    if (page.length === 0) return ids;
    ids.unshift(...page);
    before = page[0]!;
  }
}

beforeAll(async () => {
  server = await startServer({ HISTORY_LIMIT: '5' }, { rateBurst: 1000, ratePerSecond: 1000 });
  alice = await newUser(server.url, 'Alice');
  bob = await newUser(server.url, 'Bob');
});
afterAll(() => server.shutdown());

describe('one process: a room publishes straight to its sockets', () => {
  it('a chat message reaches every socket of the room once, and the hub sees no chat event', async () => {
    const room = fresh('direct');
    const hubPublish = vi.spyOn(server.platform.hub, 'publish');
    const direct = vi.spyOn(server.platform.fanout as DirectFanout, 'publish');
    try {
      const a = await SocketClient.connect(wsUrl(server.url, `/chat/${room}/ws`), { cookie: alice.cookie });
      await a.waitForText('id="chat-messages" hx-swap-oob="innerHTML"');
      const b = await SocketClient.connect(wsUrl(server.url, `/chat/${room}/ws`), { cookie: bob.cookie });
      await b.waitForText('id="chat-messages" hx-swap-oob="innerHTML"');
      const fromB = b.frames.length;
      await sendAndSeeBoth(a, b, 'straight through', '</strong> straight through ');
      expect(b.frames.slice(fromB).filter((frame) => frame.includes('straight through'))).toHaveLength(1);
      // Rendered once, handed to the room's sockets by the room itself.
      expect(direct.mock.calls.filter(([topic, event]) => topic === `chat:${room}` && event === 'message')).toHaveLength(1);
      // The old path published every message (and presence change) on the hub and heard it back.
      expect(hubPublish.mock.calls.filter(([topic]) => topic === `chat:${room}`)).toEqual([]);
      a.close();
      b.close();
    } finally {
      hubPublish.mockRestore();
      direct.mockRestore();
    }
  });

  it('a lobby update reaches every player once without the hub', async () => {
    const lobby = fresh('lobby');
    const hubPublish = vi.spyOn(server.platform.hub, 'publish');
    try {
      const a = await SocketClient.connect(wsUrl(server.url, `/lobby/${lobby}/ws`), { cookie: alice.cookie });
      await a.waitForText('Alice has joined');
      const b = await SocketClient.connect(wsUrl(server.url, `/lobby/${lobby}/ws`), { cookie: bob.cookie });
      await a.waitForText('Bob has joined');
      await b.waitForText('Bob has joined');
      const from = a.frames.length;
      b.sendMessage('hi lobby');
      await a.waitForText('hi lobby', 5000, from);
      expect(hubPublish.mock.calls.filter(([topic]) => topic === `lobby:${lobby}`)).toEqual([]);
      a.close();
      b.close();
    } finally {
      hubPublish.mockRestore();
    }
  });

  it('messages posted over the API while a client reconnects show once each: none twice, none missing', async () => {
    const room = fresh('burst');
    const watcher = await SocketClient.connect(wsUrl(server.url, `/chat/${room}/ws`), { cookie: alice.cookie });
    await watcher.waitForText('id="chat-messages" hx-swap-oob="innerHTML"');
    const total = 60;
    const post = (i: number) =>
      fetch(`${server.url}/api/rooms/${room}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'feed', text: `m${i}` }),
      });
    const posted = Promise.all(Array.from({ length: total }, (_, i) => post(i)));
    // A client reconnects again and again during the burst; each connection's snapshot plus what it
    // was sent after it must hold every message it shows exactly once, with no gap after the snapshot.
    const connections: SocketClient[] = [];
    for (let i = 0; i < 6; i++) {
      const client = await SocketClient.connect(wsUrl(server.url, `/chat/${room}/ws`), { cookie: bob.cookie });
      await client.waitForText('id="chat-messages" hx-swap-oob="innerHTML"');
      connections.push(client);
    }
    for (const res of await posted) expect(res.status).toBe(201);
    await watcher.waitFor(() => messageIds(watcher.frames).length >= total);
    const everything = messageIds(watcher.frames);
    expect(new Set(everything).size).toBe(total);
    expect(everything).toEqual([...everything].sort((x, y) => x - y));
    const last = everything.at(-1)!;
    for (const client of connections) {
      await client.waitFor(() => messageIds(client.frames).at(-1) === last);
      const ids = messageIds(client.frames);
      expect(new Set(ids).size, `a message shown twice: ${ids.join(',')}`).toBe(ids.length);
      // From the snapshot's first message on, every message of the room, in order.
      const first = everything.indexOf(ids[0]!);
      expect(ids).toEqual(everything.slice(first));
      client.close();
    }
    watcher.close();
  });

  it('a first socket joining a room in the middle of a burst gets each message once (snapshot read from the store)', async () => {
    for (let round = 0; round < 3; round++) {
      const room = fresh('cold');
      const total = 40;
      // The room exists while the API posts; its history is not cached yet when the socket joins.
      const posted = Promise.all(
        Array.from({ length: total }, (_, i) =>
          fetch(`${server.url}/api/rooms/${room}/messages`, {
            method: 'POST',
            headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' },
            body: JSON.stringify({ name: 'feed', text: `c${i}` }),
          }),
        ),
      );
      const client = await SocketClient.connect(wsUrl(server.url, `/chat/${room}/ws`), { cookie: bob.cookie });
      for (const res of await posted) expect(res.status).toBe(201);
      const stored = await roomIds(room, bob.cookie);
      expect(stored).toHaveLength(total);
      await client.waitFor(() => messageIds(client.frames).at(-1) === stored.at(-1));
      const ids = messageIds(client.frames);
      expect(new Set(ids).size, `round ${round}: a message shown twice: ${ids.join(',')}`).toBe(ids.length);
      // From the first message it shows on, every message of the room, in order: none missing.
      expect(ids).toEqual(stored.slice(stored.indexOf(ids[0]!)));
      client.close();
    }
  });
});
