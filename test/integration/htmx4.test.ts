import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeServer } from '../../app/platform/node.ts';
import { frameCounter } from '../../app/platform/node-frames.ts';
import { newUser, SocketClient, wsUrl } from '../helpers/clients.ts';
import { startServer } from '../helpers/server.ts';
import { api, RawSse, type SseEvent } from '../helpers/sse.ts';
import { HOST_AUTH_ENV, hs256, signIn } from '../helpers/host-tokens.ts';

let server: NodeServer;
let alice: { cookie: string; userId: string };
let bob: { cookie: string; userId: string };

beforeAll(async () => {
  // HTMX_VERSION only picks what pages load: the endpoints below serve both majors either way.
  server = await startServer({ HTMX_VERSION: '2' });
  alice = await newUser(server.url, 'Alice');
  bob = await newUser(server.url, 'Bob');
});
afterAll(() => server.shutdown());

/** What htmx 4's hx-ws sends for a form: its values at top level plus "headers". */
const htmx4Send = (client: SocketClient, values: Record<string, unknown>) =>
  client.send({ ...values, headers: { 'HX-Request': 'true', 'HX-Source': 'form#chat-form', 'HX-Current-URL': `${server.url}/chat/x` } });

describe('SPEC 8 WebSocket: both majors on one endpoint', () => {
  it('accepts htmx 4 messages ("headers") and lets tabs of both majors in one room see each other', async () => {
    const two = await SocketClient.connect(wsUrl(server.url, '/chat/mixed/ws'), { cookie: alice.cookie });
    const four = await SocketClient.connect(wsUrl(server.url, '/chat/mixed/ws?htmx=4'), { cookie: bob.cookie });
    await two.waitForText('id="chat-messages"');
    await four.waitForText('id="chat-messages"');

    htmx4Send(four, { message: 'from htmx 4 <b>' });
    for (const client of [two, four]) {
      const frame = await client.waitForText('from htmx 4');
      expect(frame).toContain('<div id="chat-messages" hx-swap-oob="beforeend">');
      expect(frame).toContain('<strong>Bob:</strong> from htmx 4 &lt;b&gt;');
    }
    two.sendMessage('from htmx 2');
    await four.waitForText('<strong>Alice:</strong> from htmx 2');
    // The sender's error region is cleared after a message, as on htmx 2.
    await four.waitForText('<div id="chat-error" hx-swap-oob="innerHTML"></div>');
    two.close();
    four.close();
  });

  it('takes an unmarked socket whose first message shows htmx 4 (the format htmx 4 really sends)', async () => {
    const client = await SocketClient.connect(wsUrl(server.url, '/lobby/fourlobby/ws'), { cookie: alice.cookie });
    await client.waitForText('id="player-list"');
    client.send({ action: 'ready', headers: { 'HX-Request': 'true', 'HX-Source': 'form#ready-form' } });
    await client.waitForText('Alice (Ready)');
    htmx4Send(client, { message: 'ready & waiting' });
    await client.waitForText('<strong>Alice:</strong> ready &amp; waiting');
    client.close();
  });

  it('refuses what neither major sends, with a sentence in #chat-error and the socket open', async () => {
    const client = await SocketClient.connect(wsUrl(server.url, '/chat/bad4/ws?htmx=4'), { cookie: alice.cookie });
    await client.waitForText('id="chat-messages"');
    client.send({ message: 'x', headers: {}, HEADERS: {} });
    await client.waitForText('Send either &quot;HEADERS&quot; (htmx 2) or &quot;headers&quot; (htmx 4), not both.');
    client.send({ message: 'x', headers: 'HX-Request: true' });
    await client.waitForText('The &quot;headers&quot; field must be an object of request headers.');
    client.send({ message: 'x', headers: {}, values: {} });
    await client.waitForText('Unknown field &quot;values&quot;.');
    htmx4Send(client, { message: 'still open' });
    await client.waitForText('still open');
    client.close();
  });

  it('frames a broadcast once for all sockets of both majors when their markup is the same (Node)', async () => {
    const clients = await Promise.all(
      Array.from({ length: 6 }, (_, i) => SocketClient.connect(wsUrl(server.url, `/chat/frames4/ws${i % 2 ? '?htmx=4' : ''}`), { cookie: alice.cookie })),
    );
    for (const client of clients) await client.waitForText('id="chat-messages"');
    const before = frameCounter.built;
    htmx4Send(clients[1]!, { message: 'one frame' });
    for (const client of clients) await client.waitForText('one frame');
    // The message fragment is one frame for all six; the sender's cleared error is the second.
    expect(frameCounter.built - before).toBeLessThanOrEqual(2);
    for (const client of clients) client.close();
  });
});

