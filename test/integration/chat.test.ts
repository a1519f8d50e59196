import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeServer } from '../../app/platform/node.ts';
import { newUser, sendAndSeeBoth, shownPresence, SocketClient, sleep, wsUrl } from '../helpers/clients.ts';
import { startServer } from '../helpers/server.ts';

let server: NodeServer;
let alice: { cookie: string; userId: string };
let bob: { cookie: string; userId: string };
let roomCounter = 0;
const freshRoom = () => `room-${process.pid}-${++roomCounter}`;

const join = async (room: string, user: { cookie: string }) => {
  const client = await SocketClient.connect(wsUrl(server.url, `/chat/${room}/ws`), { cookie: user.cookie });
  await client.waitForText('id="chat-messages" hx-swap-oob="innerHTML"');
  return client;
};

beforeAll(async () => {
  server = await startServer({ HISTORY_LIMIT: '3' });
  alice = await newUser(server.url, 'Alice');
  bob = await newUser(server.url, 'Bob');
});
afterAll(() => server.shutdown());

describe('SPEC 4.2 chat page', () => {
  it('renders the markup contract', async () => {
    const html = await (await fetch(`${server.url}/chat/general`, { headers: { cookie: alice.cookie } })).text();
    expect(html).toContain('hx-ext="ws" ws-connect="/chat/general/ws"');
    expect(html).toMatch(/<div id="chat-messages" role="log" aria-live="polite"[^>]*>/);
    expect(html).toContain('id="presence"');
    expect(html).toContain('id="chat-error"');
    expect(html).toMatch(/<form id="chat-form" ws-send[^>]*>/);
    expect(html).toContain('name="message"');
    expect(html).toContain('id="connection-status"');
    expect(html).toContain(`data-user-id="${alice.userId}"`);
  });

  it('answers 404 for names outside [a-z0-9_-]{1,64} and folds upper case', async () => {
    for (const bad of ['no%20spaces', 'a'.repeat(65), 'caf%C3%A9', 'dot.dot']) {
      const res = await fetch(`${server.url}/chat/${bad}`);
      expect(res.status, bad).toBe(404);
      expect(await res.text()).toContain('Not found');
    }
    const folded = await fetch(`${server.url}/chat/General`, { redirect: 'manual' });
    expect(folded.status).toBe(308);
    expect(folded.headers.get('location')).toBe('/chat/general');
  });

  it('serves every script the layout loads with 200', async () => {
    const html = await (await fetch(`${server.url}/chat/general`)).text();
    const sources = [...html.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]!);
    expect(sources.map((src) => src.split('?')[0])).toEqual(expect.arrayContaining(['/vendor/htmx.min.js', '/vendor/ws.min.js', '/vendor/sse.min.js']));
    for (const src of sources) {
      const res = await fetch(server.url + src);
      expect(res.status, src).toBe(200);
      expect((await res.text()).length, src).toBeGreaterThan(100);
    }
    expect(html).not.toMatch(/<script(?![^>]*src=)[^>]*>/);
  });
});

