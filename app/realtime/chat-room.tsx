import type { RoomPlatform } from '../platform/platform.ts';
import { render } from '../../components/render.ts';
import { ChatError, ChatSnapshot, NewMessage, PresenceUpdate } from '../../components/Chat.tsx';
import type { ChatMessage } from '../store/store.ts';
import { breathe } from './breathe.ts';
import { Channel } from './channel.ts';
import { Fragment } from './fragment.ts';
import type { Peer } from './peer.ts';
import { SerialQueue } from './serial.ts';
import { readMessageText, type SocketInput } from './socket-input.ts';
import type { RestorableRoom } from './socket-endpoint.ts';
import { subscribeRenames, type Rename } from './renames.ts';

export const chatTopic = (room: string) => `chat:${room}`;

export interface ChatRoomHooks {
  /** Called with each stored and broadcast message, e.g. to notify @mentioned users. */
  onMessage(message: ChatMessage): void;
  /** Called when someone came online or went offline in the room, e.g. to update the room list. */
  onPresenceChange(): void;
  /** Called when the last local socket has left. */
  onEmpty(): void;
}

/** One chat room's local sockets. Messages are stored, then published through the hub. */
export class ChatRoom implements RestorableRoom {
  readonly fields = ['message'] as const;
  private readonly channel: Channel;
  private readonly queue = new SerialQueue();
  private readonly unsubscribe: () => void;
  private readonly unwatch: () => void;
  private readonly unrename: () => void;
  private readonly topic: string;
  /** Sockets whose join has run: only they have a presence entry to take back. */
  private readonly admitted = new Set<Peer>();

  constructor(
    readonly name: string,
    private readonly platform: RoomPlatform,
    private readonly hooks: ChatRoomHooks,
  ) {
    this.topic = chatTopic(name);
    this.channel = new Channel(platform.config.maxBufferedBytes, platform.stats);
    this.unsubscribe = platform.hub.subscribe(
      this.topic,
      (event) => this.channel.broadcast(event.fragment),
      () => this.resync().catch((error) => console.error(`resync of ${this.topic} failed:`, error)),
    );
    this.unrename = subscribeRenames(platform.hub, (rename) => {
      this.rename(rename).catch((error) => console.error(`rename in ${this.topic} failed:`, error));
    });
    this.unwatch = platform.presence.watch?.(this.topic, () => {
      this.refreshPresence().catch((error) => console.error(`presence refresh of ${this.topic} failed:`, error));
    }) ?? (() => {});
  }

  get isEmpty(): boolean {
    return this.admitted.size === 0;
  }

  join(peer: Peer): Promise<void> {
    return this.queue.run(async () => {
      // The socket may have closed while its join waited in the queue.
      if (peer.dropped) return;
      const { presence } = this.platform;
      this.admitted.add(peer);
      const newcomer = await presence.join(this.topic, { userId: peer.userId, name: peer.name });
      // Having been here is what lets an @mention in this room reach them (SPEC §6).
      await this.platform.store.addRoomMember(this.name, peer.userId, Date.now()).catch((error) => console.error(`member of ${this.topic} not recorded:`, error.message));
      this.channel.add(peer);
      const snapshot = await this.snapshot().catch(() => null);
      if (!snapshot) {
        // Cluster mode with Redis away: the socket stays open and gets the snapshot on recovery (resync).
        this.channel.sendTo(peer, this.errorFragment('Chat history is unavailable right now; it will appear when the connection recovers.'));
        return;
      }
      this.channel.sendTo(peer, snapshot);
      // Redis may have gone away since the snapshot; the resync after recovery brings presence up to date.
      if (newcomer) await this.publishPresence().catch((error) => console.error(`presence of ${this.topic} not published:`, error.message));
    });
  }

  /** The last HISTORY_LIMIT messages and who is online, as sent on every (re)connect. */
  private async snapshot(): Promise<Fragment> {
    const { store, presence, config } = this.platform;
    const page = await store.recentMessages(this.name, config.historyLimit + 1);
    const more = page.length > config.historyLimit;
    const messages = more ? page.slice(1) : page;
    const people = await presence.list(this.topic);
    return new Fragment(render(<ChatSnapshot room={this.name} messages={messages} more={more} people={people} />));
  }

