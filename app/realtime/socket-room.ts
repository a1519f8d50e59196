import type { Fragment } from '../ports/fragment.ts';
import type { Peer } from './peer.ts';
import type { SocketInput } from './socket-input.ts';

/** A room or lobby as the socket layer sees it (the partyserver shape). */
export interface SocketRoom {
  /** Fields a client may send besides htmx's headers (`HEADERS` / `headers`). */
  readonly fields: readonly string[];
  join(peer: Peer): Promise<void>;
  receive(peer: Peer, input: SocketInput): Promise<void>;
  leave(peer: Peer): Promise<void>;
  /** The fragment that shows `text` to one client only. */
  errorFragment(text: string): Fragment;
}

/** A room whose sockets can outlive its in-memory state (a Durable Object that hibernated). */
export interface RestorableRoom extends SocketRoom {
  /** Takes back a socket that was joined before: no snapshot, no announcement. */
  restore(peer: Peer): Promise<void>;
}
