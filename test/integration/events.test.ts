import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeServer } from '../../app/platform/node.ts';
import { newUser, SocketClient, sleep, wsUrl } from '../helpers/clients.ts';
import { startServer } from '../helpers/server.ts';
import { api, CuttableProxy, RawSse, SseClient } from '../helpers/sse.ts';

let server: NodeServer;
let alice: { cookie: string; userId: string };
let bob: { cookie: string; userId: string };

beforeAll(async () => {
  server = await startServer({ HEARTBEAT_MS: '300' }, { sseRetryMs: 100 });
  alice = await newUser(server.url, 'Alice');
  bob = await newUser(server.url, 'Bob');
});
afterAll(() => server.shutdown());

const metric = (name: string, value: number) => api(server.url, '/api/metrics', { name, value });
/** The values a stream received for one metric, in order. */
const valuesOf = (raw: RawSse, name: string) => raw.events.filter((e) => e.event === name).map((e) => /metric">([^<]+)</.exec(e.data)![1]);

describe('SPEC 4.6 SSE endpoint GET /events', () => {
  it('sends named events, an id on every event, retry in the first, and heartbeat comments', async () => {
    const raw = await RawSse.open(`${server.url}/events?topics=rooms,dashboard`, { cookie: alice.cookie });
    expect(raw.status).toBe(200);
    expect(raw.headers['content-type']).toBe('text/event-stream');
    await raw.waitFor((r) => r.events.some((e) => e.event === 'notification-count'));
    await raw.waitFor((r) => r.text.includes('\n\n: heartbeat\n\n'));
    const events = raw.events;
    expect(raw.text.startsWith('event: ')).toBe(true);
    expect(events[0]!.retry).toBe('100');
    expect(events.slice(1).every((e) => e.retry === undefined)).toBe(true);
    expect(events.every((e) => e.id && /^(rooms|dashboard|user):\d+(,(rooms|dashboard|user):\d+)*$/.test(e.id))).toBe(true);
    const names = events.map((e) => e.event);
    expect(names).toEqual(expect.arrayContaining(['rooms', 'dashboard', 'active-users', 'messages-today', 'rooms-active', 'notification-count']));
    expect(events.find((e) => e.event === 'notification-count')!.data).toBe('<span>0</span>');
    expect(events.at(-1)!.id).toMatch(/user:\d+/);
    raw.close();
  });

  it('cleans up a stream when the client leaves', async () => {
    const user = await newUser(server.url, 'Leaver');
    const online = async () => (await server.platform.presence.list('online')).some((p) => p.userId === user.userId);
    const before = server.platform.stats.openStreams;
    const raw = await RawSse.open(`${server.url}/events?topics=rooms`, { cookie: user.cookie });
    await raw.waitFor((r) => r.events.length > 0);
    expect(await online()).toBe(true);
    expect(server.platform.stats.openStreams).toBeGreaterThan(0);
    raw.close();
    while (await online()) await sleep(20);
    expect(server.platform.stats.openStreams).toBeLessThanOrEqual(before);
  });

  it('without topics carries only the user notifications', async () => {
    const raw = await RawSse.open(`${server.url}/events`, { cookie: alice.cookie });
    await raw.waitFor((r) => r.events.length > 0);
    expect(raw.events.map((e) => e.event)).toEqual(['notification-count']);
    raw.close();
  });

  it('answers an unknown topic with 400 naming it, and a foreign Origin with 403', async () => {
    const res = await fetch(`${server.url}/events?topics=rooms,secrets`);
    expect(res.status).toBe(400);
    expect((await res.json()).error).toContain('"secrets"');
    const foreign = await fetch(`${server.url}/events?topics=rooms`, { headers: { origin: 'https://evil.example' } });
    expect(foreign.status).toBe(403);
    const own = await RawSse.open(`${server.url}/events?topics=rooms`, { origin: server.url });
    expect(own.status).toBe(200);
    own.close();
  });

  it('sends multi-line HTML as several data: lines', async () => {
    const raw = await RawSse.open(`${server.url}/events`, { cookie: bob.cookie });
    await raw.waitFor((r) => r.events.length > 0);
    expect((await api(server.url, '/api/notify', { user: bob.userId, text: 'line one\nline two\r\nline three' })).status).toBe(202);
    await raw.waitFor((r) => r.text.includes('line three'));
    expect(raw.text).toMatch(/event: new-notification\ndata: <div class="toast toast-info" role="alert" id="toast-\d+">line one\ndata: line two\ndata: line three<\/div>\nid: user:\d+\n\n/);
    raw.close();
  });

  it('replays exactly the missed events after a drop, with the Last-Event-ID header (real EventSource)', async () => {
    const proxy = await CuttableProxy.start(server.port);
    const client = new SseClient(`${proxy.url}/events?topics=dashboard`, ['resume-a', 'notification-count'], alice.cookie);
    await client.waitFor((c) => c.named('notification-count').length > 0);
    await metric('resume-a', 1);
    await client.waitFor((c) => c.named('resume-a').length === 1);
    proxy.cutAll();
    for (let v = 2; v <= 6; v++) expect((await metric('resume-a', v)).status).toBe(204);
    await client.waitFor((c) => c.opens >= 2 && c.named('resume-a').length >= 6);
    await metric('resume-a', 7);
    await client.waitFor((c) => c.named('resume-a').length >= 7);
    await sleep(200);
    const values = client.named('resume-a').map((e) => /<span class="metric">(\d+)<\/span>/.exec(e.data)![1]);
    expect(values).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    client.close();
    await proxy.close();
  });

  it('replays exactly the missed events with ?lastEventId= (what the htmx reconnect sends)', async () => {
    const first = await RawSse.open(`${server.url}/events?topics=dashboard`, { cookie: bob.cookie });
    await metric('resume-b', 10);
    await first.waitForEvent((e) => e.event === 'resume-b');
    const lastId = first.lastId;
    first.close();
    await metric('resume-b', 11);
    await metric('resume-b', 12);
    await api(server.url, '/api/notify', { user: bob.userId, text: 'while away' });
    const second = await RawSse.open(`${server.url}/events?topics=dashboard&lastEventId=${encodeURIComponent(lastId)}`, { cookie: bob.cookie });
    await second.waitFor((r) => r.events.some((e) => e.event === 'notification-count'));
    await metric('resume-b', 13);
    await second.waitFor((r) => valuesOf(r, 'resume-b').includes('13'));
    const names = second.events.map((e) => e.event);
    expect(names).not.toContain('dashboard');
    expect(valuesOf(second, 'resume-b')).toEqual(['11', '12', '13']);
    expect(second.events.filter((e) => e.event === 'new-notification').map((e) => e.data)).toEqual([expect.stringContaining('while away')]);
    expect(second.events[0]!.retry).toBe('100');
    second.close();
  });

  it('prefers the header over a stale query id, as the browser sends both after its own reconnect', async () => {
    const first = await RawSse.open(`${server.url}/events?topics=dashboard`, { cookie: bob.cookie });
    await metric('resume-c', 1);
    await first.waitForEvent((e) => e.event === 'resume-c');
    const stale = first.lastId;
    await metric('resume-c', 2);
    await first.waitFor((r) => valuesOf(r, 'resume-c').includes('2'));
    const fresh = first.lastId;
    first.close();
    await metric('resume-c', 3);
    const url = `${server.url}/events?topics=dashboard&lastEventId=${encodeURIComponent(stale)}`;
    const second = await RawSse.open(url, { cookie: bob.cookie, 'last-event-id': fresh });
    await second.waitFor((r) => valuesOf(r, 'resume-c').includes('3'));
    await sleep(100);
    expect(valuesOf(second, 'resume-c')).toEqual(['3']);
    second.close();
  });
});

describe('SPEC 6 shutdown', () => {
  it('ends open streams when the server shuts down', async () => {
    const other = await startServer();
    const raw = await RawSse.open(`${other.url}/events?topics=rooms,dashboard`);
    await raw.waitFor((r) => r.events.some((e) => e.event === 'notification-count'));
    expect(other.platform.stats.openStreams).toBe(1);
    await other.shutdown();
    await raw.waitFor((r) => r.ended);
    expect(other.platform.stats.openStreams).toBe(0);
  });
});

describe('SPEC 4.6 resume when the ring no longer holds the events', () => {
  it('sends a fresh snapshot of that topic instead', async () => {
    const small = await startServer({}, { sseRingSize: 3 });
    try {
      const user = await newUser(small.url, 'Dora');
      const post = (value: number) => api(small.url, '/api/metrics', { name: 'ring', value });
      const first = await RawSse.open(`${small.url}/events?topics=dashboard`, { cookie: user.cookie });
      await post(1);
      await first.waitForEvent((e) => e.event === 'ring');
      const lastId = first.lastId;
      first.close();
      for (let v = 2; v <= 6; v++) await post(v);
      const second = await RawSse.open(`${small.url}/events?topics=dashboard`, { cookie: user.cookie, 'last-event-id': lastId });
      await second.waitFor((r) => r.events.some((e) => e.event === 'notification-count'));
      const ring = second.events.filter((e) => e.event === 'ring');
      expect(second.events[0]!.event).toBe('dashboard');
      expect(second.events[0]!.data).toContain('id="card-ring"');
      expect(ring).toHaveLength(1);
      expect(ring[0]!.data).toContain('<span class="metric">6</span>');
      second.close();
    } finally {
      await small.shutdown();
    }
  });
});

describe('SPEC 4.1 home page room list', () => {
  it('pushes the live room list on the rooms topic when people join and leave rooms and lobbies', async () => {
    const room = `lounge-${process.pid}`;
    const home = await (await fetch(`${server.url}/`, { headers: { cookie: alice.cookie } })).text();
    expect(home).toContain('sse-connect="/events?topics=rooms"');
    expect(home).toContain('<div id="room-list" sse-swap="rooms" hx-swap="innerHTML">');
    const client = new SseClient(`${server.url}/events?topics=rooms`, ['rooms'], bob.cookie);
    await client.waitFor((c) => c.named('rooms').length === 1);
    const socket = await SocketClient.connect(wsUrl(server.url, `/chat/${room}/ws`), { cookie: alice.cookie });
    await client.waitFor((c) => c.named('rooms').some((e) => e.data.includes(`#${room}`)));
    expect(client.named('rooms').at(-1)!.data).toContain('1 online');
    socket.close();
    await client.waitFor((c) => !c.named('rooms').at(-1)!.data.includes(`#${room}`));
    const lobby = await SocketClient.connect(wsUrl(server.url, `/lobby/${room}/ws`), { cookie: alice.cookie });
    await client.waitFor((c) => c.named('rooms').at(-1)!.data.includes(`Lobby ${room}`));
    lobby.close();
    client.close();
  });
});
