import type { Fragment } from '../ports/fragment.ts';
import type { Peer } from './peer.ts';
import type { Stats } from './stats.ts';

export const CLOSE_SLOW_CONSUMER = 1013;

/** The local sockets of one room or lobby; broadcasts write one rendered fragment to each. */
export class Channel {
  readonly peers = new Set<Peer>();

  constructor(
    private readonly maxBufferedBytes: number,
    private readonly stats: Stats,
  ) {}

  add(peer: Peer): void {
    this.peers.add(peer);
  }

  delete(peer: Peer): void {
    this.peers.delete(peer);
  }

  get size(): number {
    return this.peers.size;
  }

  /** Writes the fragment to every peer but `without` (one peer, or a set of them). */
  broadcast(fragment: Fragment, without?: Peer | ReadonlySet<Peer>): void {
    const failed: Peer[] = [];
    const skip = without instanceof Set ? (without.size > 0 ? without : undefined) : undefined;
    for (const peer of this.peers) {
      if (peer === without || skip?.has(peer) || peer.dropped) continue;
      if (!this.sendTo(peer, fragment)) failed.push(peer);
    }
    for (const peer of failed) this.peers.delete(peer);
  }

  /** Sends to one peer; false when the peer is gone or was dropped for falling behind. */
  sendTo(peer: Peer, fragment: Fragment): boolean {
    if (peer.dropped) return false;
    try {
      peer.send(fragment);
      this.stats.eventsSent++;
    } catch {
      peer.dropped = true;
      return false;
    }
    if (peer.transport.bufferedAmount() > this.maxBufferedBytes) {
      this.dropSlowClient(peer);
      return false;
    }
    return true;
  }

  private dropSlowClient(peer: Peer): void {
    this.stats.slowClientsDropped++;
    peer.close(CLOSE_SLOW_CONSUMER, 'client too slow, reconnect');
  }
}
