import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { NodeServer } from '../../app/platform/node.ts';
import { ConfigError, readConfig } from '../../app/config.ts';
import { newUser, SocketClient, sleep, wsUrl } from '../helpers/clients.ts';
import { startServer } from '../helpers/server.ts';
import { lobbyTopic } from '../../app/realtime/lobby-room.tsx';
import type { DirectFanout } from '../../app/realtime/room-fanout.ts';

type User = { cookie: string; userId: string };

const GRACE_MS = 300;
let server: NodeServer;
let alice: User;
let bob: User;
let charlie: User;
let lobbyCounter = 0;
const freshLobby = () => `lobby-${process.pid}-${++lobbyCounter}`;

const SNAPSHOT = '<div id="chat-log" hx-swap-oob="innerHTML">';

async function enter(lobby: string, user: User, on = server): Promise<SocketClient> {
  const client = await SocketClient.connect(wsUrl(on.url, `/lobby/${lobby}/ws`), { cookie: user.cookie });
  await client.waitForText(SNAPSHOT);
  return client;
}

/** Waits for the player's own join line, so that the next step starts from a settled lobby. */
async function join(lobby: string, user: User, name: string): Promise<SocketClient> {
  const client = await enter(lobby, user);
  await client.waitForText(`<p><em>${name} has joined the lobby.</em></p>`);
  return client;
}

const ready = (client: SocketClient) => client.send({ action: 'ready', HEADERS: { 'HX-Request': 'true', 'HX-Trigger': 'ready-form' } });
const say = (client: SocketClient, message: string) =>
  client.send({ message, HEADERS: { 'HX-Request': 'true', 'HX-Trigger': 'lobby-chat-form' } });

const players = (...list: string[]) => list.map((p) => `<div class="player">${p}</div>`).join('');
const update = (list: string, status: string, logId: number, line: string) =>
  `<div id="player-list" hx-swap-oob="innerHTML">${list}</div>` +
  `<div id="game-status" hx-swap-oob="innerHTML">${status}</div>` +
  `<div id="chat-log" hx-swap-oob="beforeend"><div class="log-line" id="log-${logId}"><p><em>${line}</em></p></div></div>`;

beforeAll(async () => {
  server = await startServer({ LOBBY_GRACE_MS: String(GRACE_MS) });
  [alice, bob, charlie] = await Promise.all([newUser(server.url, 'Alice'), newUser(server.url, 'Bob'), newUser(server.url, 'Charlie')]);
});
afterAll(() => server.shutdown());

describe('SPEC 4.3 lobby page', () => {
  it('renders the markup contract', async () => {
    const html = await (await fetch(`${server.url}/lobby/arena`, { headers: { cookie: alice.cookie } })).text();
    expect(html).toContain('<div class="lobby" hx-ext="ws" ws-connect="/lobby/arena/ws">');
    for (const id of ['player-list', 'game-status', 'chat-log', 'chat-error']) expect(html).toContain(`id="${id}"`);
    expect(html).toMatch(/<form id="ready-form" ws-send[^>]*><button type="submit" name="action" value="ready">/);
    expect(html).toMatch(/<form id="lobby-chat-form" ws-send[^>]*>[\s\S]*name="message"/);
    expect(html).toContain(`data-user-id="${alice.userId}"`);
  });

  it('asks for a name before showing the lobby', async () => {
    const anonymous = await newUser(server.url);
    const html = await (await fetch(`${server.url}/lobby/arena`, { headers: { cookie: anonymous.cookie } })).text();
    expect(html).toContain('id="name-form"');
    expect(html).not.toContain('ws-connect');
  });

  it('answers 404 for ids outside [a-z0-9_-]{1,64} and folds upper case with a 308', async () => {
    for (const bad of ['no%20spaces', 'a'.repeat(65), 'caf%C3%A9', 'dot.dot']) {
      const res = await fetch(`${server.url}/lobby/${bad}`);
      expect(res.status, bad).toBe(404);
      expect(await res.text()).toContain('Not found');
    }
    const folded = await fetch(`${server.url}/lobby/Arena`, { redirect: 'manual' });
    expect(folded.status).toBe(308);
    expect(folded.headers.get('location')).toBe('/lobby/arena');
  });
});