describe('SPEC 4.2 chat over WebSocket', () => {
  it('sends the snapshot first, then one fragment per message to every socket', async () => {
    const room = freshRoom();
    const a = await join(room, alice);
    const b = await join(room, bob);
    expect(a.frames[0]).toContain('<div id="chat-messages" hx-swap-oob="innerHTML">');
    expect(a.frames[0]).toContain('<div id="presence" hx-swap-oob="innerHTML">');

    const seenByB = await sendAndSeeBoth(a, b, '  hello <b>there</b> & "you"  ', 'hello');
    expect(seenByB).toMatch(
      /^<div id="chat-messages" hx-swap-oob="beforeend"><div class="message" id="msg-(\d+)" data-user-id="[^"]+"><strong>Alice:<\/strong> hello &lt;b&gt;there&lt;\/b&gt; &amp; &quot;you&quot; <time datetime="[^"]+">/,
    );
    expect(seenByB).not.toContain('<b>');
    a.close();
    b.close();
  });

  it('sends the last HISTORY_LIMIT messages on reconnect and deletes the one that falls out', async () => {
    const room = freshRoom();
    const a = await join(room, alice);
    const ids: string[] = [];
    for (const text of ['one', 'two', 'three']) {
      const from = a.frames.length;
      a.sendMessage(text);
      const frame = await a.waitForText(`</strong> ${text} `, 5000, from);
      ids.push(/id="msg-(\d+)"/.exec(frame)![1]!);
      expect(frame).not.toContain('hx-swap-oob="delete"');
    }
    const from = a.frames.length;
    a.sendMessage('four');
    const fourth = await a.waitForText('</strong> four ', 5000, from);
    expect(fourth).toContain(`<div id="msg-${ids[0]}" hx-swap-oob="delete"></div>`);
    a.close();

    const again = await join(room, bob);
    const snapshot = again.frames[0]!;
    expect(snapshot).not.toContain('</strong> one ');
    for (const text of ['two', 'three', 'four']) expect(snapshot).toContain(`</strong> ${text} `);
    expect(snapshot).toContain(`hx-get="/chat/${room}/history?before=${ids[1]}"`);
    again.close();
  });

  it('shows a message sent the moment the socket opens once: in the snapshot or as a broadcast, never both (SPEC 4.7)', async () => {
    // A page coming back online sends its pending messages as soon as its socket opens, before its
    // snapshot has arrived; the room's history is not cached yet (as after a restart).
    const carl = await newUser(server.url, 'Carl');
    for (let i = 0; i < 5; i++) {
      const room = freshRoom();
      const text = `at once ${i} in ${room}`;
      const client = new SocketClient(wsUrl(server.url, `/chat/${room}/ws`), { cookie: carl.cookie });
      client.socket.once('open', () => client.sendMessage(text));
      await client.opened;
      await client.waitForText(text);
      // The sender's cleared error follows the broadcast, and the snapshot came before both.
      await client.waitForText('<div id="chat-error" hx-swap-oob="innerHTML"></div>');
      expect(client.frames.join('\n').split(text).length - 1, room).toBe(1);
      client.close();
    }
  });

  it('pages older history with Load older', async () => {
    const room = freshRoom();
    // The rate limit is per user (SPEC §6): a user of its own, not one earlier tests have spent.
    const a = await join(room, await newUser(server.url, 'Alice'));
    for (let i = 1; i <= 7; i++) {
      const from = a.frames.length;
      a.sendMessage(`m${i}`);
      await a.waitForText(`</strong> m${i} `, 5000, from);
    }
    const page = await (await fetch(`${server.url}/chat/${room}`, { headers: { cookie: alice.cookie } })).text();
    const before = /history\?before=(\d+)/.exec(page)![1]!;
    const older = await (await fetch(`${server.url}/chat/${room}/history?before=${before}`)).text();
    expect(older).toContain('</strong> m2 ');
    expect(older).toContain('</strong> m4 ');
    expect(older).not.toContain('</strong> m5 ');
    expect(older).toContain('Load older');
    const oldest = /history\?before=(\d+)/.exec(older)![1]!;
    const first = await (await fetch(`${server.url}/chat/${room}/history?before=${oldest}`)).text();
    expect(first).toContain('</strong> m1 ');
    expect(first).toContain('start of #');
    expect((await fetch(`${server.url}/chat/${room}/history?before=abc`)).status).toBe(400);
    a.close();
  });

  it('lists each user once in #presence, however many tabs, and updates on leave', async () => {
    const room = freshRoom();
    const a1 = await join(room, alice);
    const a2 = await join(room, alice);
    const b = await join(room, bob);
    await a1.waitForText('Online (2)');
    expect(shownPresence(a1.frames)).toEqual({ count: 2, names: ['Alice', 'Bob'] });
    expect(shownPresence(b.frames)).toEqual({ count: 2, names: ['Alice', 'Bob'] });
    const from = a1.frames.length;
    a2.close();
    await sleep(200);
    expect(a1.frames.slice(from).some((f) => f.includes('Online (1)'))).toBe(false);
    b.close();
    const after = await a1.waitForText('Online (1)', 5000, from);
    expect(after).toContain(`<li id="presence-${bob.userId}" hx-swap-oob="delete"></li>`);
    expect(shownPresence(a1.frames)).toEqual({ count: 1, names: ['Alice'] });
    a1.close();
  });
});

