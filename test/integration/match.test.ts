import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeServer } from '../../app/platform/node.ts';
import { ConfigError, readConfig } from '../../app/config.ts';
import { newUser, SocketClient, wsUrl } from '../helpers/clients.ts';
import { startServer } from '../helpers/server.ts';
import { nameList } from '../../app/realtime/match-clock.tsx';

type User = { cookie: string; userId: string };

/** A short beat keeps the suite quick; GO comes 1–4 beats into a round, so a press sent on "Wait for it…" lands well before it. */
const TEMPO_MS = 100;
const ROUNDS = 2;
let server: NodeServer;
let alice: User;
let bob: User;
let charlie: User;
let counter = 0;
const freshLobby = () => `match-${process.pid}-${++counter}`;
const open: SocketClient[] = [];

async function join(lobby: string, user: User, name: string): Promise<SocketClient> {
  const client = await SocketClient.connect(wsUrl(server.url, `/lobby/${lobby}/ws`), { cookie: user.cookie });
  open.push(client);
  await client.waitForText(`<p><em>${name} has joined the lobby.</em></p>`);
  return client;
}

const send = (client: SocketClient, action: string) => client.send({ action, HEADERS: { 'HX-Request': 'true' } });
const say = (client: SocketClient, message: string) => client.send({ message, HEADERS: { 'HX-Request': 'true' } });
const status = (text: string) => `<div id="game-status" hx-swap-oob="innerHTML">${text}</div>`;
const WAIT = '<p class="arena-signal">Wait for it…</p>';
const GO = '<p class="arena-signal">GO!</p>';
const roundLine = (round: number) => `<strong>Round ${round}:</strong>`;

/** Everyone in `clients` presses Toggle ready, one after the other; resolves once the last one is seen by all. */
async function allReady(clients: SocketClient[], names: string[]): Promise<void> {
  for (const [i, client] of clients.entries()) {
    const from = clients[0]!.frames.length;
    send(client, 'ready');
    await clients[0]!.waitForText(`${names[i]} is ready.`, 5000, from);
  }
}

/** The frame that starts `round` (its "Wait for it…" arena), and the GO that follows, as seen by `client`. */
async function nextGo(client: SocketClient, round: number, from: number): Promise<number> {
  const waitFrame = await client.waitFor((f) => f.includes(WAIT) && f.includes(`Round ${round} of ${ROUNDS}`), 10_000, from);
  const at = client.frames.indexOf(waitFrame, from);
  await client.waitFor((f) => f.includes(GO), 10_000, at);
  return client.frames.findIndex((f, i) => i > at && f.includes(GO));
}

function scoreboard(frame: string): Array<[string, string]> {
  const at = frame.indexOf('<div id="scoreboard" hx-swap-oob="innerHTML">');
  expect(at, 'frame carries #scoreboard').toBeGreaterThan(-1);
  return [...frame.slice(at).matchAll(/<span class="score-name">([^<]*)<\/span> <span class="score-points">([^<]*)<\/span>/g)].map((m) => [m[1]!, m[2]!]);
}

beforeAll(async () => {
  server = await startServer({ LOBBY_GRACE_MS: '100', MATCH_TEMPO_MS: String(TEMPO_MS), MATCH_ROUNDS: String(ROUNDS) });
  [alice, bob, charlie] = await Promise.all([newUser(server.url, 'Alice'), newUser(server.url, 'Bob'), newUser(server.url, 'Charlie')]);
});
afterAll(async () => {
  for (const client of open) client.close();
  await server.shutdown();
});