describe('SPEC 4.3 lobby over WebSocket', () => {
  it('sends one message with all three regions to every player on join, ready and leave', async () => {
    const lobby = freshLobby();
    const a = await enter(lobby, alice);
    expect(a.frames[0]).toBe(
      `<div id="player-list" hx-swap-oob="innerHTML">${players('Alice (Not Ready)')}</div>` +
        '<div id="game-status" hx-swap-oob="innerHTML">1 player connected — waiting for more players</div>' +
        `${SNAPSHOT}</div>`,
    );
    expect(await a.waitForText('Alice has joined')).toBe(
      update(players('Alice (Not Ready)'), '1 player connected — waiting for more players', 1, 'Alice has joined the lobby.'),
    );
    const b = await join(lobby, bob, 'Bob');
    await a.waitForText('Bob has joined the lobby.');

    const fromA = a.frames.length;
    const fromB = b.frames.length;
    // One render for the lobby, written to every socket (a join also republishes the home page's room list).
    const publish = vi.spyOn(server.platform.fanout as DirectFanout, 'publish');
    const c = await join(lobby, charlie, 'Charlie');
    const joined = update(
      players('Alice (Not Ready)', 'Bob (Not Ready)', 'Charlie (Not Ready)'),
      '3 players connected — waiting for all to be ready',
      3,
      'Charlie has joined the lobby.',
    );
    expect(await a.waitForText('Charlie has joined', 5000, fromA)).toBe(joined);
    expect(await b.waitForText('Charlie has joined', 5000, fromB)).toBe(joined);
    expect(c.frames.at(-1)).toBe(joined);
    const published = publish.mock.calls.filter(([topic]) => topic === lobbyTopic(lobby));
    publish.mockRestore();
    expect(published).toHaveLength(1);
    expect(a.frames.length - fromA).toBe(1);

    for (const [client, name] of [[a, 'Alice'], [b, 'Bob']] as const) {
      const from = c.frames.length;
      ready(client);
      await c.waitForText(`${name} is ready.`, 5000, from);
    }
    const beforeStart = [a.frames.length, b.frames.length, c.frames.length];
    ready(c);
    const started = update(
      players('Alice (Ready)', 'Bob (Ready)', 'Charlie (Ready)'),
      'All 3 players ready — starting!',
      6,
      'Charlie is ready.',
    );
    for (const [i, client] of [a, b, c].entries()) expect(await client.waitForText('starting!', 5000, beforeStart[i])).toBe(started);

    const fromUnready = a.frames.length;
    ready(c);
    expect(await a.waitForText('Charlie is not ready.', 5000, fromUnready)).toBe(
      update(
        players('Alice (Ready)', 'Bob (Ready)', 'Charlie (Not Ready)'),
        '3 players connected — waiting for all to be ready',
        7,
        'Charlie is not ready.',
      ),
    );

    const fromLeave = [a.frames.length, b.frames.length];
    c.close();
    const left = update(players('Alice (Ready)', 'Bob (Ready)'), 'All 2 players ready — starting!', 8, 'Charlie has left the lobby.');
    expect(await a.waitForText('Charlie has left', 5000, fromLeave[0])).toBe(left);
    expect(await b.waitForText('Charlie has left', 5000, fromLeave[1])).toBe(left);
    a.close();
    b.close();
  });

  it('treats two tabs of one user as one player who leaves with the last tab', async () => {
    const lobby = freshLobby();
    const tab1 = await join(lobby, alice, 'Alice');
    const b = await join(lobby, bob, 'Bob');
    const fromB = b.frames.length;
    const tab2 = await enter(lobby, alice);
    expect(tab2.frames[0]).toContain(players('Alice (Not Ready)', 'Bob (Not Ready)'));
    expect(tab2.frames[0]).toContain('2 players connected — waiting for all to be ready');

    ready(tab2);
    const toggled = await b.waitForText('Alice is ready.', 5000, fromB);
    expect(await tab1.waitForText('Alice is ready.')).toBe(toggled);
    expect(toggled).toContain(players('Alice (Ready)', 'Bob (Not Ready)'));

    tab1.close();
    await tab1.closed;
    await sleep(GRACE_MS + 200);
    const fromCheck = b.frames.length;
    ready(b);
    const stillThere = await b.waitForText('Bob is ready.', 5000, fromCheck);
    expect(stillThere).toContain(players('Alice (Ready)', 'Bob (Ready)'));
    expect(b.frames.slice(fromB).join()).not.toMatch(/Alice has (left|joined)/);

    tab2.close();
    expect(await b.waitForText('Alice has left the lobby.', 5000, fromCheck)).toContain(players('Bob (Ready)'));
    b.close();
  });

  it('keeps a player who comes back within the grace period and restores every region', async () => {
    const lobby = freshLobby();
    const a = await join(lobby, alice, 'Alice');
    let b = await join(lobby, bob, 'Bob');
    say(a, 'before the reload');
    await b.waitForText('before the reload');
    ready(b);
    await a.waitForText('Bob is ready.');
    const fromA = a.frames.length;

    b.close();
    await b.closed;
    b = await enter(lobby, bob);
    const snapshot = b.frames[0]!;
    expect(snapshot).toContain(`<div id="player-list" hx-swap-oob="innerHTML">${players('Alice (Not Ready)', 'Bob (Ready)')}</div>`);
    expect(snapshot).toContain('<div id="game-status" hx-swap-oob="innerHTML">2 players connected — waiting for all to be ready</div>');
    expect(snapshot).toContain('<strong>Alice:</strong> before the reload');
    expect(snapshot).toContain('<p><em>Bob is ready.</em></p>');

    await sleep(GRACE_MS + 200);
    ready(a);
    const settled = await a.waitForText('Alice is ready.', 5000, fromA);
    expect(settled).toContain('All 2 players ready — starting!');
    expect(a.frames.slice(fromA).join()).not.toMatch(/Bob has (left|joined)/);

    const fromLeave = a.frames.length;
    b.close();
    expect(await a.waitForText('Bob has left the lobby.', 5000, fromLeave)).toContain(players('Alice (Ready)'));
    b = await enter(lobby, bob);
    expect(await a.waitForText('Bob has joined the lobby.', 5000, fromLeave)).toContain(players('Alice (Ready)', 'Bob (Not Ready)'));
    a.close();
    b.close();
  });

  it('appends escaped lobby chat to #chat-log and clears the sender\'s error', async () => {
    const lobby = freshLobby();
    const eve = await newUser(server.url, '<i>Eve</i>');
    const a = await join(lobby, alice, 'Alice');
    const e = await enter(lobby, eve);
    const joined = await a.waitForText('<p><em>&lt;i&gt;Eve&lt;/i&gt; has joined the lobby.</em></p>');
    expect(joined).toContain('<div class="player">&lt;i&gt;Eve&lt;/i&gt; (Not Ready)</div>');
    const from = a.frames.length;
    say(e, '  <b>hi</b> & "you"  ');
    const line = await a.waitForText('hi', 5000, from);
    expect(line).toMatch(
      /^<div id="chat-log" hx-swap-oob="beforeend"><div class="log-line" id="log-\d+"><p><strong>&lt;i&gt;Eve&lt;\/i&gt;:<\/strong> &lt;b&gt;hi&lt;\/b&gt; &amp; &quot;you&quot;<\/p><\/div><\/div>$/,
    );
    await e.waitForText('<div id="chat-error" hx-swap-oob="innerHTML"></div>');
    a.close();
    e.close();
  });

  it('lists the lobby on the home page while someone is in it', async () => {
    const lobby = freshLobby();
    const a = await join(lobby, alice, 'Alice');
    const home = await (await fetch(`${server.url}/`, { headers: { cookie: bob.cookie } })).text();
    expect(home).toMatch(new RegExp(`<a href="/lobby/${lobby}">Lobby ${lobby}</a> <span class="online">1 online</span>`));
    a.close();
  });
});

