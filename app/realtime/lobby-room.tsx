import type { RoomPlatform } from '../ports/platform.ts';
import { render } from '../../components/render.ts';
import { ArenaSnapshot, LobbySnapshot, LobbyUpdate, LogAppend, MatchSnapshot, PlayerRegions } from '../../components/Lobby.tsx';
import { Fragment } from '../ports/fragment.ts';
import type { LobbyPlayer, NewLogLine } from '../ports/lobby-state.ts';
import { LobbyMatch } from './lobby-match.ts';
import { renderPerMajor } from './per-major.tsx';
import type { Peer } from './peer.ts';
import type { PresenceChange } from '../ports/presence.ts';
import { readMessageText, type SocketInput } from './socket-input.ts';
import { CLOSE_POLICY } from './socket-session.ts';
import { Room, type RoomHooks } from './room.tsx';
import type { RoomEvent } from '../ports/room-fanout.ts';

export const lobbyTopic = (lobby: string) => `lobby:${lobby}`;

/** `onPresenceChange`: a user's first tab joined or last tab left (the home page's live list changed). */
export type LobbyRoomHooks = RoomHooks;

/**
 * One lobby's local sockets (SPEC §4.3). Players are users, not sockets: a user's first tab joins,
 * their last tab leaves once `lobbyGraceMs` has passed without them coming back. Players and ready
 * flags live in `platform.lobbies`; every change is rendered once and published on the room's line.
 */
export class LobbyRoom extends Room {
  readonly fields = ['message', 'action'] as const;
  private sweep: ReturnType<typeof setTimeout> | undefined;
  /** Users whose last tab closed, by user id, until the grace period ends. */
  private readonly leaving = new Map<string, ReturnType<typeof setTimeout>>();
  /** The lobby's match (SPEC §4.3.1) as this room takes part in it. */
  private readonly match: LobbyMatch;

  constructor(
    readonly id: string,
    platform: RoomPlatform,
    hooks: LobbyRoomHooks,
  ) {
    super(id, lobbyTopic(id), platform, hooks);
    this.match = new LobbyMatch(id, platform, this.line);
    // Players the lobby's state still lists but nobody holds any more: in cluster mode those of an
    // instance that died while no one else was in this lobby; in a Durable Object those of an object
    // evicted with sockets open (its SQL kept them). Once any real leaver's grace period is over,
    // whoever is absent everywhere is gone. One process keeps lobbies in memory: it finds nobody.
    this.sweep = setTimeout(() => this.peopleChanged('crash'), platform.config.lobbyGraceMs + 100);
    (this.sweep as { unref?: () => void }).unref?.();
  }

  override get isEmpty(): boolean {
    return this.admitted.size === 0 && this.leaving.size === 0;
  }

  protected deliver(event: RoomEvent): void {
    if (event.event.startsWith('note:')) return this.sendToUser(event.event.slice(5), event.fragment);
    this.match.observe(event.event);
    this.channel.broadcast(event.fragment);
  }

