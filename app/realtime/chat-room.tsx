import type { RoomPlatform } from '../ports/platform.ts';
import { render } from '../../components/render.ts';
import { ChatError, ChatSnapshot, type ListSource, NewMessage, PRESENCE_ADD_OPEN, PRESENCE_SHOWN, PresenceCount, PresenceItem, PresenceJoined, PresenceLeft, PresenceRenamed, PRESENCE_RENAMED_ATTR, PresenceUpdate } from '../../components/Chat.tsx';
import type { PresenceEntry } from '../ports/presence.ts';
import type { ChatMessage } from '../ports/store.ts';
import { breathe } from './breathe.ts';
import { Channel } from './channel.ts';
import { Fragment } from '../ports/fragment.ts';
import type { Peer } from './peer.ts';
import { SerialQueue } from './serial.ts';
import type { HistoryCache } from './history-cache.tsx';
import { readMessageText, type SocketInput } from './socket-input.ts';
import type { RestorableRoom } from './socket-room.ts';
import { subscribeRenames, type Rename } from './renames.ts';

export const chatTopic = (room: string) => `chat:${room}`;

export interface ChatRoomHooks {
  /** Called with each stored and broadcast message, e.g. to notify @mentioned users. */
  onMessage(message: ChatMessage): void;
  /** Called when someone came online or went offline in the room, e.g. to update the room list. */
  onPresenceChange(): void;
  /** Called when the last local socket has left. */
  onEmpty(): void;
  /** The process's cache of recent history: this room appends what it stores and drops what others changed. */
  history?: HistoryCache;
}

/** A presence change on the room's topic: `presence:add:COUNT:USERID` / `presence:remove:COUNT:USERID`. */
const PRESENCE_EVENT = /^presence:(add|remove|rename):(\d+):(.+)$/;

