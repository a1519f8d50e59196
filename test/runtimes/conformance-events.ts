import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { markAllRead, newUser, sleep, SocketClient, wsUrl } from '../helpers/clients.ts';
import { TEST_TOKEN } from '../helpers/server.ts';
import { api, RawSse } from '../helpers/sse.ts';

import type { SuiteContext, User } from './context.ts';

const expectError = async (res: Response, status: number, mentions: string | RegExp) => {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/json');
  const body = (await res.json()) as { error: string };
  expect(Object.keys(body)).toEqual(['error']);
  if (typeof mentions === 'string') expect(body.error).toContain(mentions);
  else expect(body.error).toMatch(mentions);
};

/** `<span class="metric">VALUE</span>` values a stream received for one metric, in order. */
const valuesOf = (raw: RawSse, name: string) => raw.events.filter((e) => e.event === name).map((e) => /class="metric">([^<]+)</.exec(e.data)?.[1]);

/** SPEC §4.4–4.6 and §5 on one runtime: streams, replay, dashboard, notifications, API. */
export function eventsSuite(ctx: SuiteContext): void {
  const open = (path: string, user: User, headers: Record<string, string> = {}) => RawSse.open(ctx.url(path), { cookie: user.cookie, ...headers });
  const metric = (name: string, value: number) => api(ctx.server.url, '/api/metrics', { name, value });

  describe(`SPEC 4.6 SSE endpoint on ${ctx.runtime}`, () => {
    it('sends named events with an id each, retry first, and heartbeat comments', async () => {
      const raw = await open('/events?topics=rooms,dashboard', ctx.alice);
      expect(raw.status).toBe(200);
      expect(raw.headers['content-type']).toContain('text/event-stream');
      await raw.waitFor((r) => r.events.some((e) => e.event === 'notification-count'), 10_000);
      await raw.waitFor((r) => r.text.includes('\n\n: heartbeat\n\n'), 10_000);
      const events = raw.events;
      expect(events[0]!.retry).toMatch(/^\d+$/);
      expect(events.every((e) => e.id && /^(rooms|dashboard|user):\d+(,(rooms|dashboard|user):\d+)*$/.test(e.id))).toBe(true);
      expect(events.map((e) => e.event)).toEqual(expect.arrayContaining(['rooms', 'dashboard', 'active-users', 'messages-today', 'rooms-active', 'notification-count']));
      raw.close();
    });

    it('ends a stream whose client left and takes the user offline', async () => {
      const { alice } = ctx;
      const observer = await open('/events?topics=dashboard', alice);
      const activeUsers = () => valuesOf(observer, 'active-users').at(-1);
      await observer.waitFor(() => activeUsers() !== undefined, 10_000);
      const before = Number(activeUsers());
      const eve = await newUser(ctx.server.url, 'Eve');
      const leaving = await open('/events', eve);
      await observer.waitFor(() => Number(activeUsers()) === before + 1, 10_000);
      leaving.close();
      await observer.waitFor(() => Number(activeUsers()) === before, 15_000);
      observer.close();
    });

    it('answers an unknown topic with 400 naming it', async () => {
      const res = await fetch(`${ctx.server.url}/events?topics=rooms,secrets`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toContain('"secrets"');
    });

    it('replays exactly the missed events after ?lastEventId=, then continues live', async () => {
      const { bob } = ctx;
      const name = `resume-${ctx.fresh()}`;
      const first = await open('/events?topics=dashboard', bob);
      await first.waitFor((r) => r.events.some((e) => e.event === 'notification-count'), 10_000);
      expect((await metric(name, 10)).status).toBe(204);
      await first.waitForEvent((e) => e.event === name, 10_000);
      const lastId = first.lastId;
      first.close();
      await metric(name, 11);
      await metric(name, 12);
      expect((await api(ctx.server.url, '/api/notify', { user: bob.userId, text: 'while <away>' })).status).toBe(202);
      const second = await open(`/events?topics=dashboard&lastEventId=${encodeURIComponent(lastId)}`, bob);
      await second.waitFor((r) => r.events.some((e) => e.event === 'notification-count'), 10_000);
      await metric(name, 13);
      await second.waitFor((r) => valuesOf(r, name).includes('13'), 10_000);
      expect(second.events.map((e) => e.event)).not.toContain('dashboard');
      expect(valuesOf(second, name)).toEqual(['11', '12', '13']);
      expect(second.events.filter((e) => e.event === 'new-notification').map((e) => e.data)).toEqual([expect.stringContaining('while &lt;away&gt;')]);
      second.close();
    });

    it('pushes the live room list on the rooms topic when someone joins a room', async () => {
      const { alice, bob } = ctx;
      const room = ctx.fresh();
      const raw = await open('/events?topics=rooms', bob);
      await raw.waitFor((r) => r.events.some((e) => e.event === 'rooms'), 10_000);
      const socket = await SocketClient.connect(wsUrl(ctx.server.url, `/chat/${room}/ws`), { cookie: alice.cookie });
      await raw.waitFor((r) => r.events.some((e) => e.event === 'rooms' && e.data.includes(`#${room}`)), 10_000);
      socket.close();
      await raw.waitFor((r) => !r.events.filter((e) => e.event === 'rooms').at(-1)!.data.includes(`#${room}`), 10_000);
      raw.close();
    });
  });

  describe(`SPEC 4.4 dashboard and 4.5 notifications on ${ctx.runtime}`, () => {
    it('renders the dashboard cards and gives a metric pushed through the API its card, live', async () => {
      const { alice } = ctx;
      const name = `orders-${ctx.fresh()}`;
      const page = await (await fetch(`${ctx.server.url}/dashboard`, { headers: { cookie: alice.cookie } })).text();
      for (const card of ['active-users', 'messages-today', 'rooms-active']) expect(page).toContain(`<div class="metric-card" id="card-${card}">`);
      const raw = await open('/events?topics=dashboard', alice);
      await raw.waitFor((r) => r.events.some((e) => e.event === 'notification-count'), 10_000);
      expect((await api(ctx.server.url, '/api/metrics', { name, value: 1247, label: 'Orders <today>' })).status).toBe(204);
      await raw.waitFor((r) => r.events.some((e) => e.event === 'dashboard' && e.data.includes(`id="card-${name}"`)), 10_000);
      expect(raw.events.filter((e) => e.event === 'dashboard').at(-1)!.data).toContain('Orders &lt;today&gt;');
      await raw.waitFor((r) => valuesOf(r, name).includes('1,247'), 10_000);
      expect(raw.events.find((e) => e.event === name)!.data).toContain('<svg');
      raw.close();
    });

    it('sends a toast and the count to that user only, and the page POST-ing to /notifications/read marks them read in every tab', async () => {
      const { bob } = ctx;
      const carol = await newUser(ctx.server.url, 'Carol');
      const mine = await open('/events', carol);
      const other = await open('/events', bob);
      await mine.waitFor((r) => r.events.some((e) => e.event === 'notification-count'), 10_000);
      await other.waitFor((r) => r.events.some((e) => e.event === 'notification-count'), 10_000);
      expect((await api(ctx.server.url, '/api/notify', { user: carol.userId, text: 'Deploy <b>done</b>', level: 'success' })).status).toBe(202);
      const toast = await mine.waitForEvent((e) => e.event === 'new-notification', 10_000);
      expect(toast.data).toMatch(/^<div class="toast toast-success" role="alert" id="toast-\d+">Deploy &lt;b&gt;done&lt;\/b&gt;<\/div>$/);
      await mine.waitFor((r) => r.events.filter((e) => e.event === 'notification-count').at(-1)!.data === '<span>1</span>', 10_000);
      const list = await (await fetch(`${ctx.server.url}/notifications`, { headers: { cookie: carol.cookie } })).text();
      expect(list).toContain('Deploy &lt;b&gt;done&lt;/b&gt;');
      expect(list).toContain(carol.userId);
      expect((await markAllRead(ctx.server.url, carol.cookie)).status).toBe(204);
      await mine.waitFor((r) => r.events.filter((e) => e.event === 'notification-count').at(-1)!.data === '<span>0</span>', 10_000);
      expect(other.text).not.toContain('Deploy');
      mine.close();
      other.close();
    });

    it('notifies a user @mentioned in a chat message, by their current name in any case', async () => {
      const { alice } = ctx;
      const tag = ctx.fresh().replace(/\W/g, '').slice(-12);
      const [first, second] = [`Dora${tag}`, `Eda${tag}`];
      const dora = await newUser(ctx.server.url, first);
      const raw = await open('/events', dora);
      await raw.waitFor((r) => r.events.some((e) => e.event === 'notification-count'), 10_000);
      // A mention reaches people who have been in the room (SPEC §6): Dora visits it first.
      const room = ctx.fresh();
      const visit = await SocketClient.connect(wsUrl(ctx.server.url, `/chat/${room}/ws`), { cookie: dora.cookie });
      await visit.waitForText('id="chat-messages" hx-swap-oob="innerHTML"');
      visit.close();
      const socket = await SocketClient.connect(wsUrl(ctx.server.url, `/chat/${room}/ws`), { cookie: alice.cookie });
      await socket.waitForText('id="chat-messages" hx-swap-oob="innerHTML"');
      const toasts = () => raw.events.filter((e) => e.event === 'new-notification');
      socket.sendMessage(`hello @${first.toLowerCase()}!`);
      await raw.waitFor(() => toasts().length === 1, 10_000);
      expect(toasts()[0]!.data).toContain('Alice mentioned you');
      const renamed = await fetch(`${ctx.server.url}/session`, {
        method: 'POST',
        headers: { cookie: dora.cookie, 'hx-request': 'true', origin: ctx.server.url, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ name: second }),
      });
      expect(renamed.status).toBe(200);
      socket.sendMessage(`still there @${first}?`);
      socket.sendMessage(`and now @${second}`);
      await raw.waitFor(() => toasts().length === 2, 10_000);
      expect(toasts()[1]!.data).toContain('and now');
      expect(raw.text).not.toContain('still there');
      socket.close();
      raw.close();
    });
  });

  describe(`SPEC 5 HTTP API on ${ctx.runtime}`, () => {
    it('answers 401 JSON to a missing or wrong token', async () => {
      for (const path of ['/api/metrics', '/api/notify', '/api/rooms/general/messages']) {
        await expectError(await fetch(`${ctx.server.url}${path}`, { method: 'POST', body: '{}' }), 401, 'Authorization');
        await expectError(await api(ctx.server.url, path, {}, 'wrong-token'), 401, 'wrong API token');
      }
    });

    it('answers bad JSON, wrong types, unknown fields and bad names with 400 naming the field, and big bodies with 413', async () => {
      await expectError(await api(ctx.server.url, '/api/metrics', '{not json'), 400, 'not valid JSON');
      await expectError(await api(ctx.server.url, '/api/metrics', { name: 'ok', value: 'many' }), 400, '"value"');
      await expectError(await api(ctx.server.url, '/api/metrics', { name: 'Bad Name', value: 1 }), 400, '"name"');
      await expectError(await api(ctx.server.url, '/api/notify', { user: 'u', text: 'x', extra: 1 }), 400, '"extra"');
      await expectError(await api(ctx.server.url, '/api/rooms/general/messages', { name: 'bot', text: 'y'.repeat(2001) }), 400, '"text"');
      await expectError(await api(ctx.server.url, '/api/rooms/Bad%20Room/messages', { name: 'bot', text: 'x' }), 400, 'room');
      await expectError(await api(ctx.server.url, '/api/metrics', { name: 'big', value: 1, label: 'x'.repeat(70 * 1024) }), 413, '64 KiB');
    });

    it('answers 413 to a chunked body past 64 KiB and the next POST on the same keep-alive connection still works', async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const { hostname, port } = new URL(ctx.server.url);
      const post = (parts: string[], chunked: boolean) =>
        new Promise<{ status: number; text: string; socket: unknown }>((resolve, reject) => {
          const headers: Record<string, string> = { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' };
          if (chunked) headers['transfer-encoding'] = 'chunked';
          const req = http.request({ host: hostname, port, path: '/api/metrics', method: 'POST', agent, headers }, (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (chunk: string) => (text += chunk));
            res.on('end', () => resolve({ status: res.statusCode!, text, socket: req.socket }));
          });
          req.on('error', reject);
          for (const part of parts) req.write(part);
          req.end();
        });
      try {
        const name = ctx.fresh().replace(/[^a-z0-9_]/g, '_');
        const big = JSON.stringify({ name, value: 1, label: 'x'.repeat(70 * 1024) });
        const parts = Array.from({ length: Math.ceil(big.length / 8192) }, (_, i) => big.slice(i * 8192, (i + 1) * 8192));
        const refused = await post(parts, true);
        expect(refused.status).toBe(413);
        expect(refused.text).toContain('64 KiB');
        const next = await post([JSON.stringify({ name, value: 2 })], false);
        expect(next.text).toBe('');
        expect(next.status).toBe(204);
        // The same connection, when the server kept it open (workerd did and broke it).
        if (!(refused.socket as { destroyed: boolean }).destroyed) expect(next.socket).toBe(refused.socket);
      } finally {
        agent.destroy();
      }
    });

    it('stores a bot message, then broadcasts it to the room; 201', async () => {
      const { alice } = ctx;
      const room = ctx.fresh();
      const socket = await SocketClient.connect(wsUrl(ctx.server.url, `/chat/${room}/ws`), { cookie: alice.cookie });
      await socket.waitForText('id="chat-messages" hx-swap-oob="innerHTML"');
      const res = await api(ctx.server.url, `/api/rooms/${room}/messages`, { name: 'ci-bot', text: 'build <green>' });
      expect(res.status).toBe(201);
      const body = (await res.json()) as { id: number; room: string };
      expect(body.room).toBe(room);
      expect(await socket.waitForText('build &lt;green&gt;', 10_000)).toContain(`id="msg-${body.id}"`);
      socket.close();
    });

    it('/metrics counts the sockets and streams other requests hold, and the messages they carried', async () => {
      const read = async () => {
        const text = await (await fetch(`${ctx.server.url}/metrics`, { headers: { authorization: `Bearer ${TEST_TOKEN}` } })).text();
        const value = (name: string) => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
        return { sockets: value('switchboard_open_websockets'), streams: value('switchboard_open_sse_streams'), messages: value('switchboard_messages_total') };
      };
      /** Reads /metrics until `check` holds; Workers add the counts up in another object, a moment later. */
      const until = async (check: (m: Awaited<ReturnType<typeof read>>) => boolean) => {
        let last = await read();
        for (let tries = 0; !check(last) && tries < 50; tries++) {
          await sleep(200);
          last = await read();
        }
        return last;
      };
      const before = await read();
      const held = 3;
      const room = ctx.fresh();
      const sockets = await Promise.all(Array.from({ length: held }, () => ctx.join(room, ctx.alice)));
      const streams = await Promise.all(Array.from({ length: held }, () => RawSse.open(ctx.url('/events?topics=dashboard'), { cookie: ctx.bob.cookie })));
      for (const stream of streams) await stream.waitFor((raw) => raw.text.includes('event:'), 10_000);
      await ctx.say(sockets[0]!, 'counted');
      const during = await until((m) => m.sockets >= held && m.streams >= held && m.messages >= before.messages + 1);
      expect(during.sockets).toBeGreaterThanOrEqual(held);
      expect(during.streams).toBeGreaterThanOrEqual(held);
      expect(during.messages).toBeGreaterThanOrEqual(before.messages + 1);
      for (const socket of sockets) socket.close();
      for (const stream of streams) stream.close();
      // Whatever else was still open can only have closed meanwhile. On workerd a stream whose client
      // left without its request being told ends at its next write (heartbeat or event) at the latest.
      const after = await until((m) => m.sockets <= during.sockets - held && m.streams <= during.streams - held);
      expect(after.sockets).toBeLessThanOrEqual(during.sockets - held);
      expect(after.streams).toBeLessThanOrEqual(during.streams - held);
      expect(after.messages).toBeGreaterThanOrEqual(during.messages);
    });

    // workerd only: Node and Deno build the app once per process by construction (their entry calls createApp once).
    if (ctx.runtime === 'workerd') {
      it('Workers: the app is built once per isolate; each request, concurrent ones too, brings its own backend', async () => {
        const room = ctx.fresh();
        const get = (path: string, user: User, headers: Record<string, string> = {}) => fetch(ctx.url(path), { headers: { cookie: user.cookie, ...headers } });
        const pages = ['/', `/chat/${room}`, `/lobby/${room}`, '/notifications', '/healthz'];
        const answers = await Promise.all([ctx.alice, ctx.bob, ctx.alice].flatMap((user) => pages.map((path) => get(path, user))));
        const stream = await open('/events?topics=dashboard', ctx.bob);
        await stream.waitFor((raw) => raw.text.includes('event:'), 10_000);
        const metrics = await get('/metrics', ctx.alice, { authorization: `Bearer ${TEST_TOKEN}` });
        for (const res of [...answers, metrics]) {
          expect(res.status).toBe(200);
          // The header counts the isolate's calls of createApp (EXPOSE_APP_BUILDS, set by the workerd launcher).
          expect(res.headers.get('x-switchboard-app-builds')).toBe('1');
        }
        expect(stream.headers['x-switchboard-app-builds']).toBe('1');
        // The request's own backend answers: the stream counts in the /metrics of another request.
        expect(Number(/^switchboard_open_sse_streams (\d+)$/m.exec(await metrics.text())?.[1])).toBeGreaterThanOrEqual(1);
        stream.close();
      });
    }

    it('serves /healthz and the Prometheus counters behind the token', async () => {
      expect(await (await fetch(`${ctx.server.url}/healthz`)).json()).toEqual({ status: 'ok' });
      const res = await fetch(`${ctx.server.url}/metrics`, { headers: { authorization: 'Bearer test-api-token-0123456789' } });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('switchboard_open_websockets');
    });
  });
}
