import type { Platform } from '../ports/platform.ts';
import type { Peer } from './peer.ts';
import type { MessageLimiter } from '../ports/limits.ts';
import { majorOfInput, parseSocketInput } from './socket-input.ts';
import type { RestorableRoom, SocketRoom } from './socket-room.ts';
import { StorageUnavailableError } from '../store/write-guard.ts';

export const CLOSE_POLICY = 1008;
export const CLOSE_TOO_BIG = 1009;

/** Bytes of a received frame; runtimes without a payload limit of their own (Deno, workerd) rely on this. */
function frameBytes(data: unknown, limit: number): number {
  if (typeof data === 'string') return data.length > limit || data.length * 3 <= limit ? data.length : new TextEncoder().encode(data).byteLength;
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) return data.byteLength;
  if (typeof Blob !== 'undefined' && data instanceof Blob) return data.size;
  return 0;
}

/** What a session needs from the platform: limits, counters, rate limits and health. */
export type SessionPlatform = Pick<Platform, 'config' | 'stats' | 'rateLimits' | 'health'>;

/** What a client sees when its message was not stored: in cluster mode, usually Redis being away. */
export function undeliveredText(platform: Pick<Platform, 'health'>, error?: unknown): string {
  if (error instanceof StorageUnavailableError) return 'The server cannot store messages right now (its storage is full or read-only), so your message was not sent. Try again later.';
  return platform.health().status === 'degraded'
    ? 'The server lost contact with its message store, so your message was not sent. Try again in a moment.'
    : 'That message could not be delivered; try again.';
}

/**
 * One open socket in one room: frame limit, rate limit and input parsing at the edge, then the
 * room's own `join`/`receive`/`leave`. Nothing a client sends can throw past this point. Every
 * runtime drives it: hono's socket events on Node/Deno, the hibernation handlers on workerd.
 */
export class SocketSession<R extends SocketRoom = SocketRoom> {
  private readonly limiter: MessageLimiter;
  /** A cluster's limiter answers asynchronously; chaining its answers keeps one socket's messages in order. */
  private inbox: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly platform: SessionPlatform,
    private readonly room: R,
    readonly peer: Peer,
  ) {
    this.limiter = platform.rateLimits.forConnection(peer.userId);
  }

  open(): void {
    this.platform.stats.openSockets++;
    if (!this.peer.name) {
      this.fail('Choose a name before joining.');
      this.peer.close(CLOSE_POLICY, 'choose a name first');
      return;
    }
    this.room.join(this.peer).catch((error) => {
      console.error('join failed', error);
      this.peer.close(1011, 'could not join');
    });
  }

  /** A socket that stayed open while its Durable Object hibernated: counted again and taken back without a snapshot. */
  resume(this: SocketSession<RestorableRoom>): void {
    this.platform.stats.openSockets++;
    this.room.restore(this.peer).catch((error) => {
      console.error('restore failed', error);
      this.peer.close(1011, 'could not rejoin');
    });
  }

  message(data: unknown): void {
    const { peer, room } = this;
    if (peer.dropped) return;
    const { limits } = this.platform.config;
    if (frameBytes(data, limits.maxFrameBytes) > limits.maxFrameBytes) {
      return peer.close(CLOSE_TOO_BIG, `frames are limited to ${limits.maxFrameBytes} bytes`);
    }
    this.inbox = this.inbox
      .then(async () => {
        if (!(await this.limiter.take())) return this.fail('You are sending too fast; wait a moment and try again.');
        const parsed = parseSocketInput(data, room.fields);
        if (!parsed.ok) return this.fail(parsed.error);
        // A client that did not mark its connect URL shows its htmx major by how it sends headers.
        const major = majorOfInput(parsed.value);
        if (major) peer.reveal(major);
        room.receive(peer, parsed.value).catch((error) => {
          console.error('message failed:', error instanceof Error ? error.message : error);
          this.fail(undeliveredText(this.platform, error));
        });
      })
      .catch((error) => console.error('message handling failed:', error));
  }

  close(): void {
    this.platform.stats.openSockets--;
    const named = !!this.peer.name;
    this.peer.dropped = true;
    if (named) this.room.leave(this.peer).catch((error) => console.error('leave failed', error));
  }

  private fail(text: string): void {
    if (!this.peer.dropped) this.peer.send(this.room.errorFragment(text));
  }
}