  /** After the hub may have missed events: every socket here gets a fresh snapshot (rendered once) and a cleared error. */
  private resync(): Promise<void> {
    return this.queue.run(async () => {
      if (this.isEmpty) return;
      const snapshot = await this.snapshot();
      this.channel.broadcast(snapshot);
      this.channel.broadcast(this.errorFragment(''));
    });
  }

  /** Presence changed elsewhere (a crashed instance was reaped): each instance re-renders for its own sockets. */
  private refreshPresence(): Promise<void> {
    return this.queue.run(async () => {
      if (this.isEmpty) return;
      const people = await this.platform.presence.list(this.topic);
      this.channel.broadcast(new Fragment(render(<PresenceUpdate people={people} />)));
    });
  }

  /** Takes back a socket that stayed open while the room's Durable Object hibernated: no snapshot, no announcement. */
  restore(peer: Peer): Promise<void> {
    return this.queue.run(async () => {
      this.admitted.add(peer);
      await this.platform.presence.join(this.topic, { userId: peer.userId, name: peer.name });
      this.channel.add(peer);
    });
  }

  /** The user's sockets here send their next messages under the new name; the online list shows it at once. */
  private rename({ userId, name }: Rename): Promise<void> {
    return this.queue.run(async () => {
      const peers = [...this.admitted].filter((peer) => peer.userId === userId);
      if (peers.length === 0) return;
      for (const peer of peers) peer.rename(name);
      await this.platform.presence.rename(this.topic, userId, name);
      await this.publishPresence();
    });
  }

  receive(peer: Peer, input: SocketInput): Promise<void> {
    const text = readMessageText(input, this.platform.config.limits);
    if (!text.ok) {
      this.channel.sendTo(peer, this.errorFragment(text.error));
      return Promise.resolve();
    }
    return this.post(peer.userId, peer.name, text.value).then(() => {
      this.channel.sendTo(peer, this.errorFragment(''));
    });
  }

  /** Stores a message, then broadcasts it with the delete of the one that leaves the window. */
  post(userId: string, name: string, text: string): Promise<ChatMessage> {
    if (!this.platform.exclusive) return this.pipelined(userId, name, text);
    const { exclusive } = this.platform;
    return this.queue.run(() => exclusive(this.topic, async () => {
      const { store, hub, config, stats } = this.platform;
      const message = await store.addMessage({ room: this.name, userId, name, text, at: Date.now() });
      stats.messages++;
      const dropId = await store.messageIdBefore(this.name, message.id, config.historyLimit);
      await hub.publish(this.topic, 'message', render(<NewMessage message={message} dropId={dropId} />));
      this.hooks.onMessage(message);
      return message;
    }));
  }

  /**
   * One process: the write starts at once, in arrival order (so ids follow it), and joins the
   * store's group commit with every other message of the burst; the broadcasts then go out in the
   * same order, each only after its own message is committed.
   */
  private pipelined(userId: string, name: string, text: string): Promise<ChatMessage> {
    const { store, hub, config, stats } = this.platform;
    const stored = store.addMessage({ room: this.name, userId, name, text, at: Date.now() });
    stored.catch(() => {});
    return this.queue.run(async () => {
      const message = await stored;
      stats.messages++;
      // Shutting down: every socket is closing, so the backlog is only stored (and its mentions sent), not fanned out.
      if (!this.platform.closing.aborted) {
        // A burst resolves hundreds of commits at once: let other work in between their fan-outs.
        await breathe();
        const dropId = await store.messageIdBefore(this.name, message.id, config.historyLimit);
        await hub.publish(this.topic, 'message', render(<NewMessage message={message} dropId={dropId} />));
      }
      this.hooks.onMessage(message);
      return message;
    });
  }

  leave(peer: Peer): Promise<void> {
    this.channel.delete(peer);
    return this.queue.run(async () => {
      if (!this.admitted.delete(peer)) return;
      if (await this.platform.presence.leave(this.topic, peer.userId)) await this.publishPresence();
      if (this.isEmpty) this.hooks.onEmpty();
    });
  }

  errorFragment(text: string): Fragment {
    return new Fragment(render(<ChatError text={text} />));
  }

  drain(): Promise<void> {
    return this.queue.drain();
  }

  dispose(): void {
    this.unsubscribe();
    this.unwatch();
    this.unrename();
  }

  private async publishPresence(): Promise<void> {
    const people = await this.platform.presence.list(this.topic);
    await this.platform.hub.publish(this.topic, 'presence', render(<PresenceUpdate people={people} />));
    this.hooks.onPresenceChange();
  }
}
