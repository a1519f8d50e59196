import type { RoomPlatform } from '../ports/platform.ts';
import { render } from '../../components/render.ts';
import { ChatError } from '../../components/Chat.tsx';
import { ArenaSnapshot, LobbySnapshot, LobbyUpdate, LogAppend, MatchSnapshot, PlayerRegions } from '../../components/Lobby.tsx';
import { Channel } from './channel.ts';
import { Fragment } from '../ports/fragment.ts';
import type { LobbyPlayer, NewLogLine } from '../ports/lobby-state.ts';
import { LobbyMatch } from './lobby-match.ts';
import { renderPerMajor } from './per-major.tsx';
import type { Peer } from './peer.ts';
import { SerialQueue } from './serial.ts';
import { readMessageText, type SocketInput } from './socket-input.ts';
import { CLOSE_POLICY } from './socket-session.ts';
import type { RestorableRoom } from './socket-room.ts';
import { subscribeRenames, type Rename } from './renames.ts';

export const lobbyTopic = (lobby: string) => `lobby:${lobby}`;

export interface LobbyRoomHooks {
  /** Called when a user's first tab joins or last tab leaves: the home page's live list changed. */
  onPresenceChange(): void;
  /** Called when the last local socket has left and no player is waiting out the grace period. */
  onEmpty(): void;
}

/**
 * One lobby's local sockets (SPEC §4.3). Players are users, not sockets: a user's first tab joins,
 * their last tab leaves once `lobbyGraceMs` has passed without them coming back. Players and ready
 * flags live in `platform.lobbies`; every change is rendered once and published through the hub.
 */
export class LobbyRoom implements RestorableRoom {
  readonly fields = ['message', 'action'] as const;
  private readonly channel: Channel;
  private readonly queue = new SerialQueue();
  private readonly unsubscribe: () => void;
  private readonly unwatch: () => void;
  private readonly unrename: () => void;
  private sweep: ReturnType<typeof setTimeout> | undefined;
  private readonly topic: string;
  /** Sockets that were let in (a socket refused because the lobby is full never is). */
  private readonly admitted = new Set<Peer>();
  /** Users whose last tab closed, by user id, until the grace period ends. */
  private readonly leaving = new Map<string, ReturnType<typeof setTimeout>>();
  /** The lobby's match (SPEC §4.3.1) as this room takes part in it. */
  private readonly match: LobbyMatch;

  constructor(
    readonly id: string,
    private readonly platform: RoomPlatform,
    private readonly hooks: LobbyRoomHooks,
  ) {
    this.topic = lobbyTopic(id);
    this.channel = new Channel(platform.config.maxBufferedBytes, platform.stats);
    const log = (what: string) => (error: unknown) => console.error(`${what} of ${this.topic} failed:`, error);
    this.match = new LobbyMatch(id, platform, this.queue);
    this.unsubscribe = platform.hub.subscribe(
      this.topic,
      (event) => {
        if (event.event.startsWith('note:')) return this.sendToUser(event.event.slice(5), event.fragment);
        this.match.observe(event.event);
        this.channel.broadcast(event.fragment);
      },
      () => this.queue.run(() => this.resync()).catch(log('resync')),
    );
    this.unrename = subscribeRenames(platform.hub, (rename) => void this.queue.run(() => this.rename(rename)).catch(log('rename')));
    const dropAbsent = () => this.queue.run(() => this.dropAbsentPlayers()).catch(log('dropping players'));
    this.unwatch =
      platform.presence.watch(this.topic, (cause) => {
        if (cause === 'crash') void dropAbsent();
      });
    // Cluster mode: players of an instance that died while no one else was in this lobby are still
    // listed; once any real leaver's grace period is over, whoever is absent everywhere is gone.
    if (platform.locks.shared) {
      this.sweep = setTimeout(dropAbsent, platform.config.lobbyGraceMs + 100);
      (this.sweep as { unref?: () => void }).unref?.();
    }
  }

  get isEmpty(): boolean {
    return this.admitted.size === 0 && this.leaving.size === 0;
  }

