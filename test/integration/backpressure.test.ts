import { afterEach, describe, expect, it } from 'vitest';
import type { Socket } from 'node:net';
import type { NodeServer } from '../../app/platform/node.ts';
import { newUser, SocketClient, sleep, wsUrl } from '../helpers/clients.ts';
import { startServer } from '../helpers/server.ts';

let server: NodeServer | undefined;
afterEach(async () => {
  await server?.shutdown();
  server = undefined;
});

describe('SPEC 6 heartbeat', () => {
  it('ends a socket that stops answering pings after two intervals, and keeps one that answers', async () => {
    server = await startServer({ HEARTBEAT_MS: '500' });
    const user = await newUser(server.url, 'Gus');
    const silent = await SocketClient.connect(wsUrl(server.url, '/chat/beat/ws'), { cookie: user.cookie, autoPong: false });
    const alive = await SocketClient.connect(wsUrl(server.url, '/chat/beat/ws'), { cookie: user.cookie });
    let pings = 0;
    silent.socket.on('ping', () => pings++);
    expect(await silent.closed).toBe(1006);
    expect(pings).toBeGreaterThanOrEqual(1);
    await sleep(1500);
    expect(alive.socket.readyState).toBe(alive.socket.OPEN);
    alive.close();
  });
});

describe('SPEC 6 slow consumer', () => {
  it('drops a client that stops reading with 1013 while everyone else gets every message', async () => {
    const maxBuffered = 64 * 1024;
    server = await startServer({ DATABASE_URL: ':memory:', MAX_BUFFERED_BYTES: String(maxBuffered) }, { rateBurst: 1_000_000 });
    const sender = await newUser(server.url, 'Hal');
    const reader = await newUser(server.url, 'Ida');
    const url = wsUrl(server.url, '/chat/firehose/ws');
    const readers = await Promise.all(Array.from({ length: 3 }, () => SocketClient.connect(url, { cookie: reader.cookie })));
    const slow = await SocketClient.connect(url, { cookie: reader.cookie });
    const source = await SocketClient.connect(url, { cookie: sender.cookie });
    await Promise.all([...readers, slow, source].map((c) => c.waitForText('chat-messages')));

    (slow.socket as unknown as { _socket: Socket })._socket.pause();
    const count = 4000;
    const body = 'z'.repeat(1900);
    // Paced in batches well under MAX_BUFFERED_BYTES: the readers share this process (and its event loop)
    // with the server, so an unpaced burst can leave them briefly behind too; only the paused one should be.
    const batch = 20;
    for (let start = 0; start < count; start += batch) {
      const end = Math.min(start + batch, count);
      const marks = readers.map((c) => c.frames.length);
      for (let i = start; i < end; i++) source.sendMessage(`${i} ${body}`);
      await Promise.all(readers.map((c, r) => c.waitForText(`</strong> ${end - 1} `, 60_000, marks[r])));
    }
    for (const c of readers) {
      const seen = c.frames.filter((f) => f.includes(body)).map((f) => Number(/<\/strong> (\d+) /.exec(f)![1]));
      expect(seen).toEqual(Array.from({ length: count }, (_, i) => i));
    }
    expect(server.platform.stats.slowClientsDropped).toBe(1);
    // The server lets go of the dropped socket and its backlog even though the client never reads again.
    const stats = server.platform.stats;
    for (let i = 0; i < 100 && stats.openSockets !== readers.length + 1; i++) await sleep(100);
    expect(stats.openSockets).toBe(readers.length + 1);

    (slow.socket as unknown as { _socket: Socket })._socket.resume();
    expect([1013, 1006]).toContain(await slow.closed);
    expect(slow.frames.filter((f) => f.includes(body)).length).toBeLessThan(count);
    for (const c of [...readers, source]) c.close();
  }, 240_000);
});
