import type { RoomPlatform } from '../ports/platform.ts';
import { render } from '../../components/render.ts';
import { ChatSnapshot, type ListSource, NewMessage, PRESENCE_ADD_OPEN, PRESENCE_SHOWN, PresenceCount, PresenceItem, PresenceJoined, PresenceLeft, PresenceRenamed, PRESENCE_RENAMED_ATTR, PresenceUpdate } from '../../components/Chat.tsx';
import type { PresenceEntry } from '../ports/presence.ts';
import type { ChatMessage } from '../ports/store.ts';
import { breathe } from './breathe.ts';
import { Fragment } from '../ports/fragment.ts';
import type { Peer } from './peer.ts';
import { readMessageText, type SocketInput } from './socket-input.ts';
import { Room, type RoomHooks } from './room.tsx';
import type { RoomEvent } from '../ports/room-fanout.ts';

export const chatTopic = (room: string) => `chat:${room}`;

export interface ChatRoomHooks extends RoomHooks {
  /** Called with each stored and broadcast message, e.g. to notify @mentioned users. */
  onMessage(message: ChatMessage): void;
}

/** A presence change on the room's topic: `presence:add:COUNT:USERID` / `presence:remove:COUNT:USERID`. */
const PRESENCE_EVENT = /^presence:(add|remove|rename):(\d+):(.+)$/;

/** Own broadcasts not seen back yet, at most this many (a publish that failed never comes back). */
const MAX_OWN_PENDING = 64;

/** One chat room's local sockets. Messages are stored, then published on the room's line. */
export class ChatRoom extends Room {
  readonly fields = ['message'] as const;
  /**
   * What every socket here shows in `#presence`, kept from the room's own presence events in line order:
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
  /** HTML of the messages this room published, until its line hands them back (they are in the cache already). */
  private readonly ownPending = new Set<string>();
  /** Writes of this room (one process, pipelined) whose broadcast has not run yet: a snapshot leaves their messages out. */
  private readonly unsent = new Set<Promise<ChatMessage>>();
  /** Whether the line has handed this room an event yet (see `deliver`). */
  private listening = false;

  protected declare readonly hooks: ChatRoomHooks;

  constructor(name: string, platform: RoomPlatform, hooks: ChatRoomHooks) {
    super(name, chatTopic(name), platform, hooks);
  }

  protected deliver(event: RoomEvent): void {
    if (!this.listening) {
      // The line hears the room from here on (in cluster mode its subscription is live once it hands
      // over an event): from now the history kept of it (platform.history) stays current, as this
      // room appends what it stores and drops what others changed.
      this.listening = true;
      this.platform.history.listening(this.name, true);
    }
    const change = PRESENCE_EVENT.exec(event.event);
    if (change) return this.applyPresence(change[1] as 'add' | 'remove' | 'rename', Number(change[2]), change[3]!, event.fragment);
    // A message stored elsewhere (another instance): the cached history no longer holds all of it.
    if (event.event === 'message' && !this.ownPending.delete(event.fragment.html)) this.platform.history.invalidate(this.name);
    this.channel.broadcast(event.fragment);
  }

  protected async admit(peer: Peer): Promise<void> {
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
      return this.tell(peer, 'Chat history is unavailable right now; it will appear when the connection recovers.');
    }
    // Rendered from `shown` as it stands now; every presence change after this reaches the socket.
    this.channel.sendTo(peer, snapshot());
    this.awaitingPresence.delete(peer);
    // Redis may have gone away since the snapshot; the resync after recovery brings presence up to date.
    if (newcomer) await this.publishPresence(true, peer).catch((error) => console.error(`presence of ${this.topic} not published:`, error.message));
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
    const held = await this.platform.history.get(this.name);
    const pending = await this.unsentIds();
    if (!held.messages.some((message) => pending.has(message.id))) return { listHtml: held.listHtml };
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

  /** One presence event of the line, applied to `shown` and passed on as what it changed there. */
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

  /** After the line may have missed events: every socket here gets a fresh snapshot (rendered once) and a cleared error. */
  protected resync(): Promise<void> {
    this.platform.history.invalidate(this.name);
    return this.line.run(async () => {
      if (this.isEmpty) return;
      this.shown = null;
      const snapshot = await this.snapshot();
      this.channel.broadcast(snapshot());
      this.awaitingPresence.clear();
      this.channel.broadcast(this.errorFragment(''));
    });
  }