  protected async admit(peer: Peer): Promise<void> {
    const { lobbies, presence, config } = this.platform;
    const max = config.limits.maxLobbyPlayers;
    // Present before a player: another instance's sweep (dropAbsentPlayers) must never find a new player absent.
    const firstTab = await presence.join(this.topic, { userId: peer.userId, name: peer.name });
    const result = await lobbies.join(this.id, { userId: peer.userId, name: peer.name }, max);
    if (result === 'full') {
      await presence.leave(this.topic, peer.userId);
      this.tell(peer, `This lobby is full: it already has ${max} players. Try another lobby.`);
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
  }

  /** A socket taken back (a Durable Object that woke up): a match recorded as running carries on here. */
  protected override async adopted(): Promise<void> {
    await this.match.joined(await this.platform.lobbies.loadMatch(this.id));
  }

  /** A Durable Object woken by its alarm: a match whose clock stopped with the object (evicted) carries on. */
  resumeMatch(): Promise<void> {
    return this.line.run(() => this.adopted());
  }

  /** SPEC §3: the player list and the user's next lines show the new name at once; earlier lines keep theirs. */
  protected async renamed(userId: string, name: string): Promise<void> {
    const { lobbies } = this.platform;
    if (!(await lobbies.rename(this.id, userId, name))) return;
    const players = await lobbies.players(this.id);
    await this.publish('players', render(<PlayerRegions players={players} match={await lobbies.loadMatch(this.id)} />));
  }

  receive(peer: Peer, input: SocketInput): Promise<void> {
    if (!this.admitted.has(peer)) return Promise.resolve();
    if (input.action !== undefined && input.message !== undefined) {
      return this.fail(peer, 'Send either a "message" or an "action" field, not both.');
    }
    if (input.action !== undefined) {
      if (input.action === 'press') {
        return this.match.press(peer.userId).then((refusal) => {
          if (refusal) this.tell(peer, refusal);
        });
      }
      if (input.action !== 'ready') return this.fail(peer, 'The "action" field must be "ready" or "press".');
      return this.line.run(async () => {
        const refusal = await this.match.readyRefusal();
        if (refusal) return this.tell(peer, refusal);
        const player = await this.platform.lobbies.toggleReady(this.id, peer.userId);
        if (player) await this.publishChange({ kind: player.ready ? 'ready' : 'unready', name: player.name });
      });
    }
    const text = readMessageText(input, this.platform.config.limits);
    if (!text.ok) return this.fail(peer, text.error);
    return this.say(peer.name, text.value).then(() => this.tell(peer, ''));
  }

  protected async lastTabLeft(peer: Peer): Promise<void> {
    this.hooks.onPresenceChange();
    this.startLeaving(peer.userId);
  }

  override dispose(): void {
    super.dispose();
    this.match.dispose();
    if (this.sweep !== undefined) clearTimeout(this.sweep);
    for (const timer of this.leaving.values()) clearTimeout(timer);
    this.leaving.clear();
  }

  /** Every local tab of one user (a match's note for that player). */
  private sendToUser(userId: string, fragment: Fragment): void {
    for (const peer of this.admitted) if (peer.userId === userId) this.channel.sendTo(peer, fragment);
  }

  private fail(peer: Peer, text: string): Promise<void> {
    this.tell(peer, text);
    return Promise.resolve();
  }

  /** Lobby chat: kept in the lobby's log, then appended to every `#chat-log`. */
  private say(name: string, text: string): Promise<void> {
    return this.line.run(async () => {
      const { lobbies, config, stats } = this.platform;
      if ((await lobbies.players(this.id)).length === 0) return;
      const { line, droppedId } = await lobbies.appendLog(this.id, { kind: 'message', name, text }, config.historyLimit);
      stats.messages++;
      await this.publish('message', render(<LogAppend line={line} droppedId={droppedId} />));
    });
  }

  /** The last tab of a player closed: they leave unless they come back within the grace period. */
  private startLeaving(userId: string): void {
    // On shutdown the sockets close with 1012 and the clients come back: that is not leaving.
    if (this.platform.closing.aborted) return;
    this.stopLeaving(userId);
    const timer = setTimeout(() => {
      this.leaving.delete(userId);
      this.line.run(() => this.finishLeaving(userId)).catch((error) => console.error('lobby leave failed', error));
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
  protected resync(): Promise<void> {
    return this.line.run(async () => {
      if (this.admitted.size === 0) return;
      const { lobbies, config } = this.platform;
      for (const peer of new Map([...this.admitted].map((p) => [p.userId, p])).values()) {
        await lobbies.join(this.id, { userId: peer.userId, name: peer.name }, config.limits.maxLobbyPlayers);
      }
      const [players, log, match] = await Promise.all([lobbies.players(this.id), lobbies.recentLog(this.id), lobbies.loadMatch(this.id)]);
      this.channel.broadcast(new Fragment(render(<LobbySnapshot players={players} log={log} match={match} />)));
      this.channel.broadcast(renderPerMajor((htmx) => <ArenaSnapshot match={match} htmx={htmx} />));
      await this.match.joined(match);
    });
  }

  /**
   * Cluster mode: another instance died with players on it. Players no longer present anywhere
   * leave; `lobbies.leave` is atomic, so of all the instances that notice, one announces it.
   */
  protected peopleChanged(cause: PresenceChange): void {
    if (cause !== 'crash') return;
    this.line.run(() => this.dropAbsentPlayers()).catch(this.log('dropping players'));
  }

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
    const { lobbies, config } = this.platform;
    const players = await lobbies.players(this.id);
    if (players.length === 0) return this.match.changed(players, null);
    const match = await lobbies.loadMatch(this.id);
    const appended = await lobbies.appendLog(this.id, line, config.historyLimit);
    await this.publish('lobby', render(<LobbyUpdate players={players} line={appended.line} droppedId={appended.droppedId} match={match} />));
    await this.match.changed(players, match);
  }
}
