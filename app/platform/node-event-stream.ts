import type { ServerResponse } from 'node:http';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import type { Context } from 'hono';
import type { EventWriter } from '../ports/transport.ts';

/** A write resolves when Node has handed the bytes to the socket; a client that stops reading leaves it pending. */
class ResponseWriter implements EventWriter {
  aborted = false;
  private readonly listeners: Array<() => void> = [];

  constructor(private readonly res: ServerResponse) {
    res.once('close', () => {
      this.aborted = true;
      for (const listener of this.listeners.splice(0)) listener();
    });
  }

  write(bytes: Uint8Array): Promise<unknown> {
    if (this.aborted) return Promise.resolve();
    return new Promise((resolve) => this.res.write(bytes, () => resolve(undefined)));
  }

  /** Bytes the client has not taken yet: the response's own buffer plus its socket's. */
  buffered(): number {
    return this.res.writableLength;
  }

  /** One whole event (often the very buffer every other stream gets too), as one chunk. */
  writeNow(bytes: Uint8Array): void {
    if (!this.aborted) this.res.write(bytes);
  }

  onAbort(listener: () => void): void {
    if (this.aborted) listener();
    else this.listeners.push(listener);
  }

  abort(): void {
    this.res.destroy();
  }
}

/**
 * SSE on Node straight onto the `ServerResponse`: `streamSSE` pipes every event through a
 * TransformStream that node-server reads back and copies to the response, which costs as much CPU as
 * the socket writes themselves (BENCHMARKS.md). Headers the app set earlier (a new `sid` cookie) go
 * out with the stream's own.
 */
export function nodeEventStream(c: Context<any>, headers: Record<string, string>, run: (writer: EventWriter) => Promise<void>): Response | undefined {
  const res = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  if (!res || typeof res.writeHead !== 'function') return undefined;
  const prepared = c.newResponse(null, 200, headers).headers;
  const head: Record<string, string | string[]> = {};
  prepared.forEach((value, name) => {
    if (name !== 'set-cookie') head[name] = value;
  });
  const cookies = prepared.getSetCookie();
  if (cookies.length) head['set-cookie'] = cookies;
  res.writeHead(200, head);
  res.flushHeaders();
  run(new ResponseWriter(res))
    .catch((error) => console.error('event stream failed', error))
    .finally(() => res.end());
  // node-server's documented way to say "the handler wrote the response itself".
  return RESPONSE_ALREADY_SENT;
}