  /** Presence changed elsewhere (a crashed instance was reaped): each instance re-renders for its own sockets. */
  protected peopleChanged(): void {
    this.line
      .run(async () => {
        if (this.isEmpty) return;
        this.shown = null;
        await this.loadPresence();
        this.channel.broadcast(new Fragment(render(<PresenceUpdate {...this.presenceView()} />)), this.awaitingPresence);
      })
      .catch(this.log('presence refresh'));
  }

  /** Every instance replaces the name where it shows it (one <li>, not the whole list). */
  protected async renamed(userId: string, name: string): Promise<void> {
    await this.publish(`presence:rename:${this.presenceCount}:${userId}`, render(<PresenceRenamed person={{ userId, name }} />));
    this.hooks.onPresenceChange();
  }

  receive(peer: Peer, input: SocketInput): Promise<void> {
    const text = readMessageText(input, this.platform.config.limits);
    if (!text.ok) {
      this.tell(peer, text.error);
      return Promise.resolve();
    }
    return this.post(peer.userId, peer.name, text.value).then(() => this.tell(peer, ''));
  }

  /**
   * Stores a message, then broadcasts it with the delete of the one that leaves the window. In one
   * process the write starts at once, in arrival order (so ids follow it), and joins the store's group
   * commit with every other message of the burst; the broadcasts go out in the same order, each only
   * after its own message is committed.
   */
  post(userId: string, name: string, text: string): Promise<ChatMessage> {
    const { store, stats } = this.platform;
    let stored: Promise<ChatMessage> | undefined;
    return this.line.post(
      () => {
        const write = (stored = store.addMessage({ room: this.name, userId, name, text, at: Date.now() }));
        // Until its broadcast has run, a snapshot leaves this message out (see snapshotList).
        this.unsent.add(write);
        write.catch(() => this.unsent.delete(write));
        return write;
      },
      async (message) => {
        try {
          stats.messages++;
          if (!this.line.heard) {
            // Shutting down: every socket here is closing, so the backlog is only stored (and its mentions sent), not fanned out.
            this.platform.history.append(message);
          } else {
            // A burst resolves hundreds of commits at once: let other work in between their fan-outs.
            await breathe();
            await this.broadcastStored(message);
          }
          this.hooks.onMessage(message);
        } finally {
          if (stored) this.unsent.delete(stored);
        }
      },
    );
  }

  /** One stored message to every socket of the room, as ONE fragment with the trim of the one that fell out. */
  private async broadcastStored(message: ChatMessage): Promise<void> {
    const { store, config } = this.platform;
    const dropId = await store.messageIdBefore(this.name, message.id, config.historyLimit);
    const html = render(<NewMessage message={message} dropId={dropId} />);
    if (this.ownPending.size >= MAX_OWN_PENDING) this.ownPending.clear();
    this.ownPending.add(html);
    // The page cache takes the message in the same turn as the broadcast: a snapshot sent in between
    // would otherwise hold it and then receive it again (two copies in a reconnecting page).
    this.platform.history.append(message);
    await this.publish('message', html);
  }

  override leave(peer: Peer): Promise<void> {
    this.awaitingPresence.delete(peer);
    return super.leave(peer);
  }

  protected lastTabLeft(peer: Peer): Promise<void> {
    return this.publishPresence(false, peer);
  }

  override dispose(): void {
    // With other instances writing (cluster mode) nothing keeps the history current once the room stops listening.
    if (this.listening) this.platform.history.listening(this.name, false);
    super.dispose();
  }

  /** Announces one user coming online or going offline: a fragment whose size does not grow with the room. */
  private async publishPresence(added: boolean, peer: Peer): Promise<void> {
    const { presence } = this.platform;
    const count = await presence.count(this.topic);
    const html = added ? render(<PresenceJoined person={{ userId: peer.userId, name: peer.name }} count={count} />) : render(<PresenceLeft userId={peer.userId} count={count} />);
    await this.publish(`presence:${added ? 'add' : 'remove'}:${count}:${peer.userId}`, html);
    this.hooks.onPresenceChange();
  }
}