describe('SPEC 4.3.1 the match', () => {
  it('counts down 3, 2, 1, plays MATCH_ROUNDS rounds with server-measured times, names the winner and sets everyone Not Ready', async () => {
    const lobby = freshLobby();
    const a = await join(lobby, alice, 'Alice');
    const b = await join(lobby, bob, 'Bob');
    const c = await join(lobby, charlie, 'Charlie');
    const from = a.frames.length;
    await allReady([a, b, c], ['Alice', 'Bob', 'Charlie']);
    const started = await a.waitForText('All 3 players ready — starting!', 5000, from);
    const startAt = a.frames.indexOf(started, from);

    // The countdown, one message per beat, in #game-status and the arena.
    await a.waitFor((f) => f.includes(WAIT), 10_000, startAt);
    const counts = a.frames.slice(startAt).flatMap((f) => /^<div id="game-status" hx-swap-oob="innerHTML">(\d)<\/div>/.exec(f)?.[1] ?? []);
    expect(counts).toEqual(['3', '2', '1']);

    let cursor = startAt;
    for (let round = 1; round <= ROUNDS; round++) {
      const goAt = await nextGo(a, round, cursor);
      // GO reached every player in the same broadcast.
      for (const other of [b, c]) await other.waitFor((f) => f.includes(GO), 5000, 0);
      send(a, 'press');
      expect(await a.waitForText('First!', 5000, goAt)).toMatch(/<div id="press-note" hx-swap-oob="innerHTML"><p class="note note-pressed">First! \d+ ms \(\+1\)<\/p><\/div>/);
      send(b, 'press');
      send(c, 'press');
      const result = await a.waitForText(roundLine(round), 5000, goAt);
      expect(result).toMatch(new RegExp(`Alice wins round ${round} \\(\\+1\\)\\. Alice: \\d+ ms, Bob: \\d+ ms, Charlie: \\d+ ms\\.`));
      // The scoreboard changes in the same message as the result line.
      expect(scoreboard(result)).toEqual([
        ['Alice', String(round)],
        ['Bob', '0'],
        ['Charlie', '0'],
      ]);
      cursor = a.frames.indexOf(result, goAt);
    }
    const over = await a.waitForText('Alice wins!', 5000, cursor);
    for (const client of [b, c]) expect(await client.waitForText('Alice wins!', 5000)).toBe(over);
    expect(over).toContain(status('Alice wins!'));
    expect(over).toContain('<div id="player-list" hx-swap-oob="innerHTML"><div class="player">Alice (Not Ready)</div><div class="player">Bob (Not Ready)</div><div class="player">Charlie (Not Ready)</div></div>');
    expect(over).toContain(`Match over: Alice wins with ${ROUNDS} points.`);

    // A new match can start.
    const again = a.frames.length;
    await allReady([a, b, c], ['Alice', 'Bob', 'Charlie']);
    await a.waitForText('All 3 players ready — starting!', 5000, again);
    for (const client of [a, b, c]) client.close();
  });

  it('plays a match between an htmx 2 tab and an htmx 4 tab, each sent the arena with its own major\'s press form (SPEC 8)', async () => {
    const lobby = freshLobby();
    // Fresh people: the per-user message budget must not carry what earlier tests spent.
    const [erin, finn] = await Promise.all([newUser(server.url, 'Erin'), newUser(server.url, 'Finn')]);
    const two = await join(lobby, erin, 'Erin');
    const four = await SocketClient.connect(wsUrl(server.url, `/lobby/${lobby}/ws?htmx=4`), { cookie: finn.cookie });
    open.push(four);
    await four.waitForText('<p><em>Finn has joined the lobby.</em></p>');
    // What htmx 4's hx-ws sends: the form's values plus "headers".
    const send4 = (action: string) => four.send({ action, headers: { 'HX-Request': 'true', 'HX-Source': 'form#press-form' } });
    send(two, 'ready');
    await four.waitForText('Erin is ready.');
    send4('ready');
    await two.waitForText('All 2 players ready — starting!');

    let cursor = [0, 0];
    for (let round = 1; round <= ROUNDS; round++) {
      const goTwo = await nextGo(two, round, cursor[0]!);
      const goFour = await nextGo(four, round, cursor[1]!);
      expect(four.frames[goFour]).toContain('<form id="press-form" class="press-form" hx-ws:send');
      expect(two.frames[goTwo]).toContain('<form id="press-form" class="press-form" ws-send');
      send4('press');
      await four.waitForText('First!', 5000, goFour);
      send(two, 'press');
      const result = await two.waitForText(roundLine(round), 5000, goTwo);
      expect(result).toMatch(new RegExp(`Finn wins round ${round} \\(\\+1\\)\\. Erin: \\d+ ms, Finn: \\d+ ms\\.`));
      expect(await four.waitForText(roundLine(round), 5000, goFour)).toContain(`Finn wins round ${round} (+1)`);
      cursor = [two.frames.indexOf(result, goTwo), four.frames.findIndex((f, i) => i > goFour && f.includes(roundLine(round)))];
    }
    await two.waitForText('Finn wins!', 5000, cursor[0]);
    await four.waitForText('Finn wins!', 5000, cursor[1]);

    // Every arena each socket was sent (starting, countdown, rounds, results) carried its own major's form and never the other's.
    const forms = (client: SocketClient) => client.frames.filter((f) => f.includes('id="press-form"'));
    expect(forms(two).length).toBeGreaterThanOrEqual(4 + 3 * ROUNDS);
    expect(forms(four).length).toBe(forms(two).length);
    for (const frame of forms(two)) expect(frame).toMatch(/<form id="press-form" class="press-form" ws-send[=>]/);
    for (const frame of forms(four)) expect(frame).toMatch(/<form id="press-form" class="press-form" hx-ws:send[=>]/);
    expect(two.frames.join()).not.toContain('hx-ws:send');
    expect(four.frames.join()).not.toContain(' ws-send');
    two.close();
    four.close();
  });

  it('takes a point off a false start, sits that player out, ignores second presses and names nobody when nobody presses', async () => {
    server.platform.random = () => 0.99;
    try {
      const lobby = freshLobby();
      const a = await join(lobby, alice, 'Alice');
      const b = await join(lobby, bob, 'Bob');
      await allReady([a, b], ['Alice', 'Bob']);
      // Round 1: Alice jumps the gun, Bob presses twice after GO.
      const waitFrame = await a.waitFor((f) => f.includes(WAIT) && f.includes('Round 1 of'), 10_000);
      send(a, 'press');
      expect(await a.waitForText('False start!', 5000)).toContain('note-out');
      const goAt = await nextGo(b, 1, 0);
      send(a, 'press');
      send(b, 'press');
      send(b, 'press');
      const result = await b.waitForText(roundLine(1), 5000, goAt);
      expect(result).toMatch(/Bob wins round 1 \(\+1\)\. Alice: false start \(−1\), Bob: \d+ ms\./);
      expect(scoreboard(result)).toEqual([
        ['Bob', '1'],
        ['Alice', '−1'],
      ]);
      // One note for Bob's first press, none for his second; Alice's notes went to Alice alone.
      expect(b.frames.filter((f) => f.includes('note-pressed'))).toHaveLength(1);
      expect(b.frames.join()).not.toContain('False start!');
      expect(a.frames.slice(a.frames.indexOf(waitFrame)).filter((f) => f.includes('<p class="note'))).toHaveLength(1);

      // Round 2: nobody presses; the round ends by itself after 5 beats.
      await a.waitForText(roundLine(1), 5000);
      const round2 = await nextGo(a, 2, a.frames.findIndex((f) => f.includes(roundLine(1))));
      const idle = await a.waitForText(roundLine(2), 10_000, round2);
      expect(idle).toContain('Nobody pressed in round 2. Alice: no press, Bob: no press.');
      expect(await a.waitForText('Bob wins!', 5000)).toContain('Match over: Bob wins with 1 point.');
      a.close();
      b.close();
    } finally {
      server.platform.random = Math.random;
    }
  });

  it('ends level scores in a draw', async () => {
    server.platform.random = () => 0;
    try {
      const lobby = freshLobby();
      const a = await join(lobby, alice, 'Alice');
      const b = await join(lobby, bob, 'Bob');
      await allReady([a, b], ['Alice', 'Bob']);
      const over = await a.waitForText('Draw: Alice and Bob', 15_000);
      expect(over).toContain(status('Draw: Alice and Bob'));
      expect(over).toContain('Match over: a draw between Alice and Bob with 0 points each.');
      expect(a.frames.filter((f) => f.includes('Nobody pressed in round'))).toHaveLength(ROUNDS);
      a.close();
      b.close();
    } finally {
      server.platform.random = Math.random;
    }
  });

  it('lets a latecomer watch: their presses and ready toggles do not count, chat still works', async () => {
    server.platform.random = () => 0.99;
    try {
      const lobby = freshLobby();
      const a = await join(lobby, alice, 'Alice');
      const b = await join(lobby, bob, 'Bob');
      await allReady([a, b], ['Alice', 'Bob']);
      await a.waitFor((f) => f.includes(WAIT), 10_000);
      const c = await join(lobby, charlie, 'Charlie');
      const snapshot = c.frames.find((f) => f.startsWith('<div id="arena" hx-swap-oob="innerHTML">'))!;
      expect(snapshot).toContain('Round 1 of');
      expect(snapshot).toContain('You are watching this match');
      const fromC = c.frames.length;
      send(c, 'ready');
      expect(await c.waitForText('id="chat-error"', 5000, fromC)).toContain('A match is being played');
      const goAt = await nextGo(c, 1, 0);
      send(c, 'press');
      expect(await c.waitForText('note-watching', 5000, goAt)).toContain('You are watching this match');
      say(c, 'go go go');
      await a.waitForText('</strong> go go go');
      send(b, 'press');
      const result = await a.waitForText(roundLine(1), 5000);
      expect(result).not.toContain('Charlie');
      expect(scoreboard(result).map(([name]) => name)).toEqual(['Bob', 'Alice']);
      for (const client of [a, b, c]) client.close();
    } finally {
      server.platform.random = Math.random;
    }
  });

  it('abandons a match left with fewer than 2 players: the leaver forfeits, the rest are Not Ready', async () => {
    const lobby = freshLobby();
    const a = await join(lobby, alice, 'Alice');
    const b = await join(lobby, bob, 'Bob');
    await allReady([a, b], ['Alice', 'Bob']);
    await a.waitFor((f) => f.includes(WAIT), 10_000);
    const from = a.frames.length;
    b.close();
    const left = await a.waitForText('Bob has left the lobby.', 5000, from);
    expect(left).toContain(status(`Round 1 of ${ROUNDS}`));
    const abandoned = await a.waitForText('Match abandoned', 5000, from);
    expect(abandoned).toContain(status('Match abandoned'));
    expect(abandoned).toContain('<div class="player">Alice (Not Ready)</div>');
    expect(abandoned).toContain('Match abandoned: fewer than 2 players are left.');
    a.close();
  });

  it('lets a leaver forfeit while the others play on, and takes no timing from the client', async () => {
    const lobby = freshLobby();
    const a = await join(lobby, alice, 'Alice');
    const b = await join(lobby, bob, 'Bob');
    const c = await join(lobby, charlie, 'Charlie');
    await allReady([a, b, c], ['Alice', 'Bob', 'Charlie']);
    await a.waitFor((f) => f.includes(WAIT), 10_000);
    // A press that brings its own time is refused before it reaches the clock.
    const fromB = b.frames.length;
    b.send({ action: 'press', at: 0, HEADERS: {} });
    expect(await b.waitForText('id="chat-error"', 5000, fromB)).toContain('Unknown field &quot;at&quot;');
    const from = a.frames.length;
    c.close();
    await a.waitForText('Charlie has left the lobby.', 5000, from);
    const forfeited = await a.waitFor((f) => f.includes('<div id="scoreboard"') && !f.includes('Charlie'), 5000, from);
    expect(scoreboard(forfeited).map(([name]) => name)).toEqual(['Alice', 'Bob']);
    // The next GO after the forfeit, whichever round it is in.
    const goFrame = await a.waitFor((f) => f.includes(GO), 10_000, a.frames.indexOf(forfeited, from));
    const round = Number(/Round (\d+) of/.exec(goFrame)![1]);
    const goAt = a.frames.indexOf(goFrame, from);
    send(b, 'press');
    await b.waitForText('First!', 5000, fromB);
    send(a, 'press');
    const result = await a.waitForText(roundLine(round), 5000, goAt);
    expect(result).toMatch(new RegExp(`Bob wins round ${round} \\(\\+1\\)\\. Alice: \\d+ ms, Bob: \\d+ ms\\.`));
    expect(result).not.toContain('Charlie');
    expect(a.frames.slice(from).join()).not.toContain('Match abandoned');
    a.close();
    b.close();
  });

  it('rate-limits presses per player and refuses a press when no match is played', async () => {
    const lobby = freshLobby();
    // A fresh person: the message budget (burst 10, per user) must not carry what earlier tests spent,
    // or the flood below meets "sending too fast" before the press budget it is here to test.
    const dana = await newUser(server.url, 'Dana');
    const a = await join(lobby, dana, 'Dana');
    const from = a.frames.length;
    send(a, 'press');
    expect(await a.waitForText('id="chat-error"', 5000, from)).toContain('No match is being played');
    const second = await SocketClient.connect(wsUrl(server.url, `/lobby/${lobby}/ws`), { cookie: dana.cookie });
    open.push(second);
    await second.waitForText('<div id="chat-log" hx-swap-oob="innerHTML">');
    const fromFlood = [a.frames.length, second.frames.length];
    // Two tabs of one player share one press budget (burst 3).
    for (let i = 0; i < 4; i++) send(a, 'press');
    for (let i = 0; i < 4; i++) send(second, 'press');
    await a.waitForText('pressing too fast', 5000, fromFlood[0]);
    await second.waitForText('pressing too fast', 5000, fromFlood[1]);
    a.close();
    second.close();
  });
});

