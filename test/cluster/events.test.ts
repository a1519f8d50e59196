import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SocketClient } from '../helpers/clients.ts';
import { joinRoom, newUser, spawnInstance } from '../helpers/cluster.ts';
import { startRedis, type RedisServer } from '../helpers/redis.ts';
import type { ChildServer } from '../helpers/server.ts';
import { api, RawSse, SseClient, type SseEvent } from '../helpers/sse.ts';
import { markAllRead } from '../helpers/clients.ts';

let redis: RedisServer;
let a: ChildServer;
let b: ChildServer;
const closers: Array<{ close(): void }> = [];
const keep = <T extends { close(): void }>(x: T) => (closers.push(x), x);

const NOTIFICATIONS = ['new-notification', 'notification-count'];
const metricValue = (e: SseEvent) => /<span class="metric">([^<]+)<\/span>/.exec(e.data)?.[1];
const valuesOf = (raw: RawSse, name: string) => raw.events.filter((e) => e.event === name).map(metricValue);

beforeAll(async () => {
  redis = await startRedis();
  [a, b] = await Promise.all([spawnInstance(redis.url), spawnInstance(redis.url)]);
});
afterAll(async () => {
  for (const c of closers) c.close();
  await Promise.all([a?.stop(), b?.stop()]);
  await redis?.kill();
});

describe('SPEC 7 cluster: SSE streams across instances', () => {
  it('resumes on B with the Last-Event-ID from A and gets exactly the missed events, then live ones', async () => {
    const sam = await newUser(a.url, 'Sam');
    expect((await api(a.url, '/api/metrics', { name: 'orders-today', value: 1 })).status).toBe(204);
    const onA = keep(await RawSse.open(`${a.url}/events?topics=dashboard`, { cookie: sam.cookie }));
    await onA.waitFor((r) => valuesOf(r, 'orders-today').includes('1'));
    await api(b.url, '/api/metrics', { name: 'orders-today', value: 2 });
    await onA.waitFor((r) => valuesOf(r, 'orders-today').includes('2'));
    const lastId = onA.lastId;
    onA.close();

    for (const value of [3, 4, 5]) await api(value % 2 ? a.url : b.url, '/api/metrics', { name: 'orders-today', value });
    const onB = keep(await RawSse.open(`${b.url}/events?topics=dashboard`, { cookie: sam.cookie, 'last-event-id': lastId }));
    await onB.waitFor((r) => valuesOf(r, 'orders-today').length >= 3);
    // A marker published after the resume: everything before it has arrived.
    await api(a.url, '/api/metrics', { name: 'orders-today', value: 6 });
    await onB.waitFor((r) => valuesOf(r, 'orders-today').includes('6'));
    expect(valuesOf(onB, 'orders-today')).toEqual(['3', '4', '5', '6']);
    // A resume, not a snapshot: the cards were not sent again.
    expect(onB.events.some((e) => e.event === 'dashboard')).toBe(false);
  });

  it('delivers a notification posted through A’s API to the user’s stream on B, and mark-read on A to every tab', async () => {
    const nora = await newUser(b.url, 'Nora');
    const onB = keep(new SseClient(`${b.url}/events`, NOTIFICATIONS, nora.cookie));
    const onA = keep(new SseClient(`${a.url}/events`, NOTIFICATIONS, nora.cookie));
    await onB.waitFor((c) => c.named('notification-count').length === 1);
    await onA.waitFor((c) => c.named('notification-count').length === 1);
    expect((await api(a.url, '/api/notify', { user: nora.userId, text: 'posted on <A>', level: 'success' })).status).toBe(202);
    await onB.waitFor((c) => c.named('new-notification').length === 1 && c.named('notification-count').at(-1)?.data === '<span>1</span>');
    expect(onB.named('new-notification')[0]!.data).toMatch(/^<div class="toast toast-success" role="alert" id="toast-\d+">posted on &lt;A&gt;<\/div>$/);
    await onA.waitFor((c) => c.named('new-notification').length === 1);

    const page = await fetch(`${a.url}/notifications`, { headers: { cookie: nora.cookie } });
    expect(await page.text()).toContain('posted on &lt;A&gt;');
    expect((await markAllRead(a.url, nora.cookie)).status).toBe(204);
    await onB.waitFor((c) => c.named('notification-count').at(-1)?.data === '<span>0</span>');
  });

  it('notifies a user streaming on B when they are @mentioned in a room on A', async () => {
    const quinn = await newUser(b.url, 'Quinn');
    const ray = await newUser(a.url, 'Ray');
    const stream = keep(new SseClient(`${b.url}/events`, NOTIFICATIONS, quinn.cookie));
    await stream.waitFor((c) => c.named('notification-count').length === 1);
    // A mention reaches people who have been in the room (SPEC §6): Quinn visits it on B first.
    (await joinRoom(b, 'mentions', quinn)).close();
    const chat = keep<SocketClient>(await joinRoom(a, 'mentions', ray));
    chat.sendMessage('hello @Quinn, over here');
    await stream.waitFor((c) => c.named('new-notification').length === 1);
    expect(stream.named('new-notification')[0]!.data).toContain('Ray mentioned you in #mentions: hello @Quinn, over here');
  });

  it('publishes each change of a built-in metric once, with the same sparkline, whichever instance noticed it', async () => {
    const dee = await newUser(a.url, 'Dee');
    const onA = keep(await RawSse.open(`${a.url}/events?topics=dashboard`, { cookie: dee.cookie }));
    const onB = keep(await RawSse.open(`${b.url}/events?topics=dashboard`, { cookie: dee.cookie }));
    const settled = async () => {
      for (let quiet = 0, seen = -1; quiet < 3; ) {
        const now = onA.events.length + onB.events.length;
        quiet = now === seen ? quiet + 1 : 0;
        seen = now;
        await new Promise((r) => setTimeout(r, 300));
      }
    };
    await settled();
    const from = { a: onA.events.length, b: onB.events.length };
    for (const [server, name] of [[a, 'Eve'], [b, 'Fay'], [a, 'Gil']] as const) {
      keep<SocketClient>(await joinRoom(server, `builtin-${name.toLowerCase()}`, await newUser(server.url, name)));
    }
    await settled();
    const live = (raw: RawSse, start: number) => raw.events.slice(start).filter((e) => e.event === 'rooms-active');
    const [seenOnA, seenOnB] = [live(onA, from.a), live(onB, from.b)];
    expect(seenOnA.length).toBeGreaterThan(0);
    expect(seenOnA.map((e) => e.data)).toEqual(seenOnB.map((e) => e.data));
    const values = seenOnA.map(metricValue);
    expect(values.filter((v, i) => i > 0 && v === values[i - 1])).toEqual([]);
  });

  it('shows a room joined on A in the live room list and online count of a home page on B', async () => {
    const viewer = await newUser(b.url, 'Vic');
    const home = keep(await RawSse.open(`${b.url}/events?topics=rooms`, { cookie: viewer.cookie }));
    await home.waitFor((r) => r.events.some((e) => e.event === 'rooms'));
    const walt = await newUser(a.url, 'Walt');
    keep<SocketClient>(await joinRoom(a, 'lively', walt));
    await home.waitFor((r) => r.events.some((e) => e.event === 'rooms' && /#lively<\/a> <span class="online">1 online/.test(e.data)));
  });
});
