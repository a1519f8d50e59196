import type { Context, MiddlewareHandler } from 'hono';
import type { HtmxMajor, Rendition } from './fragment.ts';

/** How the runtime's sockets and streams reach the core: the one seam each runtime implements once. */

/** One socket's events as the core handles them; the runtime hands over its socket already adapted. */
export interface SocketEvents {
  onOpen(transport: SocketTransport): void;
  onMessage(data: unknown): void;
  onClose(): void;
}

/** Upgrades a request to a WebSocket whose events the core makes from the request. */
export type SocketUpgrade = (createEvents: (c: Context<any>) => SocketEvents) => MiddlewareHandler<any>;

/** What a runtime gives the core for one open WebSocket. */
export interface SocketTransport {
  /** Writes the rendition as one text frame (as encoded bytes or as the string, whichever the runtime sends without copying). */
  send(rendition: Rendition): void;
  close(code: number, reason: string): void;
  /** Bytes accepted but not yet handed to the network. */
  bufferedAmount(): number;
  /**
   * The client's first message showed another htmx major than assumed: workerd keeps it with the
   * hibernating socket; where the socket never hibernates (Node, Deno) the Peer's own field is all.
   */
  majorRevealed(major: HtmxMajor): void;
  /** Keeps a renamed user's new name with the socket (workerd: across hibernation; Node, Deno: nothing to keep). */
  rename(name: string): void;
}

/** A response a runtime streams through by promises (Hono's `SSEStreamingApi`): the stream wraps it in a `QueuedWriter`. */
export interface StreamingWriter {
  /** Resolves once the runtime has taken the bytes. */
  write(bytes: Uint8Array): Promise<unknown>;
  onAbort(listener: () => void): void;
  abort(): void;
  readonly aborted: boolean;
}

/**
 * What an SSE stream writes to: a writer that knows how many bytes it holds for the client. Node's
 * writes straight onto the response (app/platform/node-event-stream.ts: the response's and socket's
 * buffers); elsewhere `QueuedWriter` counts the bytes of the writes not yet taken.
 */
export interface EventWriter {
  /** Writes bytes as they are; resolves once the runtime has taken them. */
  write(bytes: Uint8Array): Promise<unknown>;
  onAbort(listener: () => void): void;
  abort(): void;
  readonly aborted: boolean;
  /** Bytes handed over that the client has not taken yet. */
  buffered(): number;
  /** One whole event (often the very buffer every other stream gets too), as one write. */
  writeNow(bytes: Uint8Array): void;
}