const unnamed = (raw: RawSse) => raw.events.filter((e) => e.event === 'message');
const named = (raw: RawSse) => raw.events.filter((e) => e.event !== 'message');
const lastId = (events: SseEvent[]) => events.filter((e) => e.id).at(-1)!.id!;

describe('SPEC 8 SSE: htmx 4 streams carry unnamed out-of-band swaps', () => {
  it('sends the same topics and ids as unnamed events with OOB fragments, no sse-swap inside', async () => {
    await api(server.url, '/api/metrics', { name: 'orders-today', value: 1247 });
    const raw = await RawSse.open(`${server.url}/events?topics=rooms,dashboard&htmx=4`, { cookie: alice.cookie });
    await raw.waitFor((r) => r.text.includes('id="notif-count"'));
    expect(named(raw)).toEqual([]);
    const events = unnamed(raw);
    expect(events[0]!.retry).toBeDefined();
    expect(events.every((e) => e.id && /^(rooms|dashboard|user):\d+(,(rooms|dashboard|user):\d+)*$/.test(e.id))).toBe(true);
    const datas = events.map((e) => e.data);
    expect(datas.some((d) => d.startsWith('<div id="room-list" hx-swap-oob="innerHTML">'))).toBe(true);
    const cards = datas.find((d) => d.startsWith('<div id="metric-cards" hx-swap-oob="innerHTML">'))!;
    expect(cards).toContain('<div class="metric-card" id="card-orders-today">');
    expect(cards).not.toContain('sse-swap');
    expect(datas).toContain(datas.find((d) => d.startsWith('<div id="orders-today" hx-swap-oob="innerHTML"><span class="metric">1,247</span>')));
    expect(datas).toContain('<div id="notif-count" hx-swap-oob="innerHTML"><span>0</span></div>');

    // A live update arrives the same way.
    await api(server.url, '/api/metrics', { name: 'orders-today', value: 1300 });
    await raw.waitFor((r) => r.text.includes('<div id="orders-today" hx-swap-oob="innerHTML"><span class="metric">1,300</span>'));
    raw.close();
  });

  it('tells an unmarked htmx 4 stream by its HX-Request header, and an EventSource (htmx 2) by its absence', async () => {
    const four = await RawSse.open(`${server.url}/events`, { cookie: alice.cookie, 'hx-request': 'true', accept: 'text/html, text/event-stream' });
    const two = await RawSse.open(`${server.url}/events`, { cookie: alice.cookie });
    await four.waitFor((r) => r.events.length > 0);
    await two.waitFor((r) => r.events.length > 0);
    expect(four.events.map((e) => e.event)).toEqual(['message']);
    expect(four.events[0]!.data).toBe('<div id="notif-count" hx-swap-oob="innerHTML"><span>0</span></div>');
    expect(two.events.map((e) => [e.event, e.data])).toEqual([['notification-count', '<span>0</span>']]);
    four.close();
    two.close();
  });

  it('pushes toasts to the one user as OOB swaps, deleting the one five back, escaped, and resumes exactly with Last-Event-ID', async () => {
    const carol = await newUser(server.url, 'Carol');
    const raw = await RawSse.open(`${server.url}/events?htmx=4`, { cookie: carol.cookie });
    const other = await RawSse.open(`${server.url}/events?htmx=4`, { cookie: alice.cookie });
    await raw.waitFor((r) => r.events.length > 0);
    for (let i = 1; i <= 6; i++) await api(server.url, '/api/notify', { user: carol.userId, text: `note ${i} <i>` });
    await raw.waitFor((r) => r.text.includes('note 6'));
    const toasts = unnamed(raw).filter((e) => e.data.includes('toast-container'));
    expect(toasts).toHaveLength(6);
    expect(toasts[0]!.data).toMatch(/^<div id="toast-container" hx-swap-oob="afterbegin"><div class="toast toast-info" role="alert" id="toast-(\d+)">note 1 &lt;i&gt;<\/div><\/div>$/);
    const firstId = /id="toast-(\d+)"/.exec(toasts[0]!.data)![1];
    // The sixth deletes the first, at the top level where htmx 4 finds it.
    expect(toasts[5]!.data).toMatch(new RegExp(`</div></div><div id="toast-${firstId}" hx-swap-oob="delete"></div>$`));
    // The unread count follows the toast (read from storage, which on Node is another thread away).
    await raw.waitFor((r) => r.text.includes('<div id="notif-count" hx-swap-oob="innerHTML"><span>6</span></div>'));
    expect(unnamed(raw).at(-1)!.data).toBe('<div id="notif-count" hx-swap-oob="innerHTML"><span>6</span></div>');
    expect(other.text).not.toContain('note');

    // A hidden tab's hx-sse cancels its stream; coming back it fetches again with Last-Event-ID.
    const resumeFrom = lastId(toasts.slice(0, 3));
    raw.close();
    const back = await RawSse.open(`${server.url}/events?htmx=4`, { cookie: carol.cookie, 'last-event-id': resumeFrom, 'hx-request': 'true' });
    await back.waitFor((r) => r.text.includes('<span>6</span>'));
    const replayed = unnamed(back).map((e) => /note (\d)/.exec(e.data)?.[1]).filter(Boolean);
    expect(replayed).toEqual(['4', '5', '6']);
    expect(named(back)).toEqual([]);
    back.close();
    other.close();
  });
});