describe('SPEC 4.3 lobby limits', () => {
  it('refuses a 9th player with a "lobby is full" fragment and 1008, but lets a player open another tab', async () => {
    const lobby = freshLobby();
    const users = await Promise.all(Array.from({ length: 9 }, (_, i) => newUser(server.url, `P${i + 1}`)));
    const clients: SocketClient[] = [];
    for (const [i, user] of users.slice(0, 8).entries()) clients.push(await join(lobby, user, `P${i + 1}`));
    expect(await clients[0]!.waitForText('P8 has joined the lobby.')).toContain('8 players connected — waiting for all to be ready');
    const from = clients[0]!.frames.length;

    const ninth = await SocketClient.connect(wsUrl(server.url, `/lobby/${lobby}/ws`), { cookie: users[8]!.cookie });
    expect(await ninth.closed).toBe(1008);
    expect(ninth.frames).toHaveLength(1);
    expect(ninth.frames[0]).toMatch(/^<div id="chat-error" hx-swap-oob="innerHTML"><p class="error">This lobby is full/);

    const secondTab = await enter(lobby, users[0]!);
    expect(secondTab.frames[0]).toContain('<div class="player">P8 (Not Ready)</div>');
    ready(clients[1]!);
    expect(await clients[0]!.waitForText('P2 is ready.', 5000, from)).not.toContain('P9');
    expect(clients[0]!.frames.slice(from)).toHaveLength(1);

    clients[7]!.close();
    await clients[0]!.waitForText('P8 has left the lobby.', 5000, from);
    const late = await enter(lobby, users[8]!);
    await clients[0]!.waitForText('P9 has joined the lobby.', 5000, from);
    for (const client of [...clients, secondTab, late]) client.close();
  });

  it('keeps only the last HISTORY_LIMIT log lines, deleting the one that falls out', async () => {
    const small = await startServer({ HISTORY_LIMIT: '3', LOBBY_GRACE_MS: '0' });
    try {
      const user = await newUser(small.url, 'Dora');
      const lobby = freshLobby();
      const d = await enter(lobby, user, small);
      await d.waitForText('Dora has joined the lobby.');
      for (const text of ['one', 'two']) {
        const from = d.frames.length;
        say(d, text);
        expect(await d.waitForText(`</strong> ${text}`, 5000, from)).not.toContain('delete');
      }
      const from = d.frames.length;
      say(d, 'three');
      expect(await d.waitForText('</strong> three', 5000, from)).toContain('<div id="log-1" hx-swap-oob="delete"></div>');
      const again = await enter(lobby, user, small);
      expect(again.frames[0]).not.toContain('has joined');
      expect(again.frames[0]!.match(/class="log-line"/g)).toHaveLength(3);
      d.close();
      again.close();
    } finally {
      await small.shutdown();
    }
  });

  it('answers bad input with an error fragment for that client only and keeps the socket open', async () => {
    const lobby = freshLobby();
    // The rate limit is per user (SPEC §6): a user of its own, not one earlier tests have spent.
    const a = await join(lobby, await newUser(server.url, 'Alice'), 'Alice');
    const b = await join(lobby, bob, 'Bob');
    const fromB = b.frames.length;
    const cases: Array<[string | Buffer, RegExp]> = [
      [Buffer.from([1, 2, 3]), /Binary messages/],
      ['{not json', /not valid JSON/],
      ['"ready"', /JSON object/],
      [JSON.stringify({ HEADERS: {} }), /&quot;message&quot; field is missing/],
      [JSON.stringify({ action: 'start' }), /&quot;action&quot; field must be &quot;ready&quot;/],
      [JSON.stringify({ action: true }), /&quot;action&quot; field must be &quot;ready&quot;/],
      [JSON.stringify({ action: 'ready', message: 'hi' }), /either a &quot;message&quot; or an &quot;action&quot;/],
      [JSON.stringify({ message: 'y'.repeat(2001) }), /2001 characters long; the limit is 2000/],
      [JSON.stringify({ message: 'hi', ready: true }), /Unknown field &quot;ready&quot;/],
    ];
    for (const [payload, expected] of cases) {
      const from = a.frames.length;
      a.socket.send(payload);
      const frame = await a.waitFor((f) => f.startsWith('<div id="chat-error" hx-swap-oob="innerHTML">'), 5000, from);
      expect(frame).toMatch(expected);
    }
    expect(a.socket.readyState).toBe(a.socket.OPEN);
    say(a, 'still here');
    await b.waitForText('still here', 5000, fromB);
    expect(b.frames.slice(fromB)).toHaveLength(1);
    a.close();
    b.close();
  });

  it('closes with 1009 on a frame over 64 KiB', async () => {
    const a = await join(freshLobby(), alice, 'Alice');
    say(a, 'x'.repeat(70 * 1024));
    expect(await a.closed).toBe(1009);
  });

  it('allows a burst of 10 messages and toggles, then answers the excess with an error that is not broadcast', async () => {
    const lobby = freshLobby();
    // The rate limit is per user (SPEC §6): a user of its own, not one earlier tests have spent.
    const a = await join(lobby, await newUser(server.url, 'Alice'), 'Alice');
    const b = await join(lobby, bob, 'Bob');
    const fromB = b.frames.length;
    for (let i = 1; i <= 6; i++) say(a, `burst ${i}`);
    for (let i = 1; i <= 6; i++) ready(a);
    expect(await a.waitForText('too fast')).toContain('id="chat-error"');
    await b.waitForText('</strong> burst 6', 5000, fromB);
    await b.waitFor(() => b.frames.slice(fromB).filter((f) => f.includes('<p><em>Alice is')).length >= 4, 5000, fromB);
    await sleep(300);
    const delivered = b.frames.slice(fromB);
    expect(delivered.filter((f) => f.includes('</strong> burst '))).toHaveLength(6);
    expect(delivered.filter((f) => f.includes('<p><em>Alice is'))).toHaveLength(4);
    expect(delivered.at(-1)).toContain('Alice (Not Ready)');
    a.close();
    b.close();
  });

  it('refuses sockets of users without a name', async () => {
    const anonymous = await newUser(server.url);
    const client = await SocketClient.connect(wsUrl(server.url, `/lobby/${freshLobby()}/ws`), { cookie: anonymous.cookie });
    expect(await client.closed).toBe(1008);
    expect(client.frames.join()).toContain('Choose a name');
  });
});