describe('SPEC 4.2 presence bookkeeping', () => {
  it('leaves no presence behind for sockets that close while their join is queued', async () => {
    const room = freshRoom();
    const a = await join(room, alice);
    const flurry = Array.from({ length: 20 }, () => new SocketClient(wsUrl(server.url, `/chat/${room}/ws`), { cookie: bob.cookie }));
    await Promise.all(flurry.map((c) => c.opened.catch(() => {})));
    for (const c of flurry) c.socket.terminate();
    await Promise.all(flurry.map((c) => c.closed));
    for (let i = 0; i < 50 && (await server.platform.presence.list(`chat:${room}`)).length !== 1; i++) await sleep(50);
    expect(await server.platform.presence.list(`chat:${room}`)).toEqual([{ userId: alice.userId, name: 'Alice' }]);
    a.close();
    await a.closed;
    for (let i = 0; i < 50 && (await server.platform.presence.counts()).has(`chat:${room}`); i++) await sleep(50);
    expect((await server.platform.presence.counts()).has(`chat:${room}`)).toBe(false);
  });
});

describe('SPEC 6 limits and bad input', () => {
  it('refuses a foreign Origin with 403 before upgrading', async () => {
    const room = freshRoom();
    await expect(
      SocketClient.connect(wsUrl(server.url, `/chat/${room}/ws`), { cookie: alice.cookie, origin: 'https://evil.example' }),
    ).rejects.toThrow('403');
    const same = await SocketClient.connect(wsUrl(server.url, `/chat/${room}/ws`), { cookie: alice.cookie, origin: server.url });
    same.close();
  });

  it('lets ALLOWED_ORIGINS through', async () => {
    const other = await startServer({ ALLOWED_ORIGINS: 'https://app.example.com' });
    try {
      const user = await newUser(other.url, 'Carol');
      const ok = await SocketClient.connect(wsUrl(other.url, '/chat/x/ws'), { cookie: user.cookie, origin: 'https://app.example.com' });
      ok.close();
      await expect(SocketClient.connect(wsUrl(other.url, '/chat/x/ws'), { cookie: user.cookie, origin: 'https://evil.example' })).rejects.toThrow('403');
    } finally {
      await other.shutdown();
    }
  });

  it('closes with 1009 on a frame over 64 KiB', async () => {
    const client = await join(freshRoom(), alice);
    client.send({ message: 'x'.repeat(70 * 1024) });
    expect(await client.closed).toBe(1009);
  });

  it('answers bad input with an error fragment for that client only and keeps the socket open', async () => {
    const room = freshRoom();
    // The rate limit is per user (SPEC §6): a user of its own, not one earlier tests have spent.
    const a = await join(room, await newUser(server.url, 'Alice'));
    const b = await join(room, bob);
    const fromB = b.frames.length;
    const cases: Array<[string | Buffer, RegExp]> = [
      [Buffer.from([1, 2, 3]), /Binary messages/],
      ['{not json', /not valid JSON/],
      ['[1,2]', /JSON object/],
      [JSON.stringify({ HEADERS: {} }), /&quot;message&quot; field is missing/],
      [JSON.stringify({ message: 42 }), /must be text/],
      [JSON.stringify({ message: '   ' }), /empty/],
      [JSON.stringify({ message: 'y'.repeat(2001) }), /2001 characters long; the limit is 2000/],
      [JSON.stringify({ message: 'hi', admin: true }), /Unknown field &quot;admin&quot;/],
    ];
    for (const [payload, expected] of cases) {
      const from = a.frames.length;
      a.socket.send(payload);
      const frame = await a.waitFor((f) => f.startsWith('<div id="chat-error" hx-swap-oob="innerHTML">'), 5000, from);
      expect(frame).toMatch(expected);
    }
    expect(a.socket.readyState).toBe(a.socket.OPEN);
    await sleep(100);
    expect(b.frames.slice(fromB).some((f) => f.includes('chat-error'))).toBe(false);
    const from = b.frames.length;
    a.sendMessage('still here');
    await b.waitForText('still here', 5000, from);
    a.close();
    b.close();
  });

  it('allows a burst of 10, then answers the excess with an error fragment that is not broadcast', async () => {
    const room = freshRoom();
    // The rate limit is per user (SPEC §6): a user of its own, not one earlier tests have spent.
    const a = await join(room, await newUser(server.url, 'Alice'));
    const b = await join(room, bob);
    const fromB = b.frames.length;
    for (let i = 1; i <= 12; i++) a.sendMessage(`burst ${i}`);
    await b.waitForText('</strong> burst 10 ', 5000, fromB);
    const error = await a.waitForText('too fast');
    expect(error).toContain('id="chat-error"');
    await sleep(300);
    const delivered = b.frames.slice(fromB).filter((f) => f.includes('</strong> burst '));
    expect(delivered).toHaveLength(10);
    await sleep(1100);
    const from = b.frames.length;
    a.sendMessage('after the pause');
    await b.waitForText('after the pause', 5000, from);
    a.close();
    b.close();
  });

  it('refuses sockets of users without a name', async () => {
    const anonymous = await newUser(server.url);
    const client = await SocketClient.connect(wsUrl(server.url, `/chat/${freshRoom()}/ws`), { cookie: anonymous.cookie });
    expect(await client.closed).toBe(1008);
    expect(client.frames.join()).toContain('Choose a name');
  });
});

