import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeServer } from '../../app/platform/node.ts';
import { freePort, spawnServer, startServer, tempDir } from '../helpers/server.ts';
import { markAllRead, newUser, SocketClient, sleep, wsUrl } from '../helpers/clients.ts';
import { api, RawSse, SseClient } from '../helpers/sse.ts';

let server: NodeServer;

beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.shutdown());

const notify = (body: unknown) => api(server.url, '/api/notify', body);
const NAMES = ['new-notification', 'notification-count'];

describe('SPEC 4.5 notifications', () => {
  it('sends a toast and the unread count to that user only', async () => {
    const a = await newUser(server.url, 'Ann');
    const b = await newUser(server.url, 'Ben');
    const streamA = new SseClient(`${server.url}/events`, NAMES, a.cookie);
    const streamB = new SseClient(`${server.url}/events`, NAMES, b.cookie);
    await streamA.waitFor((c) => c.named('notification-count').length === 1);
    await streamB.waitFor((c) => c.named('notification-count').length === 1);

    const res = await notify({ user: b.userId, text: 'Deploy <b>done</b>', level: 'success' });
    expect(res.status).toBe(202);
    await streamB.waitFor((c) => c.named('new-notification').length === 1 && c.named('notification-count').length === 2);
    expect(streamB.named('new-notification')[0]!.data).toMatch(/^<div class="toast toast-success" role="alert" id="toast-\d+">Deploy &lt;b&gt;done&lt;\/b&gt;<\/div>$/);
    expect(streamB.named('notification-count').at(-1)!.data).toBe('<span>1</span>');

    // A's stream gets its own next toast first: nothing of B's came before it.
    await notify({ user: a.userId, text: 'for Ann' });
    await streamA.waitFor((c) => c.named('new-notification').length === 1);
    expect(streamA.named('new-notification').map((e) => e.data)).toEqual([expect.stringContaining('for Ann')]);
    expect(streamA.received.some((e) => e.data.includes('Deploy'))).toBe(false);
    streamA.close();
    streamB.close();
  });

  it('keeps at most 5 toasts: each toast event deletes the one five back', async () => {
    const u = await newUser(server.url, 'Tess');
    const raw = await RawSse.open(`${server.url}/events`, { cookie: u.cookie });
    await raw.waitFor((r) => r.events.length === 1);
    for (let i = 1; i <= 7; i++) await notify({ user: u.userId, text: `t${i}` });
    await raw.waitFor((r) => r.events.filter((e) => e.event === 'new-notification').length === 7);
    const toasts = raw.events.filter((e) => e.event === 'new-notification');
    const ids = toasts.map((e) => /id="toast-(\d+)"/.exec(e.data)![1]);
    for (let i = 0; i < 5; i++) expect(toasts[i]!.data).not.toContain('hx-swap-oob');
    expect(toasts[5]!.data).toContain(`<div id="toast-${ids[0]}" hx-swap-oob="delete"></div>`);
    expect(toasts[6]!.data).toContain(`<div id="toast-${ids[1]}" hx-swap-oob="delete"></div>`);
    raw.close();
  });

  it('GET /notifications lists them and shows the user id; the page\'s POST /notifications/read sets every tab of that user to 0', async () => {
    const u = await newUser(server.url, 'Una');
    const tab1 = new SseClient(`${server.url}/events?topics=rooms`, NAMES, u.cookie);
    const tab2 = new SseClient(`${server.url}/events?topics=dashboard`, NAMES, u.cookie);
    await notify({ user: u.userId, text: 'first' });
    await notify({ user: u.userId, text: 'second', level: 'warning' });
    for (const tab of [tab1, tab2]) await tab.waitFor((c) => c.named('notification-count').at(-1)?.data === '<span>2</span>');
    const page = await (await fetch(`${server.url}/notifications`, { headers: { cookie: u.cookie } })).text();
    expect(page).toContain(`<code id="user-id">${u.userId}</code>`);
    expect(page).toContain('first');
    expect(page).toContain('second');
    expect(page.indexOf('second')).toBeLessThan(page.indexOf('first'));
    expect(page).toContain('hx-post="/notifications/read" hx-trigger="load, submit"');
    expect((await markAllRead(server.url, u.cookie)).status).toBe(204);
    for (const tab of [tab1, tab2]) await tab.waitFor((c) => c.named('notification-count').at(-1)?.data === '<span>0</span>');
    tab1.close();
    tab2.close();
  });

  it('notifies @mentioned users of a chat message, by display name', async () => {
    const room = `mentions-${process.pid}`;
    const author = await newUser(server.url, 'Mo');
    const target = await newUser(server.url, 'Zed');
    const stream = new SseClient(`${server.url}/events`, NAMES, target.cookie);
    const authorStream = new SseClient(`${server.url}/events`, NAMES, author.cookie);
    await stream.waitFor((c) => c.opens === 1 && c.named('notification-count').length === 1);
    await authorStream.waitFor((c) => c.named('notification-count').length === 1);
    // A mention reaches people who have been in the room (SPEC §6): Zed visits it first.
    const visit = await SocketClient.connect(wsUrl(server.url, `/chat/${room}/ws`), { cookie: target.cookie });
    await visit.waitForText('chat-messages');
    visit.close();
    const socket = await SocketClient.connect(wsUrl(server.url, `/chat/${room}/ws`), { cookie: author.cookie });
    await socket.waitForText('chat-messages');
    socket.sendMessage('hey @zed, and @Mo and @nobody!');
    await stream.waitFor((c) => c.named('new-notification').length === 1);
    expect(stream.named('new-notification')[0]!.data).toContain(`Mo mentioned you in #${room}: hey @zed, and @Mo and @nobody!`);
    await sleep(200);
    expect(authorStream.named('new-notification')).toHaveLength(0);
    socket.close();
    stream.close();
    authorStream.close();
  });

  it('notifies everyone connected with "all": true', async () => {
    const x = await newUser(server.url, 'Xia');
    const y = await newUser(server.url);
    const sx = new SseClient(`${server.url}/events`, NAMES, x.cookie);
    const sy = new SseClient(`${server.url}/events`, NAMES, y.cookie);
    await sx.waitFor((c) => c.named('notification-count').length === 1);
    await sy.waitFor((c) => c.named('notification-count').length === 1);
    const res = await notify({ all: true, text: 'Maintenance at 18:00', level: 'warning' });
    expect(res.status).toBe(202);
    expect((await res.json()).notified).toBeGreaterThanOrEqual(2);
    for (const s of [sx, sy]) await s.waitFor((c) => c.named('new-notification').some((e) => e.data.includes('toast-warning')));
    sx.close();
    sy.close();
  });
});

