import type { Fragment, HtmxMajor, Rendition } from './fragment.ts';
import type { Stats } from './stats.ts';

const encoder = new TextEncoder();
const HEARTBEAT = encoder.encode(': heartbeat\n\n');
const framed = new WeakMap<Rendition, { name: string; bytes: Uint8Array }>();
const framedUnnamed = new WeakMap<Rendition, Uint8Array>();

const dataLines = (html: string) => html.split(/\r\n|\r|\n/).map((line) => `data: ${line}\n`).join('');

/**
 * `event:` and `data:` lines of one event, encoded once per fragment and major and shared by every
 * stream of that major (render once, send many). Each line of multi-line HTML becomes its own
 * `data:` line. htmx 2 swaps the named event into the element whose `sse-swap` names it; htmx 4
 * swaps only unnamed messages, so its rendition (out-of-band swaps, app/realtime/sse-fragment.tsx)
 * goes out without an `event:` line.
 */
export function frameEvent(name: string, fragment: Fragment, major: HtmxMajor = 2): Uint8Array {
  const rendition = fragment.for(major);
  if (major === 4) {
    let bytes = framedUnnamed.get(rendition);
    if (!bytes) framedUnnamed.set(rendition, (bytes = encoder.encode(dataLines(rendition.html))));
    return bytes;
  }
  const cached = framed.get(rendition);
  if (cached && cached.name === name) return cached.bytes;
  const bytes = encoder.encode(`event: ${name}\n${dataLines(rendition.html)}`);
  framed.set(rendition, { name, bytes });
  return bytes;
}

/**
 * What a stream needs from the runtime's response. Hono's `SSEStreamingApi` (from `streamSSE`) is
 * one; on Node the platform passes a writer onto the response itself (app/platform/node-event-stream.ts).
 */
export interface EventWriter {
  /** Resolves once the runtime has taken the bytes. */
  write(bytes: Uint8Array): Promise<unknown>;
  onAbort(listener: () => void): void;
  abort(): void;
  readonly aborted: boolean;
}

export interface SseStreamOptions {
  maxBufferedBytes: number;
  retryMs: number;
  heartbeatMs: number;
  /** The client's htmx major (SPEC §8); 2 when unset. */
  major?: HtmxMajor;
}

/**
 * One open SSE response. Every write is accounted until the runtime has taken it; a client whose
 * unsent bytes pass `maxBufferedBytes` is dropped and its queue discarded, so memory stays bounded.
 * A write that fails ends the stream: on some runtimes that is the only sign the client left.
 */
export class SseStream {
  private queued = 0;
  private wroteEvent = false;
  private endedFlag = false;
  private readonly heartbeat: ReturnType<typeof setInterval>;
  private resolveEnded!: () => void;
  /** Resolves once the stream has ended, for whatever reason. */
  readonly ended = new Promise<void>((resolve) => (this.resolveEnded = resolve));

  constructor(
    private readonly api: EventWriter,
    private readonly options: SseStreamOptions,
    private readonly stats: Stats,
  ) {
    api.onAbort(() => this.end());
    this.heartbeat = setInterval(() => this.write(HEARTBEAT), options.heartbeatMs);
  }

  get isEnded(): boolean {
    return this.endedFlag;
  }

  /** Bytes handed to this stream that the runtime has not taken yet. */
  get queuedBytes(): number {
    return this.queued;
  }

  /** Sends one event; the first event of the stream also sets the client's reconnection delay. */
  send(name: string, fragment: Fragment, id: string): void {
    const head = frameEvent(name, fragment, this.options.major ?? 2);
    const tail = encoder.encode(`id: ${id}\n${this.retryField()}\n`);
    const bytes = new Uint8Array(head.byteLength + tail.byteLength);
    bytes.set(head);
    bytes.set(tail, head.byteLength);
    this.stats.eventsSent++;
    this.write(bytes);
  }

  /** Sets the reconnection delay when the stream has no event to send yet. */
  sendRetryIfFirst(): void {
    const retry = this.retryField();
    if (retry) this.write(encoder.encode(`${retry}\n`));
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
    clearInterval(this.heartbeat);
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
    this.queued += bytes.byteLength;
    if (this.queued > this.options.maxBufferedBytes) return this.dropSlowClient();
    void this.api.write(bytes).then(() => {
      this.queued -= bytes.byteLength;
      // StreamingApi swallows write errors; an aborted stream is how a failed write shows.
      if (this.api.aborted) this.end();
    });
  }
}