describe('SPEC 6 lobbies that come and go leave nothing behind', () => {
  it('holds no listener on the server\'s shutdown signal for a lobby that was closed', async () => {
    const { EventEmitter } = await import('node:events');
    const listening = () => EventEmitter.getEventListeners(server.platform.closing, 'abort').length;
    const before = listening();
    for (let i = 0; i < 30; i++) {
      const client = await SocketClient.connect(wsUrl(server.url, `/lobby/${freshLobby()}/ws`), { cookie: alice.cookie });
      await client.waitForText(SNAPSHOT);
      client.close();
      await client.closed;
    }
    // Each lobby is disposed once its last player's grace period is over.
    await sleep(GRACE_MS * 3);
    expect(listening()).toBeLessThanOrEqual(before + 1);
  });
});

describe('SPEC 2 configuration: LOBBY_GRACE_MS', () => {
  it('defaults to 3000 and refuses values that are not whole milliseconds from 0 to 60000', () => {
    expect(readConfig({}).lobbyGraceMs).toBe(3000);
    expect(readConfig({ LOBBY_GRACE_MS: '0' }).lobbyGraceMs).toBe(0);
    expect(readConfig({ LOBBY_GRACE_MS: ' 1500 ' }).lobbyGraceMs).toBe(1500);
    for (const bad of ['abc', '-1', '60001', '2.5']) {
      expect(() => readConfig({ LOBBY_GRACE_MS: bad }), bad).toThrow(ConfigError);
      expect(() => readConfig({ LOBBY_GRACE_MS: bad }), bad).toThrow(/LOBBY_GRACE_MS must be a whole number from 0 to 60000/);
    }
  });
});