describe('presence as add/remove fragments (issue 12)', () => {
  it('a join costs each member one <li> and the count; the joiner gets a snapshot; a leave deletes one', async () => {
    const room = freshRoom();
    const users = [alice, bob];
    for (let i = 0; i < 4; i++) users.push(await newUser(server.url, `User ${i}`));
    const clients: SocketClient[] = [];
    const joinFrames: string[] = [];
    for (const user of users) {
      const from = clients[0]?.frames.length ?? 0;
      clients.push(await join(room, user));
      if (clients.length > 1) joinFrames.push(await clients[0]!.waitForText(`Online (${clients.length})`, 5000, from));
    }
    for (const frame of joinFrames) {
      expect(frame.match(/<li /g)).toHaveLength(1);
      expect(frame).not.toContain('<div id="presence"');
    }
    // The same size whoever joins, however many are in already (names here are all as long).
    expect(new Set(joinFrames.slice(1).map((f) => f.length)).size).toBe(1);
    const names = ['Alice', 'Bob', 'User 0', 'User 1', 'User 2', 'User 3'];
    for (const client of clients) {
      await client.waitForText('Online (6)');
      expect(shownPresence(client.frames).count).toBe(6);
      expect(shownPresence(client.frames).names.sort()).toEqual([...names].sort());
    }
    const last = clients.at(-1)!;
    expect(last.frames[0]).toContain('<div id="presence" hx-swap-oob="innerHTML">');
    const from = clients[0]!.frames.length;
    clients[2]!.close();
    const left = await clients[0]!.waitForText('Online (5)', 5000, from);
    expect(left).not.toContain('<li id="presence-' + users[0]!.userId);
    expect(left.match(/<li /g)).toHaveLength(1);
    for (const client of [clients[0]!, clients[1]!, last]) await client.waitForText('Online (5)', 5000);
    expect(shownPresence(clients[0]!.frames).names.sort()).toEqual(names.filter((n) => n !== 'User 0').sort());
    for (const client of clients) client.close();
  });

  it('bounds the list past 100 users: the count goes on, names beyond the first 100 are not sent', async () => {
    const room = freshRoom();
    const watcher = await join(room, alice);
    const others: SocketClient[] = [];
    const users = await Promise.all(Array.from({ length: 101 }, (_, i) => newUser(server.url, `P${String(i).padStart(3, '0')}`)));
    for (const user of users) others.push(await join(room, user));
    await watcher.waitForText('Online (102)', 10_000);
    const late = await join(room, bob);
    const snapshot = late.frames[0]!;
    expect(snapshot).toContain('Online (102)');
    expect(snapshot.match(/<li /g)).toHaveLength(100);
    await watcher.waitForText('Online (103)', 10_000);
    const seen = shownPresence(watcher.frames);
    expect(seen.count).toBe(103);
    expect(seen.names).toHaveLength(100);
    // A leave of someone not shown moves only the count; of someone shown, deletes their <li>.
    const from = watcher.frames.length;
    late.close();
    expect(await watcher.waitForText('Online (102)', 10_000, from)).not.toContain('<li');
    others[0]!.close();
    expect(await watcher.waitForText('Online (101)', 10_000, from)).toContain(`<li id="presence-${users[0]!.userId}" hx-swap-oob="delete">`);
    expect(shownPresence(watcher.frames)).toMatchObject({ count: 101 });
    for (const client of [watcher, ...others]) client.close();
  }, 60_000);
});
