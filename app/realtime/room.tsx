import type { RoomPlatform } from '../ports/platform.ts';
import { render } from '../../components/render.ts';
import { ChatError } from '../../components/Chat.tsx';
import { Channel } from './channel.ts';
import { Fragment, type FragmentSource } from '../ports/fragment.ts';
import type { Peer } from './peer.ts';
import type { PresenceChange } from '../ports/presence.ts';
import type { RoomEvent, RoomLine } from '../ports/room-fanout.ts';
import type { SocketInput } from './socket-input.ts';
import type { SocketRoom } from './socket-room.ts';
import { subscribeRenames } from './renames.ts';

export interface RoomHooks {
  /** Called when someone came online or went offline in the room, e.g. to update the room list. */
  onPresenceChange(): void;
  /** Called when the last local socket has left (and, for a lobby, no player is waiting out the grace period). */
  onEmpty(): void;
}

/**
 * What a chat room and a lobby share: their local sockets (`channel`), the sockets let in
 * (`admitted`), the room's line (its one ordering layer and its fan-out), renames, and the
 * join/leave/take-back skeleton. A subclass says what a join shows and announces, what a last tab
 * leaving means, and what its events do to its sockets.
 */
export abstract class Room implements SocketRoom {
  abstract readonly fields: readonly string[];
  protected readonly channel: Channel;
  protected readonly line: RoomLine;
  /** Sockets whose join has run: only they have a presence entry to take back. */
  protected readonly admitted = new Set<Peer>();
  private readonly unrename: () => void;
  private readonly unwatch: () => void;

  constructor(
    readonly name: string,
    readonly topic: string,
    protected readonly platform: RoomPlatform,
    protected readonly hooks: RoomHooks,
  ) {
    this.channel = new Channel(platform.config.maxBufferedBytes, platform.stats);
    this.line = platform.fanout.open(
      topic,
      (event) => this.deliver(event),
      () => this.resync().catch(this.log('resync')),
    );
    this.unrename = subscribeRenames(platform.hub, ({ userId, name }) => void this.rename(userId, name).catch(this.log('rename')));
    this.unwatch = platform.presence.watch(topic, (cause) => this.peopleChanged(cause));
  }

  get isEmpty(): boolean {
    return this.admitted.size === 0;
  }

  join(peer: Peer): Promise<void> {
    // The socket may have closed while its join waited in line.
    return this.line.run(async () => (peer.dropped ? undefined : this.admit(peer)));
  }

  abstract receive(peer: Peer, input: SocketInput): Promise<void>;

  leave(peer: Peer): Promise<void> {
    this.channel.delete(peer);
    // In line behind this socket's own join, which may not have run yet (and add it to the channel).
    return this.line.run(async () => {
      this.channel.delete(peer);
      if (this.admitted.delete(peer) && (await this.platform.presence.leave(this.topic, peer.userId))) await this.lastTabLeft(peer);
      if (this.isEmpty) this.hooks.onEmpty();
    });
  }

  /**
   * Takes back a socket that was let in before this room's memory was (re)built, e.g. by a Durable
   * Object that woke up: counted present again, no snapshot, no announcement.
   */
  adopt(peer: Peer): Promise<void> {
    return this.line.run(async () => {
      this.admitted.add(peer);
      this.channel.add(peer);
      await this.platform.presence.join(this.topic, { userId: peer.userId, name: peer.name });
      await this.adopted();
    });
  }

  /** Runs `work` in the room's line, after everything queued before it. */
  run<T>(work: () => Promise<T>): Promise<T> {
    return this.line.run(work);
  }

  errorFragment(text: string): Fragment {
    return new Fragment(render(<ChatError text={text} />));
  }

  drain(): Promise<void> {
    return this.line.drain();
  }

  dispose(): void {
    this.line.close();
    this.unwatch();
    this.unrename();
  }

  /** The room's sockets let in and shown what the room holds; what the join announces. */
  protected abstract admit(peer: Peer): Promise<void>;
  /** The user's last tab here left (presence says so). */
  protected abstract lastTabLeft(peer: Peer): Promise<void>;
  /** One event of the room's topic, from this room or (cluster mode) another instance. */
  protected abstract deliver(event: RoomEvent): void;
  /** After events may have been missed: the sockets here are brought up to date. */
  protected abstract resync(): Promise<void>;
  /** People changed other than through this process (cluster mode: an instance crashed, or presence was rebuilt). */
  protected abstract peopleChanged(cause: PresenceChange): void;
  /** A user with sockets here took a new name; their peers and presence entry already carry it. */
  protected abstract renamed(userId: string, name: string): Promise<void>;
  /** A socket was taken back (`adopt`). */
  protected async adopted(): Promise<void> {}

  protected publish(event: string, content: FragmentSource): Promise<void> {
    return this.line.publish(event, content);
  }

  /** Shows `text` to one socket only (an empty text clears the error). */
  protected tell(peer: Peer, text: string): void {
    this.channel.sendTo(peer, this.errorFragment(text));
  }

  protected log(what: string): (error: unknown) => void {
    return (error) => console.error(`${what} of ${this.topic} failed:`, error);
  }

  /** SPEC §3: the user's sockets here send their next messages under the new name. */
  private rename(userId: string, name: string): Promise<void> {
    return this.line.run(async () => {
      const peers = [...this.admitted].filter((peer) => peer.userId === userId);
      if (peers.length === 0) return;
      for (const peer of peers) peer.rename(name);
      await this.platform.presence.rename(this.topic, userId, name);
      await this.renamed(userId, name);
    });
  }
}