describe('SPEC 4.5 notifications survive a restart', () => {
  it('a reconnect after the restart gets the toasts sent while the server was down, exactly once', async () => {
    const port = await freePort();
    const env = { DATABASE_URL: `file:${tempDir()}/restart.db` };
    let child = await spawnServer(env, port);
    try {
      const u = await newUser(child.url, 'Rita');
      await api(child.url, '/api/notify', { user: u.userId, text: 'before' });
      const first = await RawSse.open(`${child.url}/events?topics=dashboard`, { cookie: u.cookie });
      await first.waitFor((r) => r.events.some((e) => e.event === 'notification-count'));
      const lastId = first.lastId;
      expect(await child.stop()).toBe(0);
      first.close();
      child = await spawnServer(env, port);
      expect((await api(child.url, '/api/notify', { user: u.userId, text: 'during the outage' })).status).toBe(202);
      const second = await RawSse.open(`${child.url}/events?topics=dashboard`, { cookie: u.cookie, 'last-event-id': lastId });
      await second.waitFor((r) => r.events.some((e) => e.event === 'notification-count'));
      await sleep(200);
      const toasts = second.events.filter((e) => e.event === 'new-notification');
      expect(toasts.map((e) => />([^<]+)<\/div>/.exec(e.data)![1])).toEqual(['during the outage']);
      expect(second.events.find((e) => e.event === 'notification-count')!.data).toBe('<span>2</span>');
      // The dashboard ring did not survive the restart: that topic gets a fresh snapshot.
      expect(second.events[0]!.event).toBe('dashboard');
      second.close();
    } finally {
      await child.stop();
    }
  });
});
