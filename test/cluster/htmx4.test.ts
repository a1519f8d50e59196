import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SocketClient, wsUrl } from '../helpers/clients.ts';
import { joinRoom, newUser, spawnInstance } from '../helpers/cluster.ts';
import { startRedis, type RedisServer } from '../helpers/redis.ts';
import type { ChildServer } from '../helpers/server.ts';
import { api, RawSse } from '../helpers/sse.ts';

let redis: RedisServer;
let a: ChildServer;
let b: ChildServer;
const closers: Array<{ close(): void }> = [];
const keep = <T extends { close(): void }>(x: T) => (closers.push(x), x);

beforeAll(async () => {
  redis = await startRedis();
  // Mid rolling upgrade: one instance serves htmx 2 pages, the other htmx 4 pages.
  [a, b] = await Promise.all([spawnInstance(redis.url, { HTMX_VERSION: '2' }), spawnInstance(redis.url, { HTMX_VERSION: '4' })]);
});
afterAll(async () => {
  for (const c of closers) c.close();
  await Promise.all([a?.stop(), b?.stop()]);
  await redis?.kill();
});

describe('SPEC 7 and 8 cluster: both htmx majors across instances', () => {
  it('lets an htmx 2 socket on A and an htmx 4 socket on B chat in one room', async () => {
    const [ann, ben] = await Promise.all([newUser(a.url, 'Ann'), newUser(b.url, 'Ben')]);
    const two = keep(await joinRoom(a, 'upgrade', ann));
    const four = keep(await SocketClient.connect(wsUrl(b.url, '/chat/upgrade/ws?htmx=4'), { cookie: ben.cookie }));
    await four.waitForText('id="chat-messages" hx-swap-oob="innerHTML"');
    four.send({ message: 'from B <4>', headers: { 'HX-Request': 'true' } });
    await two.waitForText('<strong>Ben:</strong> from B &lt;4&gt; ', 10_000);
    two.sendMessage('from A');
    await four.waitForText('<strong>Ann:</strong> from A ', 10_000);
  });

  it('sends a lobby\'s arena to an htmx 2 tab on A and an htmx 4 tab on B, each with its own press form', async () => {
    const [ada, bea] = await Promise.all([newUser(a.url, 'Ada'), newUser(b.url, 'Bea')]);
    const two = keep(await SocketClient.connect(wsUrl(a.url, '/lobby/upgrade/ws'), { cookie: ada.cookie }));
    await two.waitForText('Ada has joined the lobby.', 10_000);
    const four = keep(await SocketClient.connect(wsUrl(b.url, '/lobby/upgrade/ws?htmx=4'), { cookie: bea.cookie }));
    await two.waitForText('Bea has joined the lobby.', 10_000);
    two.send({ action: 'ready', HEADERS: { 'HX-Request': 'true' } });
    await four.waitForText('Ada is ready.', 10_000);
    four.send({ action: 'ready', headers: { 'HX-Request': 'true' } });
    // Whichever instance runs the clock renders both forms once and sends them through Redis together.
    expect(await two.waitForText('Get ready…', 10_000)).toContain('<form id="press-form" class="press-form" ws-send');
    expect(await four.waitForText('Get ready…', 10_000)).toContain('<form id="press-form" class="press-form" hx-ws:send');
    const count = (client: SocketClient) => client.waitForText('<div id="game-status" hx-swap-oob="innerHTML">3</div>', 10_000);
    expect(await count(two)).toContain(' ws-send');
    expect(await count(four)).toContain('hx-ws:send');
    expect(two.frames.join()).not.toContain('hx-ws:send');
    expect(four.frames.join()).not.toContain(' ws-send');
  });

  it('renders an SSE update once at the publisher and delivers each major its own form on both instances', async () => {
    const sue = await newUser(a.url, 'Sue');
    const twoOnB = keep(await RawSse.open(`${b.url}/events?topics=dashboard`, { cookie: sue.cookie }));
    const fourOnA = keep(await RawSse.open(`${a.url}/events?topics=dashboard&htmx=4`, { cookie: sue.cookie }));
    for (const raw of [twoOnB, fourOnA]) await raw.waitFor((r) => r.text.includes('notif-count') || r.text.includes('notification-count'));
    expect((await api(a.url, '/api/notify', { user: sue.userId, text: 'one <toast>' })).status).toBe(202);
    const named = await twoOnB.waitForEvent((e) => e.event === 'new-notification', 10_000);
    expect(named.data).toMatch(/^<div class="toast toast-info" role="alert" id="toast-\d+">one &lt;toast&gt;<\/div>$/);
    const unnamed = await fourOnA.waitForEvent((e) => e.data.includes('one &lt;toast&gt;'), 10_000);
    expect(unnamed.event).toBe('message');
    expect(unnamed.data).toBe(`<div id="toast-container" hx-swap-oob="afterbegin">${named.data}</div>`);
    // The same global position on both, so either can resume on the other instance.
    const userPart = (id: string | undefined) => /user:\d+/.exec(id ?? '')?.[0];
    expect(userPart(unnamed.id)).toBeDefined();
    expect(userPart(unnamed.id)).toBe(userPart(named.id));
    await api(b.url, '/api/metrics', { name: 'cluster-four', value: 42 });
    await fourOnA.waitFor((r) => r.text.includes('<div id="cluster-four" hx-swap-oob="innerHTML"><span class="metric">42</span>'), 10_000);
  });
});
