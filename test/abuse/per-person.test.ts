import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeServer } from '../../app/platform/node.ts';
import { sizesOf } from '../../app/realtime/stats.ts';
import { newUser, SocketClient, sleep, wsUrl } from '../helpers/clients.ts';
import { startServer } from '../helpers/server.ts';
import { RawSse } from '../helpers/sse.ts';

/** Issue 10 item 4: limits per person across all of their connections, not per connection. */
let server: NodeServer;
const MAX = 6;

beforeAll(async () => {
  server = await startServer({ MAX_CONNECTIONS_PER_USER: String(MAX) });
});
afterAll(() => server.shutdown());

const upgrade = (path: string, cookie: string) =>
  new Promise<{ status: number; body: string; client?: SocketClient }>((resolve) => {
    const client = new SocketClient(wsUrl(server.url, path), { cookie });
    client.socket.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: body || JSON.stringify({ error: res.headers['x-switchboard-error'] }) }));
    });
    client.opened.then(() => resolve({ status: 101, body: '', client }), () => {});
  });

describe('SPEC 6: MAX_CONNECTIONS_PER_USER counts sockets and streams together', () => {
  it('refuses one more with 429 and a clear message before upgrading or streaming', async () => {
    const { cookie } = await newUser(server.url, 'Hoarder');
    const streams = await Promise.all([0, 1].map(() => RawSse.open(`${server.url}/events?topics=rooms`, { cookie })));
    for (const s of streams) expect(s.status).toBe(200);
    const sockets: SocketClient[] = [];
    for (let i = 0; i < MAX - 2; i++) {
      const r = await upgrade(`/chat/hoard-${i}/ws`, cookie);
      expect(r.status).toBe(101);
      sockets.push(r.client!);
    }
    const refused = await upgrade('/lobby/hoard-x/ws', cookie);
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body).error).toMatch(/too many connections: at most 6/);
    const stream = await RawSse.open(`${server.url}/events?topics=rooms`, { cookie });
    expect(stream.status).toBe(429);
    await stream.waitFor((s) => s.ended);
    expect(stream.text).toContain('too many connections');
    // Someone else is not affected.
    const { cookie: other } = await newUser(server.url, 'Other');
    const others = await upgrade('/chat/hoard-0/ws', other);
    expect(others.status).toBe(101);
    others.client!.close();
    // Closing one frees one.
    sockets.pop()!.close();
    let again = await upgrade('/chat/hoard-again/ws', cookie);
    for (let i = 0; i < 40 && again.status !== 101; i++) {
      await sleep(50);
      again = await upgrade('/chat/hoard-again/ws', cookie);
    }
    expect(again.status).toBe(101);
    for (const s of [...sockets, again.client!]) s.close();
    for (const s of streams) s.close();
  });

  it('holds under a parallel flood: 60 upgrades and 20 streams at once from one cookie open at most MAX', async () => {
    const { cookie } = await newUser(server.url, 'Flooder');
    const results = await Promise.all([
      ...Array.from({ length: 60 }, (_, i) => upgrade(`/chat/flood-${i % 5}/ws`, cookie)),
      ...Array.from({ length: 20 }, () => RawSse.open(`${server.url}/events?topics=rooms`, { cookie }).then((s) => ({ status: s.status, body: '', stream: s }))),
    ]);
    const open = results.filter((r) => r.status === 101 || r.status === 200);
    expect(open.length).toBe(MAX);
    expect(results.filter((r) => r.status === 429).length).toBe(80 - MAX);
    for (const r of results) {
      if ('client' in r && r.client) r.client.close();
      if ('stream' in r) r.stream.close();
    }
    for (let i = 0; i < 100 && sizesOf(server.platform.stats).connectedUsers > 0; i++) await sleep(50);
    expect(sizesOf(server.platform.stats).connectedUsers).toBe(0);
  });
});

describe('SPEC 6: the message rate is per user across all of their sockets', () => {
  it('five sockets of one cookie get one burst of 10 between them, not five', async () => {
    const { cookie } = await newUser(server.url, 'Spammer');
    const { cookie: watcher } = await newUser(server.url, 'Watcher');
    const room = 'rate-per-user';
    const observer = await SocketClient.connect(wsUrl(server.url, `/chat/${room}/ws`), { cookie: watcher });
    await observer.waitFor((f) => f.includes('hx-swap-oob'));
    const sockets = await Promise.all(Array.from({ length: 5 }, () => SocketClient.connect(wsUrl(server.url, `/chat/${room}/ws`), { cookie })));
    for (const s of sockets) await s.waitFor((f) => f.includes('hx-swap-oob'));
    for (let i = 0; i < 10; i++) for (const [n, s] of sockets.entries()) s.sendMessage(`spam ${n}-${i}`);
    // 50 sent, 10 taken: the other 40 are refused, whichever socket they came through.
    for (let i = 0; i < 100 && sockets.reduce((n, s) => n + s.frames.filter((f) => f.includes('sending too fast')).length, 0) < 37; i++) await sleep(50);
    expect(sockets.reduce((n, s) => n + s.frames.filter((f) => f.includes('sending too fast')).length, 0)).toBeGreaterThanOrEqual(37);
    await sleep(300);
    const delivered = observer.frames.filter((f) => f.includes('spam ')).length;
    // Ten at once, plus at most one more per second that the test took.
    expect(delivered).toBeGreaterThanOrEqual(10);
    expect(delivered).toBeLessThanOrEqual(13);
    for (const s of [...sockets, observer]) s.close();
  });
});
