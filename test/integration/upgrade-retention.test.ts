import type { IncomingMessage } from 'node:http';
import { queryObjects, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUser, SocketClient, sleep, wsUrl } from '../helpers/clients.ts';
import { startServer, TEST_TOKEN } from '../helpers/server.ts';
import { RawSse } from '../helpers/sse.ts';
import { Context } from 'hono';
import type { NodeServer } from '../../app/platform/node.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Collects until the weak references stop clearing (finalizers run between turns). */
async function collect(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    gc();
    await sleep(20);
  }
}

// Memory per socket (issue 12): once a WebSocket is open, nothing of the HTTP upgrade request may stay
// alive: not the IncomingMessage, not the fetch Request built from it (and so not Hono's Context).
describe('WebSocket upgrade keeps no request objects alive', () => {
  let server: NodeServer;
  const OriginalRequest = globalThis.Request;
  const requests: Array<WeakRef<Request>> = [];
  const incoming: Array<WeakRef<IncomingMessage>> = [];

  beforeAll(async () => {
    server = await startServer();
    server.httpServer.prependListener('upgrade', (request: IncomingMessage) => incoming.push(new WeakRef(request)));
    // Every fetch Request made while sockets open is watched; the upgrade's is the one with /ws in its URL.
    globalThis.Request = class extends OriginalRequest {
      constructor(...args: ConstructorParameters<typeof Request>) {
        super(...args);
        if (this.url.endsWith('/ws')) requests.push(new WeakRef(this));
      }
    } as typeof Request;
  });
  afterAll(async () => {
    globalThis.Request = OriginalRequest;
    await server?.shutdown();
  });

  it('after 20 sockets opened (and still open), their upgrade requests are collectable', async () => {
    const user = await newUser(server.url, 'Holder');
    const clients: SocketClient[] = [];
    for (let i = 0; i < 20; i++) {
      const client = await SocketClient.connect(wsUrl(server.url, '/chat/retention/ws'), { cookie: user.cookie, origin: server.url });
      await client.waitForText('id="chat-messages"');
      clients.push(client);
    }
    clients[0]!.sendMessage('still alive');
    for (const client of clients) await client.waitForText('still alive');
    expect(incoming).toHaveLength(20);
    expect(requests.length).toBeGreaterThanOrEqual(20);
    await collect();
    expect(incoming.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
    expect(requests.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
    // The sockets work after the collection.
    clients[5]!.sendMessage('after gc');
    for (const client of clients) await client.waitForText('after gc');
    for (const client of clients) client.close();
  });
});

// Memory per SSE stream (issue 12): a stream outlives its route handler; nothing made inside the handler
// may keep the request's Hono Context (its request, headers and helpers) alive for the stream's life.
describe('an open SSE stream keeps no Hono Context alive', () => {
  let server: NodeServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server?.shutdown();
  });

  it('after 20 streams opened (and still open), no Context of theirs is left once collected', async () => {
    const user = await newUser(server.url, 'Streamer');
    await collect();
    const before = queryObjects(Context as unknown as new () => unknown, { format: 'count' }) as number;
    const streams: RawSse[] = [];
    for (let i = 0; i < 20; i++) {
      const stream = await RawSse.open(`${server.url}/events?topics=rooms,dashboard`, { cookie: user.cookie });
      await stream.waitFor((raw) => raw.events.some((event) => event.event === 'notification-count'), 5000);
      streams.push(stream);
    }
    expect(queryObjects(Context as unknown as new () => unknown, { format: 'count' }) as number).toBeGreaterThanOrEqual(before);
    await collect();
    expect((queryObjects(Context as unknown as new () => unknown, { format: 'count' }) as number) - before).toBeLessThanOrEqual(0);
    // The streams still work after the collection: a metric reaches every one of them.
    const posted = await fetch(`${server.url}/api/metrics`, { method: 'POST', headers: { authorization: `Bearer ${TEST_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'retained', value: 7 }) });
    expect(posted.status).toBe(204);
    for (const stream of streams) await stream.waitFor((raw) => raw.text.includes('retained'), 5000);
    for (const stream of streams) stream.close();
  });
});