  join(peer: Peer): Promise<void> {
    return this.queue.run(async () => {
      if (peer.dropped) return;
      const { lobbies, presence, config } = this.platform;
      const max = config.limits.maxLobbyPlayers;
      // Present before a player: another instance's sweep (dropAbsentPlayers) must never find a new player absent.
      const firstTab = await presence.join(this.topic, { userId: peer.userId, name: peer.name });
      const result = await lobbies.join(this.id, { userId: peer.userId, name: peer.name }, max);
      if (result === 'full') {
        await presence.leave(this.topic, peer.userId);
        this.channel.sendTo(peer, this.errorFragment(`This lobby is full: it already has ${max} players. Try another lobby.`));
        peer.close(CLOSE_POLICY, 'lobby is full');
        return;
      }
      this.stopLeaving(peer.userId);
      this.admitted.add(peer);
      this.channel.add(peer);
      if (firstTab) this.hooks.onPresenceChange();
      const [players, log, match] = await Promise.all([lobbies.players(this.id), lobbies.recentLog(this.id), lobbies.loadMatch(this.id)]);
      this.channel.sendTo(peer, new Fragment(render(<LobbySnapshot players={players} log={log} match={match} />)));
      // For this one socket, in its own major (the arena's press form differs).
      this.channel.sendTo(peer, new Fragment(render(<MatchSnapshot match={match} userId={peer.userId} htmx={peer.major} />)));
      await this.match.joined(match);
      if (result === 'joined') await this.publishChange({ kind: 'joined', name: peer.name });
    });
  }

  /** Takes back a socket that stayed open while the lobby's Durable Object hibernated: no snapshot, no announcement. */
  restore(peer: Peer): Promise<void> {
    return this.queue.run(async () => {
      this.admitted.add(peer);
      this.channel.add(peer);
      await this.platform.presence.join(this.topic, { userId: peer.userId, name: peer.name });
      await this.match.joined(await this.platform.lobbies.loadMatch(this.id));
    });
  }

  /** A Durable Object woken by its alarm: a match whose clock stopped with the object (evicted) carries on. */
  resumeMatch(): Promise<void> {
    return this.queue.run(async () => this.match.joined(await this.platform.lobbies.loadMatch(this.id)));
  }

  /** SPEC §3: the player list and the user's next lines show the new name at once; earlier lines keep theirs. */
  private async rename({ userId, name }: Rename): Promise<void> {
    const peers = [...this.admitted].filter((peer) => peer.userId === userId);
    if (peers.length === 0) return;
    for (const peer of peers) peer.rename(name);
    const { presence, lobbies, hub } = this.platform;
    await presence.rename(this.topic, userId, name);
    if (!(await lobbies.rename(this.id, userId, name))) return;
    const players = await lobbies.players(this.id);
    await hub.publish(this.topic, 'players', render(<PlayerRegions players={players} match={await lobbies.loadMatch(this.id)} />));
  }

  receive(peer: Peer, input: SocketInput): Promise<void> {
    if (!this.admitted.has(peer)) return Promise.resolve();
    if (input.action !== undefined && input.message !== undefined) {
      return this.fail(peer, 'Send either a "message" or an "action" field, not both.');
    }
    if (input.action !== undefined) {
      if (input.action === 'press') {
        return this.match.press(peer.userId).then((refusal) => {
          if (refusal) this.channel.sendTo(peer, this.errorFragment(refusal));
        });
      }
      if (input.action !== 'ready') return this.fail(peer, 'The "action" field must be "ready" or "press".');
      return this.queue.run(async () => {
        const refusal = await this.match.readyRefusal();
        if (refusal) return void this.channel.sendTo(peer, this.errorFragment(refusal));
        const player = await this.platform.lobbies.toggleReady(this.id, peer.userId);
        if (player) await this.publishChange({ kind: player.ready ? 'ready' : 'unready', name: player.name });
      });
    }
    const text = readMessageText(input, this.platform.config.limits);
    if (!text.ok) return this.fail(peer, text.error);
    return this.say(peer.name, text.value).then(() => {
      this.channel.sendTo(peer, this.errorFragment(''));
    });
  }