/** Own broadcasts not seen back from the hub yet, at most this many (a publish that failed never comes back). */
const MAX_OWN_PENDING = 64;

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
  /**
   * What every socket here shows in `#presence`, kept from the room's own presence events in hub order:
   * the first PRESENCE_SHOWN users (id → rendered `<li>`) and the count. A joiner's snapshot is rendered
   * from it, and each event is passed on only as the change it makes to it, so a join costs each member
   * one `<li>` (or just the count past PRESENCE_SHOWN) and no socket ever gets an add it already has
   * or a delete of a name it does not show.
   */
  private shown: Map<string, string> | null = null;
  private presenceCount = 0;
  /** Set when a presence event arrives while `shown` is being loaded: the load is repeated. */
  private presenceMoved = false;
  /** Sockets in the channel (messages reach them) that have not had their presence snapshot yet. */
  private readonly awaitingPresence = new Set<Peer>();
  /** HTML of the messages this room published, until the hub hands them back (they are in the cache already). */
  private readonly ownPending = new Set<string>();
  /** Writes of this room (one process, pipelined) whose broadcast has not run yet: a snapshot leaves their messages out. */
  private readonly unsent = new Set<Promise<ChatMessage>>();

  constructor(
    readonly name: string,
    private readonly platform: RoomPlatform,
    private readonly hooks: ChatRoomHooks,
  ) {
    this.topic = chatTopic(name);
    this.channel = new Channel(platform.config.maxBufferedBytes, platform.stats);
    this.unsubscribe = platform.hub.subscribe(
      this.topic,
      (event) => {
        const change = PRESENCE_EVENT.exec(event.event);
        if (change) return this.applyPresence(change[1] as 'add' | 'remove' | 'rename', Number(change[2]), change[3]!, event.fragment);
        // A message stored elsewhere (another instance): the cached history no longer holds all of it.
        if (event.event === 'message' && !this.ownPending.delete(event.fragment.html)) hooks.history?.invalidate(name);
        this.channel.broadcast(event.fragment);
      },
      () => {
        hooks.history?.invalidate(name);
        this.resync().catch((error) => console.error(`resync of ${this.topic} failed:`, error));
      },
    );
    this.unrename = subscribeRenames(platform.hub, (rename) => {
      this.rename(rename).catch((error) => console.error(`rename in ${this.topic} failed:`, error));
    });
    this.unwatch = platform.presence.watch(this.topic, () => {
      this.refreshPresence().catch((error) => console.error(`presence refresh of ${this.topic} failed:`, error));
    });
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
      // Messages reach the socket from now on; presence changes only once its snapshot is out.
      this.awaitingPresence.add(peer);
      this.channel.add(peer);
      const snapshot = await this.snapshot().catch(() => null);
      if (!snapshot) {
        // Cluster mode with Redis away: the socket stays open and gets the snapshot on recovery (resync).
        this.channel.sendTo(peer, this.errorFragment('Chat history is unavailable right now; it will appear when the connection recovers.'));
        return;
      }
      // Rendered from `shown` as it stands now; every presence change after this reaches the socket.
      this.channel.sendTo(peer, snapshot());
      this.awaitingPresence.delete(peer);
      // Redis may have gone away since the snapshot; the resync after recovery brings presence up to date.
      if (newcomer) await this.publishPresence(true, peer).catch((error) => console.error(`presence of ${this.topic} not published:`, error.message));
    });
  }

  /**
   * The last HISTORY_LIMIT messages and who is online, as sent on every (re)connect. Loads what it needs,
   * then returns the render, to be called in the same turn as the send so no presence change falls between.
   */
  private async snapshot(): Promise<() => Fragment> {
    await this.loadPresence();
    const list = await this.snapshotList();
    await this.loadPresence();
    return () => new Fragment(render(<ChatSnapshot room={this.name} {...list} presence={this.presenceView()} />));
  }

  /**
   * The last HISTORY_LIMIT messages for a snapshot, without those stored here whose broadcast has not
   * run yet: their turn in the queue comes after this one, when the socket is in the channel, so they
   * reach it as broadcasts. Read from the store they may already be there (a reconnecting page that
   * sends its pending message at once would otherwise show it twice).
   */
  private async snapshotList(): Promise<ListSource> {
    const { store, config } = this.platform;
    const limit = config.historyLimit;
    if (this.hooks.history) {
      const cached = await this.hooks.history.get(this.name);
      const unsent = await this.unsentIds();
      if (!cached.messages.some((message) => unsent.has(message.id))) return { listHtml: cached.listHtml };
    }
    for (let extra = this.unsent.size; ; ) {
      const rows = await store.recentMessages(this.name, limit + 1 + extra);
      // Every write whose message can be in `rows` started before this point, so it is in `unsent` now.
      const unsent = await this.unsentIds();
      const kept = rows.filter((message) => !unsent.has(message.id));
      const left = rows.length - kept.length;
      if (left <= extra || rows.length < limit + 1 + extra) {
        const page = kept.slice(-(limit + 1));
        const more = page.length > limit;
        return { messages: more ? page.slice(1) : page, more };
      }
      extra = left;
    }
  }

  /** Ids of the messages stored here whose broadcast has not run yet (waiting for writes still in flight). */
  private async unsentIds(): Promise<Set<number>> {
    const results = await Promise.allSettled(this.unsent);
    return new Set(results.flatMap((result) => (result.status === 'fulfilled' ? [result.value.id] : [])));
  }

  private presenceView(): { count: number; itemsHtml: string[] } {
    return { count: this.presenceCount, itemsHtml: [...(this.shown?.values() ?? [])] };
  }

  /** Reads who is here into `shown` once (again after `reloadPresence`), repeating if a change came in meanwhile. */
  private async loadPresence(): Promise<void> {
    for (let attempt = 0; this.shown === null && attempt < 5; attempt++) {
      this.presenceMoved = false;
      const people = await this.platform.presence.list(this.topic);
      if (this.presenceMoved && attempt < 4) continue;
      this.setShown(people);
    }
  }

  private setShown(people: PresenceEntry[]): void {
    this.shown = new Map(people.slice(0, PRESENCE_SHOWN).map((person) => [person.userId, render(<PresenceItem person={person} />)]));
    this.presenceCount = people.length;
  }

  /** One presence event from the hub, applied to `shown` and passed on as what it changed there. */
  private applyPresence(kind: 'add' | 'remove' | 'rename', count: number, userId: string, fragment: Fragment): void {
    const added = kind === 'add';
    if (this.shown === null) {
      // Not read yet: sockets here are either waiting for their snapshot, or (a Durable Object that woke
      // up) show what they showed before, which this change applies to as it stands.
      this.presenceMoved = true;
      this.channel.broadcast(fragment, this.awaitingPresence);
      return;
    }
    if (kind === 'rename') {
      // Only where the name is shown; an outerHTML swap of a missing element would be an error in the browser.
      if (!this.shown.has(userId)) return;
      this.shown.set(userId, fragment.html.replace(PRESENCE_RENAMED_ATTR, ''));
      return this.channel.broadcast(fragment, this.awaitingPresence);
    }
    this.presenceCount = count;
    let forward: Fragment;
    if (added && !this.shown.has(userId) && this.shown.size < PRESENCE_SHOWN) {
      const html = fragment.html;
      this.shown.set(userId, html.slice(PRESENCE_ADD_OPEN.length, html.indexOf('</ul>')));
      forward = fragment;
    } else if (!added && this.shown.delete(userId)) {
      forward = fragment;
    } else {
      // Already shown, or past the names shown, or never shown: only the count moves.
      forward = new Fragment(render(<PresenceCount count={count} oob />));
    }
    this.channel.broadcast(forward, this.awaitingPresence);
  }

  /** After the hub may have missed events: every socket here gets a fresh snapshot (rendered once) and a cleared error. */
  private resync(): Promise<void> {
    return this.queue.run(async () => {
      if (this.isEmpty) return;
      this.shown = null;
      const snapshot = await this.snapshot();
      this.channel.broadcast(snapshot());
      this.awaitingPresence.clear();
      this.channel.broadcast(this.errorFragment(''));
    });
  }

  /** Presence changed elsewhere (a crashed instance was reaped): each instance re-renders for its own sockets. */
  private refreshPresence(): Promise<void> {
    return this.queue.run(async () => {
      if (this.isEmpty) return;
      this.shown = null;
      await this.loadPresence();
      this.channel.broadcast(new Fragment(render(<PresenceUpdate {...this.presenceView()} />)), this.awaitingPresence);
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
      // Every instance replaces the name where it shows it (one <li>, not the whole list).
      await this.platform.hub.publish(this.topic, `presence:rename:${this.presenceCount}:${userId}`, render(<PresenceRenamed person={{ userId, name }} />));
      this.hooks.onPresenceChange();
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
    if (!this.platform.locks.shared) return this.pipelined(userId, name, text);
    const { locks } = this.platform;
    return this.queue.run(() => locks.exclusive(this.topic, async () => {
      const { store, stats } = this.platform;
      const message = await store.addMessage({ room: this.name, userId, name, text, at: Date.now() });
      stats.messages++;
      await this.broadcastStored(message);
      this.hooks.onMessage(message);
      return message;
    }));
  }

  /** One stored message to every socket of the room, as ONE fragment with the trim of the one that fell out. */
  private async broadcastStored(message: ChatMessage): Promise<void> {
    const { store, hub, config } = this.platform;
    const dropId = await store.messageIdBefore(this.name, message.id, config.historyLimit);
    const html = render(<NewMessage message={message} dropId={dropId} />);
    if (this.hooks.history) {
      if (this.ownPending.size >= MAX_OWN_PENDING) this.ownPending.clear();
      this.ownPending.add(html);
    }
    // The page cache takes the message in the same turn as the broadcast: a snapshot sent in between
    // would otherwise hold it and then receive it again (two copies in a reconnecting page).
    this.hooks.history?.append(message);
    await hub.publish(this.topic, 'message', html);
  }

  /**
   * One process: the write starts at once, in arrival order (so ids follow it), and joins the
   * store's group commit with every other message of the burst; the broadcasts then go out in the
   * same order, each only after its own message is committed.
   */
  private pipelined(userId: string, name: string, text: string): Promise<ChatMessage> {
    const { store, stats } = this.platform;
    const stored = store.addMessage({ room: this.name, userId, name, text, at: Date.now() });
    stored.catch(() => {});
    this.unsent.add(stored);
    return this.queue.run(async () => {
      try {
        const message = await stored;
        stats.messages++;
        // Shutting down: every socket is closing, so the backlog is only stored (and its mentions sent), not fanned out.
        if (!this.platform.closing.aborted) {
          // A burst resolves hundreds of commits at once: let other work in between their fan-outs.
          await breathe();
          await this.broadcastStored(message);
        } else {
          this.hooks.history?.append(message);
        }
        this.hooks.onMessage(message);
        return message;
      } finally {
        this.unsent.delete(stored);
      }
    });
  }

  leave(peer: Peer): Promise<void> {
    this.channel.delete(peer);
    this.awaitingPresence.delete(peer);
    return this.queue.run(async () => {
      if (!this.admitted.delete(peer)) return;
      if (await this.platform.presence.leave(this.topic, peer.userId)) await this.publishPresence(false, peer);
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
    // With other instances writing (cluster mode) nothing keeps the cache current once the room stops listening.
    if (this.platform.locks.shared) this.hooks.history?.invalidate(this.name);
    this.unsubscribe();
    this.unwatch();
    this.unrename();
  }

  /** Announces one user coming online or going offline: a fragment whose size does not grow with the room. */
  private async publishPresence(added: boolean, peer: Peer): Promise<void> {
    const { presence, hub } = this.platform;
    const count = await presence.count(this.topic);
    const html = added ? render(<PresenceJoined person={{ userId: peer.userId, name: peer.name }} count={count} />) : render(<PresenceLeft userId={peer.userId} count={count} />);
    await hub.publish(this.topic, `presence:${added ? 'add' : 'remove'}:${count}:${peer.userId}`, html);
    this.hooks.onPresenceChange();
  }
}
