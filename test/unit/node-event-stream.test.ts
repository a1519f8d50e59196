import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeEventStream } from '../../app/platform/node-event-stream.ts';
import type { EventWriter } from '../../app/ports/transport.ts';
import { QueuedWriter } from '../../app/realtime/sse-stream.ts';
import { sleep } from '../helpers/clients.ts';

const HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' };
let server: ServerType | undefined;
afterEach(() => {
  server?.close();
  (server as { closeAllConnections?: () => void } | undefined)?.closeAllConnections?.();
  server = undefined;
});

/** An app whose `/events` runs `run` through the Node writer, falling back like app/routes/events.ts does. */
const served: Array<'node' | 'streamSSE'> = [];
function appWith(run: (writer: EventWriter) => Promise<void>) {
  const app = new Hono();
  app.use('*', async (c, next) => {
    c.header('set-cookie', 'sid=new-user; Path=/; HttpOnly', { append: true });
    await next();
  });
  app.get('/events', (c) => {
    const direct = nodeEventStream(c, HEADERS, run);
    served.push(direct ? 'node' : 'streamSSE');
    return direct ?? streamSSE(c, (stream) => run(new QueuedWriter(stream)));
  });
  return app;
}

async function listen(app: Hono): Promise<string> {
  return new Promise((resolve) => {
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => resolve(`http://127.0.0.1:${info.port}`));
  });
}

describe('SPEC 4.6 on Node: SSE written straight onto the response', () => {
  it('sends the stream headers with those set before (a new sid cookie), then every write in order', async () => {
    let finish!: () => void;
    const app = appWith(async (writer) => {
      for (const text of ['event: a\ndata: 1\n\n', 'event: b\ndata: 2\n\n']) await writer.write(new TextEncoder().encode(text));
      await new Promise<void>((resolve) => (finish = resolve));
    });
    const res = await fetch(`${await listen(app)}/events`);
    expect(served.at(-1)).toBe('node');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.getSetCookie()).toEqual(['sid=new-user; Path=/; HttpOnly']);
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('data: 2')) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toBe('event: a\ndata: 1\n\nevent: b\ndata: 2\n\n');
    finish();
    for (;;) if ((await reader.read()).done) break; // the response ends when the stream's run ends
  });

  it('reports the client leaving through onAbort and aborted', async () => {
    let writer!: EventWriter;
    let aborted = false;
    const app = appWith(async (w) => {
      writer = w;
      w.onAbort(() => (aborted = true));
      await w.write(new TextEncoder().encode(': hello\n\n'));
      while (!w.aborted) await sleep(10);
    });
    const controller = new AbortController();
    const res = await fetch(`${await listen(app)}/events`, { signal: controller.signal });
    await res.body!.getReader().read();
    controller.abort();
    for (let i = 0; i < 200 && !aborted; i++) await sleep(10);
    expect(aborted).toBe(true);
    expect(writer.aborted).toBe(true);
    await expect(writer.write(new TextEncoder().encode('late'))).resolves.toBeUndefined();
  });

  it('answers undefined where there is no Node response, so the app falls back to streamSSE', async () => {
    const app = appWith(async (writer) => {
      await writer.write(new TextEncoder().encode('event: a\ndata: fallback\n\n'));
    });
    const res = await app.request('/events');
    expect(served.at(-1)).toBe('streamSSE');
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(await res.text()).toBe('event: a\ndata: fallback\n\n');
  });
});
