import type { SSEStreamingApi } from 'hono/streaming';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Fragment } from '../../app/ports/fragment.ts';
import { frameEvent, QueuedWriter, SseStream } from '../../app/realtime/sse-stream.ts';
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
  new SseStream(new QueuedWriter(api as unknown as SSEStreamingApi), { maxBufferedBytes, retryMs: 1500, heartbeatMs: 60_000 }, stats);

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

/** A writer like Node's: synchronous writes, a byte count instead of a promise per write. */
class PartsWriter {
  aborted = false;
  parts: Uint8Array[] = [];
  held = 0;
  private abortListeners: Array<() => void> = [];
  write(): Promise<unknown> {
    throw new Error('a writer with writeNow gets no promise per write');
  }
  writeNow(bytes: Uint8Array): void {
    this.parts.push(bytes);
  }
  buffered(): number {
    return this.held;
  }
  text(): string {
    return this.parts.map((bytes) => new TextDecoder().decode(bytes)).join('');
  }
  onAbort(listener: () => void): void {
    this.abortListeners.push(listener);
  }
  abort(): void {
    this.aborted = true;
    for (const listener of this.abortListeners) listener();
  }
}

describe('shared SSE bytes', () => {
  it('writes the very same buffer, in one write, to every stream with the same id; each id gets its own correct frame', () => {
    const writers = [new PartsWriter(), new PartsWriter(), new PartsWriter(), new PartsWriter()];
    const streams = writers.map((w) => new SseStream(w, { maxBufferedBytes: 10_000, retryMs: 1500, heartbeatMs: 60_000 }, new Stats()));
    const first = new Fragment('<b>1</b>');
    const second = new Fragment('<b>2</b>');
    // Two tabs of user 0, one of user 1, one anonymous stream with no own position.
    const own = ['user:0', 'user:0', 'user:1', ''];
    streams.forEach((s, i) => s.send('dashboard', first, 'rooms:5,dashboard:7', own[i]));
    streams.forEach((s, i) => s.send('dashboard', second, 'rooms:5,dashboard:8', own[i]));
    for (const index of [0, 1]) {
      expect(writers.map((w) => w.parts.length)).toEqual([2, 2, 2, 2]);
      expect(writers[1]!.parts[index]).toBe(writers[0]!.parts[index]);
      expect(writers[2]!.parts[index]).not.toBe(writers[0]!.parts[index]);
    }
    expect(writers[2]!.text()).toBe(
      'event: dashboard\ndata: <b>1</b>\nid: rooms:5,dashboard:7,user:1\nretry: 1500\n\n' + 'event: dashboard\ndata: <b>2</b>\nid: rooms:5,dashboard:8,user:1\n\n',
    );
    expect(writers[3]!.text()).toBe('event: dashboard\ndata: <b>1</b>\nid: rooms:5,dashboard:7\nretry: 1500\n\n' + 'event: dashboard\ndata: <b>2</b>\nid: rooms:5,dashboard:8\n\n');
    streams.forEach((s) => s.end());
  });

  it('past 64 distinct ids for one fragment, further streams still get correct bytes of their own', () => {
    const fragment = new Fragment('<i>many</i>');
    const writers = Array.from({ length: 100 }, () => new PartsWriter());
    const streams = writers.map((w) => new SseStream(w, { maxBufferedBytes: 10_000, retryMs: 1, heartbeatMs: 60_000 }, new Stats()));
    streams.forEach((s) => s.sendRetryIfFirst());
    streams.forEach((s, i) => s.send('n', fragment, 'rooms:1', `user:${i}`));
    writers.forEach((w, i) => expect(w.text()).toBe(`retry: 1\n\nevent: n\ndata: <i>many</i>\nid: rooms:1,user:${i}\n\n`));
    streams.forEach((s) => s.end());
  });

  it('a stream at another position gets its own, correct head', () => {
    const a = new PartsWriter();
    const b = new PartsWriter();
    const fragment = new Fragment('x');
    const sa = new SseStream(a, { maxBufferedBytes: 10_000, retryMs: 1, heartbeatMs: 60_000 }, new Stats());
    const sb = new SseStream(b, { maxBufferedBytes: 10_000, retryMs: 1, heartbeatMs: 60_000 }, new Stats());
    sa.send('rooms', fragment, 'rooms:2', 'user:1');
    sb.send('rooms', fragment, 'rooms:2,dashboard:9', '');
    expect(a.text()).toBe('event: rooms\ndata: x\nid: rooms:2,user:1\nretry: 1\n\n');
    expect(b.text()).toBe('event: rooms\ndata: x\nid: rooms:2,dashboard:9\nretry: 1\n\n');
    sa.end();
    sb.end();
  });

  it('drops a stream whose writer holds more than the limit, without a promise per write', () => {
    const stats = new Stats();
    const writer = new PartsWriter();
    const stream = new SseStream(writer, { maxBufferedBytes: 100, retryMs: 1, heartbeatMs: 60_000 }, stats);
    stream.send('m', new Fragment('y'), 'rooms:1');
    expect(stream.isEnded).toBe(false);
    writer.held = 95;
    stream.send('m', new Fragment('y'), 'rooms:2');
    expect(stream.isEnded).toBe(true);
    expect(writer.aborted).toBe(true);
    expect(stats.slowClientsDropped).toBe(1);
    expect(writer.parts).toHaveLength(1);
  });
});

describe('SSE heartbeats', () => {
  afterEach(() => vi.useRealTimers());

  it('one timer for all streams; each stream gets one heartbeat per interval', () => {
    vi.useFakeTimers();
    const writers = Array.from({ length: 50 }, () => new PartsWriter());
    const streams = writers.map((w, i) => {
      if (i === 25) vi.advanceTimersByTime(400); // streams opened at different times share the timer too
      return new SseStream(w, { maxBufferedBytes: 10_000, retryMs: 1, heartbeatMs: 1000 }, new Stats());
    });
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(1000);
    for (const writer of writers) expect(writer.text()).toBe(': heartbeat\n\n');
    vi.advanceTimersByTime(1000);
    for (const writer of writers) expect(writer.text()).toBe(': heartbeat\n\n: heartbeat\n\n');
    streams.forEach((s) => s.end());
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(5000);
    for (const writer of writers) expect(writer.parts).toHaveLength(2);
  });

  it('streams of different scopes (Workers: requests) have their own timer; a scope ending leaves the others beating', () => {
    vi.useFakeTimers();
    const first = {};
    const second = {};
    const open = (scope: object) => {
      const writer = new PartsWriter();
      return { writer, stream: new SseStream(writer, { maxBufferedBytes: 10_000, retryMs: 1, heartbeatMs: 1000, heartbeatScope: scope }, new Stats()) };
    };
    const a = open(first);
    const a2 = open(first);
    const b = open(second);
    // A timer set while serving one request cannot write another request's response on workerd.
    expect(vi.getTimerCount()).toBe(2);
    vi.advanceTimersByTime(1000);
    for (const { writer } of [a, a2, b]) expect(writer.text()).toBe(': heartbeat\n\n');
    a.stream.end();
    a2.stream.end();
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(1000);
    expect(b.writer.text()).toBe(': heartbeat\n\n: heartbeat\n\n');
    b.stream.end();
    expect(vi.getTimerCount()).toBe(0);
  });
});