  leave(peer: Peer): Promise<void> {
    this.channel.delete(peer);
    // Queued behind this socket's own join, which may not have run yet.
    return this.queue.run(async () => {
      this.channel.delete(peer);
      if (this.admitted.delete(peer) && (await this.platform.presence.leave(this.topic, peer.userId))) {
        this.hooks.onPresenceChange();
        this.startLeaving(peer.userId);
      }
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
    this.match.dispose();
    this.unrename();
    if (this.sweep !== undefined) clearTimeout(this.sweep);
    for (const timer of this.leaving.values()) clearTimeout(timer);
    this.leaving.clear();
  }

  /** Every local tab of one user (a match's note for that player). */
  private sendToUser(userId: string, fragment: Fragment): void {
    for (const peer of this.admitted) if (peer.userId === userId) this.channel.sendTo(peer, fragment);
  }

  private fail(peer: Peer, text: string): Promise<void> {
    this.channel.sendTo(peer, this.errorFragment(text));
    return Promise.resolve();
  }

  /** Lobby chat: kept in the lobby's log, then appended to every `#chat-log`. */
  private say(name: string, text: string): Promise<void> {
    return this.queue.run(async () => {
      const { lobbies, hub, config, stats } = this.platform;
      if ((await lobbies.players(this.id)).length === 0) return;
      const { line, droppedId } = await lobbies.appendLog(this.id, { kind: 'message', name, text }, config.historyLimit);
      stats.messages++;
      await hub.publish(this.topic, 'message', render(<LogAppend line={line} droppedId={droppedId} />));
    });
  }

  /** The last tab of a player closed: they leave unless they come back within the grace period. */
  private startLeaving(userId: string): void {
    // On shutdown the sockets close with 1012 and the clients come back: that is not leaving.
    if (this.platform.closing.aborted) return;
    this.stopLeaving(userId);
    const timer = setTimeout(() => {
      this.leaving.delete(userId);
      this.queue.run(() => this.finishLeaving(userId)).catch((error) => console.error('lobby leave failed', error));
    }, this.platform.config.lobbyGraceMs);
    this.leaving.set(userId, timer);
  }

  private stopLeaving(userId: string): void {
    const timer = this.leaving.get(userId);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.leaving.delete(userId);
  }

  private async finishLeaving(userId: string): Promise<void> {
    const { presence, lobbies, closing } = this.platform;
    if (closing.aborted) return;
    const back = (await presence.list(this.topic)).some((entry) => entry.userId === userId);
    const player: LobbyPlayer | null = back ? null : await lobbies.leave(this.id, userId);
    if (player) await this.publishChange({ kind: 'left', name: player.name });
    if (this.isEmpty) this.hooks.onEmpty();
  }

  /**
   * Cluster mode, after Redis was away (perhaps restarted empty): this instance's players are
   * put back, and every socket here gets a fresh snapshot.
   */
  private async resync(): Promise<void> {
    if (this.admitted.size === 0) return;
    const { lobbies, config } = this.platform;
    for (const peer of new Map([...this.admitted].map((p) => [p.userId, p])).values()) {
      await lobbies.join(this.id, { userId: peer.userId, name: peer.name }, config.limits.maxLobbyPlayers);
    }
    const [players, log, match] = await Promise.all([lobbies.players(this.id), lobbies.recentLog(this.id), lobbies.loadMatch(this.id)]);
    this.channel.broadcast(new Fragment(render(<LobbySnapshot players={players} log={log} match={match} />)));
    this.channel.broadcast(renderPerMajor((htmx) => <ArenaSnapshot match={match} htmx={htmx} />));
    await this.match.joined(match);
  }

  /**
   * Cluster mode: another instance died with players on it. Players no longer present anywhere
   * leave; `lobbies.leave` is atomic, so of all the instances that notice, one announces it.
   */
  private async dropAbsentPlayers(): Promise<void> {
    // Only a healthy cluster's presence is complete; while degraded it lists this instance's users alone.
    if (this.platform.closing.aborted || this.platform.health().status !== 'ok') return;
    const present = new Set((await this.platform.presence.list(this.topic)).map((entry) => entry.userId));
    for (const player of await this.platform.lobbies.players(this.id)) {
      if (present.has(player.userId) || this.leaving.has(player.userId)) continue;
      const gone = await this.platform.lobbies.leave(this.id, player.userId);
      if (gone) await this.publishChange({ kind: 'left', name: gone.name });
    }
  }

  /** One message to every player: the player list, the game status and the log line, rendered once. */
  private async publishChange(line: NewLogLine): Promise<void> {
    const { lobbies, hub, config } = this.platform;
    const players = await lobbies.players(this.id);
    if (players.length === 0) return this.match.changed(players, null);
    const match = await lobbies.loadMatch(this.id);
    const appended = await lobbies.appendLog(this.id, line, config.historyLimit);
    await hub.publish(this.topic, 'lobby', render(<LobbyUpdate players={players} line={appended.line} droppedId={appended.droppedId} match={match} />));
    await this.match.changed(players, match);
  }
}