describe('SPEC 4.3.1 and 8 the lobby match for both majors', () => {
  let slow: NodeServer;
  beforeAll(async () => {
    // A beat of a minute holds the match at "Get ready…": the only broadcast after the last ready toggle.
    slow = await startServer({ MATCH_TEMPO_MS: '60000' });
  });
  afterAll(() => slow.shutdown());

  it('renders the arena once per major for tabs of both, each with its own press form, and a late tab its own snapshot', async () => {
    const [ann, ben, cat] = await Promise.all([newUser(slow.url, 'Ann'), newUser(slow.url, 'Ben'), newUser(slow.url, 'Cat')]);
    const tabs = async (user: { cookie: string }, query: string) =>
      Promise.all(Array.from({ length: 3 }, () => SocketClient.connect(wsUrl(slow.url, `/lobby/arena4/ws${query}`), { cookie: user.cookie })));
    const twos = await tabs(ann, '');
    const fours = await tabs(ben, '?htmx=4');
    for (const client of [...twos, ...fours]) await client.waitForText('Ben has joined the lobby.');
    twos[0]!.send({ action: 'ready', HEADERS: { 'HX-Request': 'true' } });
    for (const client of [...twos, ...fours]) await client.waitForText('Ann is ready.');
    const before = frameCounter.built;
    fours[0]!.send({ action: 'ready', headers: { 'HX-Request': 'true' } });
    const starting = (client: SocketClient) => client.waitFor((f) => f.includes('Get ready…'));
    for (const client of twos) expect(await starting(client)).toContain('<form id="press-form" class="press-form" ws-send');
    for (const client of fours) expect(await starting(client)).toContain('<form id="press-form" class="press-form" hx-ws:send');
    for (const client of twos) expect(client.frames.join()).not.toContain('hx-ws:send');
    for (const client of fours) expect(client.frames.join()).not.toContain(' ws-send');
    // Six sockets: the ready change is one frame for all, the arena one frame per major, never one per socket.
    expect(frameCounter.built - before).toBeLessThanOrEqual(3);

    // A tab that arrives mid-match gets the arena in its own major: another tab of a player on htmx 4,
    // then a newcomer on htmx 2 (who watches; a join during the countdown then calls the match off).
    const arenaOf = (client: SocketClient) => client.waitFor((f) => f.startsWith('<div id="arena" hx-swap-oob="innerHTML">'));
    const late = await SocketClient.connect(wsUrl(slow.url, '/lobby/arena4/ws?htmx=4'), { cookie: ann.cookie });
    const mine = await arenaOf(late);
    expect(mine).toContain('<form id="press-form" class="press-form" hx-ws:send');
    expect(mine).not.toContain('watching');
    const lateTwo = await SocketClient.connect(wsUrl(slow.url, '/lobby/arena4/ws'), { cookie: cat.cookie });
    const watching = await arenaOf(lateTwo);
    expect(watching).toContain('<form id="press-form" class="press-form" ws-send');
    expect(watching).toContain('You are watching this match');
    for (const client of [...twos, ...fours, late, lateTwo]) client.close();
  });
});

