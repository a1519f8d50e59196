import type { SSEStreamingApi } from 'hono/streaming';
import { describe, expect, it } from 'vitest';
import { Fragment } from '../../app/realtime/fragment.ts';
import { frameEvent, SseStream } from '../../app/realtime/sse-stream.ts';
import { Stats } from '../../app/realtime/stats.ts';

/** A stand-in for Hono's streaming API: writes wait until `take()`; `fail()` makes writes fail silently, as on Workers. */
class FakeApi {
  aborted = false;
  chunks: string[] = [];
  private pending: Array<() => void> = [];
  private abortListeners: Array<() => void> = [];
  failing = false;
  write(bytes: Uint8Array): Promise<this> {
    if (this.failing) {
      this.aborted = true;
      return Promise.resolve(this);
    }
    return new Promise((resolve) => this.pending.push(() => (this.chunks.push(new TextDecoder().decode(bytes)), resolve(this))));
  }
  take(): void {
    for (const release of this.pending.splice(0)) release();
  }
  onAbort(listener: () => void): void {
    this.abortListeners.push(listener);
  }
  abort(): void {
    this.aborted = true;
    for (const listener of this.abortListeners) listener();
  }
}

const open = (api: FakeApi, maxBufferedBytes = 1000, stats = new Stats()) =>
  new SseStream(api as unknown as SSEStreamingApi, { maxBufferedBytes, retryMs: 1500, heartbeatMs: 60_000 }, stats);

describe('SPEC 4.6 SSE framing', () => {
  it('frames once per fragment, one data: line per line of HTML', () => {
    const fragment = new Fragment('<p>a</p>\n<p>b</p>\r\n<p>c</p>');
    const bytes = frameEvent('rooms', fragment);
    expect(new TextDecoder().decode(bytes)).toBe('event: rooms\ndata: <p>a</p>\ndata: <p>b</p>\ndata: <p>c</p>\n');
    expect(frameEvent('rooms', fragment)).toBe(bytes);
  });

  it('puts retry: on the first event only and an id: on every event', async () => {
    const api = new FakeApi();
    const stream = open(api);
    stream.send('a', new Fragment('1'), 'rooms:1');
    stream.send('b', new Fragment('2'), 'rooms:2');
    api.take();
    await Promise.resolve();
    expect(api.chunks).toEqual(['event: a\ndata: 1\nid: rooms:1\nretry: 1500\n\n', 'event: b\ndata: 2\nid: rooms:2\n\n']);
    stream.end();
  });
});

describe('SPEC 6 SSE send buffer', () => {
  it('drops a stream whose untaken bytes pass the limit and discards its queue', async () => {
    const stats = new Stats();
    const api = new FakeApi();
    const stream = open(api, 1000, stats);
    const html = 'x'.repeat(250);
    stream.send('m', new Fragment(html), 'dashboard:1');
    stream.send('m', new Fragment(html), 'dashboard:2');
    stream.send('m', new Fragment(html), 'dashboard:3');
    expect(stream.isEnded).toBe(false);
    expect(stream.queuedBytes).toBeGreaterThan(750);
    stream.send('m', new Fragment(html), 'dashboard:4');
    expect(stream.isEnded).toBe(true);
    expect(api.aborted).toBe(true);
    expect(stats.slowClientsDropped).toBe(1);
    await stream.ended;
  });

  it('ends the stream when a write fails, the only sign of a gone client on some runtimes', async () => {
    const api = new FakeApi();
    const stream = open(api);
    api.failing = true;
    stream.send('m', new Fragment('x'), 'rooms:1');
    await stream.ended;
    expect(stream.isEnded).toBe(true);
  });
});