describe('SPEC 4.3.1 names in results', () => {
  it('lists winners of a draw as "A", "A and B", "A, B and C"', () => {
    expect(nameList(['Ann'])).toBe('Ann');
    expect(nameList(['Ann', 'Bo'])).toBe('Ann and Bo');
    expect(nameList(['Ann', 'Bo', 'Cy'])).toBe('Ann, Bo and Cy');
  });
});

describe('SPEC 2 configuration: MATCH_ROUNDS / MATCH_TEMPO_MS', () => {
  it('defaults to 5 rounds and a 1000 ms beat, and refuses values out of range', () => {
    expect(readConfig({}).matchRounds).toBe(5);
    expect(readConfig({}).matchTempoMs).toBe(1000);
    expect(readConfig({ MATCH_ROUNDS: '1', MATCH_TEMPO_MS: '50' })).toMatchObject({ matchRounds: 1, matchTempoMs: 50 });
    for (const bad of ['0', '51', 'x', '2.5']) expect(() => readConfig({ MATCH_ROUNDS: bad }), bad).toThrow(/MATCH_ROUNDS must be a whole number from 1 to 50/);
    for (const bad of ['9', '60001', 'fast']) expect(() => readConfig({ MATCH_TEMPO_MS: bad }), bad).toThrow(ConfigError);
  });
});