describe.each([2, 4] as const)('SPEC 8 and 9 the access pages load the pages\' htmx (HTMX_VERSION=%i)', (major) => {
  let closed: NodeServer;
  beforeAll(async () => {
    closed = await startServer({ ...HOST_AUTH_ENV, AUTH_REQUIRED: 'true', HTMX_VERSION: String(major) });
  });
  afterAll(() => closed.shutdown());

  const scripts = (html: string) => [...html.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]!.split('?')[0]!);
  const HTMX2 = ['/vendor/htmx.min.js', '/vendor/ws.min.js', '/vendor/sse.min.js', '/js/sse-resume.js'];
  const HTMX4 = ['/vendor/htmx4/htmx.min.js', '/vendor/htmx4/ext/hx-ws.min.js', '/vendor/htmx4/ext/hx-sse.min.js', '/js/htmx4-bridge.js'];
  const [mine, other] = major === 2 ? [HTMX2, HTMX4] : [HTMX4, HTMX2];

  it('gives the private-room 403 page the same htmx as every other page', async () => {
    const { cookie } = await signIn(closed.url, await hs256({ sub: `outsider-${major}`, name: 'Out' }));
    const res = await fetch(`${closed.url}/chat/team-secret`, { headers: { cookie } });
    expect(res.status).toBe(403);
    const html = await res.text();
    expect(html).toContain('id="access-error"');
    expect(scripts(html)).toEqual(expect.arrayContaining(mine));
    for (const src of other) expect(scripts(html)).not.toContain(src);
    // Its one stream is opened the way this major's pages open it.
    expect(html).toContain(major === 2 ? 'sse-connect="/events"' : 'hx-sse:connect="/events?htmx=4"');
    const home = await (await fetch(`${closed.url}/`, { headers: { cookie } })).text();
    expect(scripts(html)).toEqual(scripts(home));
    for (const src of scripts(html)) expect((await fetch(`${closed.url}${src}`)).status, src).toBe(200);
  });

  it('keeps the 401 pages (a failed sign-in, AUTH_REQUIRED without a session) free of any htmx of either major', async () => {
    const failed = await fetch(`${closed.url}/auth?token=not-a-token`);
    const anonymous = await fetch(`${closed.url}/dashboard`, { redirect: 'manual' });
    for (const res of [failed, anonymous]) {
      expect(res.status).toBe(401);
      const html = await res.text();
      expect(html).toContain('id="auth-error"');
      // No session, so no stream or socket: no htmx, no extension, no bridge, nothing of htmx 2 on an htmx 4 server.
      for (const src of [...HTMX2, ...HTMX4]) expect(scripts(html)).not.toContain(src);
      expect(html).not.toMatch(/sse-connect|hx-sse:connect|ws-connect|hx-ws:connect|htmx-config/);
    }
  });
});
