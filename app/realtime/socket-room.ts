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
  /** Runs `work` in the room's one ordering layer, after everything queued before it. */
  run<T>(work: () => Promise<T>): Promise<T>;
}

