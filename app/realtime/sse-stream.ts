import type { Fragment, HtmxMajor, Rendition } from '../ports/fragment.ts';
import type { Stats } from './stats.ts';
import type { EventWriter, StreamingWriter } from '../ports/transport.ts';

const encoder = new TextEncoder();
const HEARTBEAT = encoder.encode(': heartbeat\n\n');
/**
 * Past this many distinct ids for one fragment (streams at different positions, or of many different
 * people with their own notification positions), further streams get their own copy of the frame.
 */
const MAX_FRAMES_PER_FRAGMENT = 64;

interface Framed {
  name: string;
  body: Uint8Array;
  /** Whole events (`event:`/`data:` lines, `id: …`, the blank line), by id: one buffer for every stream with that id. */
  frames: Map<string, Uint8Array>;
}
const framed = new WeakMap<Rendition, Framed>();

const dataLines = (html: string) => html.split(/\r\n|\r|\n/).map((line) => `data: ${line}\n`).join('');

function framing(name: string, fragment: Fragment, major: HtmxMajor): Framed {
  const rendition = fragment.for(major);
  // htmx 4 swaps only unnamed messages: its rendition goes out without an `event:` line.
  const eventName = major === 4 ? '' : name;
  const cached = framed.get(rendition);
  if (cached && cached.name === eventName) return cached;
  const entry: Framed = { name: eventName, body: encoder.encode(`${eventName ? `event: ${eventName}\n` : ''}${dataLines(rendition.html)}`), frames: new Map() };
  framed.set(rendition, entry);
  return entry;
}

/**
 * `event:` and `data:` lines of one event, encoded once per fragment and major and shared by every
 * stream of that major (render once, send many). Each line of multi-line HTML becomes its own
 * `data:` line. htmx 2 swaps the named event into the element whose `sse-swap` names it; htmx 4
 * swaps only unnamed messages, so its rendition (out-of-band swaps, app/realtime/sse-fragment.tsx)
 * goes out without an `event:` line.
 */
export function frameEvent(name: string, fragment: Fragment, major: HtmxMajor = 2): Uint8Array {
  return framing(name, fragment, major).body;
}

/**
 * The whole event for a stream whose id is `id` (`rooms:5,dashboard:7,user:42`; `rest` is what follows
 * the id line: `retry:` on a stream's first event, then the blank line). Encoded once per fragment,
 * major and id: every stream at the same positions (the same topics, the same person or none) writes
 * the very same buffer, in one write. SSE ids are per stream, so a broadcast to people with their own
 * notification positions has one frame per distinct id, up to MAX_FRAMES_PER_FRAGMENT.
 */
export function frameWithId(name: string, fragment: Fragment, id: string, rest: string, major: HtmxMajor = 2): Uint8Array {
  const entry = framing(name, fragment, major);
  const key = `${id}\n${rest}`;
  let frame = entry.frames.get(key);
  if (frame) return frame;
  const tail = encoder.encode(`id: ${id}\n${rest}`);
  frame = new Uint8Array(entry.body.byteLength + tail.byteLength);
  frame.set(entry.body);
  frame.set(tail, entry.body.byteLength);
  if (entry.frames.size < MAX_FRAMES_PER_FRAGMENT) entry.frames.set(key, frame);
  return frame;
}


export interface SseStreamOptions {
  maxBufferedBytes: number;
  retryMs: number;
  heartbeatMs: number;
  /** The client's htmx major (SPEC §8); 2 when unset. */
  major?: HtmxMajor;
  /**
   * Streams with the same scope share one heartbeat timer per interval (the process when unset).
   * On Workers a timer belongs to the request that set it: it stops when that request ends and may
   * not write to another request's response, so there each request is its own scope (its `closing` signal).
   */
  heartbeatScope?: object;
}

/**
 * One timer for the heartbeats of every open stream with the same interval: a wheel of slots, one
 * slot written per tick, so each stream gets its comment once per interval and the writes spread out.
 */
