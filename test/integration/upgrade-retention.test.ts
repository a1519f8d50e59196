import type { IncomingMessage } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newUser, SocketClient, sleep, wsUrl } from '../helpers/clients.ts';
import { startServer } from '../helpers/server.ts';
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