class HeartbeatWheel {
  private static readonly SLOTS = 8;
  private readonly slots: Array<Set<SseStream>> = Array.from({ length: HeartbeatWheel.SLOTS }, () => new Set());
  private cursor = 0;
  private size = 0;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly intervalMs: number) {}

  /** Returns the slot the stream was put in, for `remove`. */
  add(stream: SseStream): number {
    // The slot just written comes round again after a whole interval.
    const slot = this.cursor;
    this.slots[slot]!.add(stream);
    if (this.size++ === 0) {
      this.timer = setInterval(() => this.tick(), Math.max(1, Math.floor(this.intervalMs / HeartbeatWheel.SLOTS)));
      (this.timer as { unref?: () => void }).unref?.();
    }
    return slot;
  }

  remove(stream: SseStream, slot: number): void {
    if (!this.slots[slot]!.delete(stream)) return;
    if (--this.size === 0) {
      if (this.timer !== undefined) clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private tick(): void {
    this.cursor = (this.cursor + 1) % HeartbeatWheel.SLOTS;
    for (const stream of this.slots[this.cursor]!) stream.heartbeat();
  }
}
/** The wheels of each scope (SseStreamOptions.heartbeatScope), by interval. */
const wheelsByScope = new WeakMap<object, Map<number, HeartbeatWheel>>();
/** The scope of streams that name none: one set of wheels for the process. */
const PROCESS_SCOPE = {};
const wheelFor = (intervalMs: number, scope: object = PROCESS_SCOPE) => {
  let wheels = wheelsByScope.get(scope);
  if (!wheels) wheelsByScope.set(scope, (wheels = new Map()));
  let wheel = wheels.get(intervalMs);
  if (!wheel) wheels.set(intervalMs, (wheel = new HeartbeatWheel(intervalMs)));
  return wheel;
};

/**
 * One open SSE response. Every write is accounted until the runtime has taken it; a client whose
 * unsent bytes pass `maxBufferedBytes` is dropped and its queue discarded, so memory stays bounded.
 * A write that fails ends the stream: on some runtimes that is the only sign the client left.
 */
export class SseStream {
  private wroteEvent = false;
  private endedFlag = false;
  private readonly wheel: HeartbeatWheel;
  private readonly slot: number;
  private resolveEnded!: () => void;
  /** Resolves once the stream has ended, for whatever reason. */
  readonly ended = new Promise<void>((resolve) => (this.resolveEnded = resolve));

  constructor(
    private readonly api: EventWriter,
    private readonly options: SseStreamOptions,
    private readonly stats: Stats,
  ) {
    api.onAbort(() => this.end());
    this.wheel = wheelFor(options.heartbeatMs, options.heartbeatScope);
    this.slot = this.wheel.add(this);
  }

  get isEnded(): boolean {
    return this.endedFlag;
  }

  /** Bytes handed to this stream that the runtime has not taken yet. */
  get queuedBytes(): number {
    return this.api.buffered();
  }

  /**
   * Sends one event with the id `sharedId,ownId` (either may be empty); the first event of the
   * stream also sets the client's reconnection delay.
   */
  send(name: string, fragment: Fragment, sharedId: string, ownId = ''): void {
    const id = sharedId && ownId ? `${sharedId},${ownId}` : sharedId || ownId;
    this.stats.eventsSent++;
    this.write(frameWithId(name, fragment, id, `${this.retryField()}\n`, this.options.major ?? 2));
  }

  /** Sets the reconnection delay when the stream has no event to send yet. */
  sendRetryIfFirst(): void {
    const retry = this.retryField();
    if (retry) this.write(encoder.encode(`${retry}\n`));
  }

  /** The wheel's call: a comment that keeps proxies from closing an idle stream. */
  heartbeat(): void {
    this.write(HEARTBEAT);
  }

  /** Ends the stream as too slow: queued bytes are discarded. */
  dropSlowClient(): void {
    if (this.endedFlag) return;
    this.stats.slowClientsDropped++;
    this.end(true);
  }

  /** Ends the stream; `discard` throws away bytes the client has not taken. */
  end(discard = false): void {
    if (this.endedFlag) return;
    this.endedFlag = true;
    this.wheel.remove(this, this.slot);
    if (discard && !this.api.aborted) this.api.abort();
    this.resolveEnded();
  }

  private retryField(): string {
    if (this.wroteEvent) return '';
    this.wroteEvent = true;
    return `retry: ${this.options.retryMs}\n`;
  }

  private write(bytes: Uint8Array): void {
    if (this.endedFlag) return;
    const size = bytes.byteLength;
    if (this.api.buffered() + size > this.options.maxBufferedBytes) return this.dropSlowClient();
    this.api.writeNow(bytes);
  }
}

/**
 * An EventWriter over a response written by promises (Hono's `streamSSE`: Deno, workerd, tests):
 * the bytes of writes not yet resolved are what it holds for the client.
 */
export class QueuedWriter implements EventWriter {
  private queued = 0;
  private readonly listeners: Array<() => void> = [];
  private failed = false;

  constructor(private readonly stream: StreamingWriter) {
    stream.onAbort(() => this.fail());
  }

  get aborted(): boolean {
    return this.stream.aborted;
  }

  onAbort(listener: () => void): void {
    if (this.failed) listener();
    else this.listeners.push(listener);
  }

  abort(): void {
    this.stream.abort();
  }

  write(bytes: Uint8Array): Promise<unknown> {
    return this.stream.write(bytes);
  }

  buffered(): number {
    return this.queued;
  }

  writeNow(bytes: Uint8Array): void {
    const size = bytes.byteLength;
    this.queued += size;
    void this.stream.write(bytes).then(() => {
      this.queued -= size;
      // StreamingApi swallows write errors; an aborted stream is how a failed write shows.
      if (this.stream.aborted) this.fail();
    });
  }

  private fail(): void {
    if (this.failed) return;
    this.failed = true;
    for (const listener of this.listeners.splice(0)) listener();
  }
}
