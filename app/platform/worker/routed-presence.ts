import type { JoinResult, LobbyLogLine, LobbyPlayer, LobbyState, NewLogLine, MatchRecord } from '../../ports/lobby-state.ts';
import type { Presence, PresenceEntry } from '../../ports/presence.ts';
import { ROOMS_TOPIC } from '../../realtime/room-list.tsx';
import { roomObject, topicObject, type WorkerEnv } from './env.ts';

/**
 * Presence seen from the Worker: a room's or lobby's from its object (changed only there, where the
 * sockets are), any other topic's (`online`) from its topic object, the counts of all from `rooms`.
 */
export class RoutedPresence implements Presence {
  /** `keep` holds the request open until a change has reached its object, even after the client left; the caller handles failures. */
  constructor(
    private readonly env: WorkerEnv,
    private readonly keep: (work: Promise<unknown>) => void = () => {},
  ) {}

  private room(topic: string) {
    const [kind, name] = topic.split(':') as [string, string];
    return kind === 'chat' || kind === 'lobby' ? roomObject(this.env, kind, name) : null;
  }

  async join(topic: string, entry: PresenceEntry): Promise<boolean> {
    if (this.room(topic)) throw new Error(`presence of ${topic} changes only inside its room object, where the sockets are`);
    const joined = topicObject(this.env, topic).presenceJoin(topic, entry);
    this.keep(joined.catch(() => {}));
    return joined;
  }
  async leave(topic: string, userId: string): Promise<boolean> {
    if (this.room(topic)) throw new Error(`presence of ${topic} changes only inside its room object, where the sockets are`);
    const left = topicObject(this.env, topic).presenceLeave(topic, userId);
    this.keep(left.catch(() => {}));
    return left;
  }
  async rename(topic: string, userId: string, name: string): Promise<void> {
    if (this.room(topic)) throw new Error(`presence of ${topic} changes only inside its room object, where the sockets are`);
    await topicObject(this.env, topic).presenceRename(topic, userId, name);
  }
  list(topic: string): Promise<PresenceEntry[]> {
    return this.room(topic)?.presenceList(topic) ?? topicObject(this.env, topic).presenceList(topic);
  }
  async count(topic: string): Promise<number> {
    return (await this.list(topic)).length;
  }
  counts(): Promise<Map<string, number>> {
    return topicObject(this.env, ROOMS_TOPIC).counts();
  }
  /** Presence changes only through its objects' own joins and leaves: nothing to watch from a request. */
  watch(): () => void {
    return () => {};
  }
}

/** Lobby state seen from the Worker (the lobby page): read from the lobby's object, changed only inside it. */
export class RoutedLobbyState implements LobbyState {
  constructor(private readonly env: WorkerEnv) {}

  private unavailable(lobby: string): never {
    throw new Error(`lobby ${lobby} changes only inside its room object, where the sockets are`);
  }

  async join(lobby: string, _player: { userId: string; name: string }, _max: number): Promise<JoinResult> {
    this.unavailable(lobby);
  }
  async leave(lobby: string, _userId: string): Promise<LobbyPlayer | null> {
    this.unavailable(lobby);
  }
  async toggleReady(lobby: string, _userId: string): Promise<LobbyPlayer | null> {
    this.unavailable(lobby);
  }
  async rename(lobby: string, _userId: string, _name: string): Promise<boolean> {
    this.unavailable(lobby);
  }
  async appendLog(lobby: string, _line: NewLogLine, _keep: number): Promise<{ line: LobbyLogLine; droppedId: number | null }> {
    this.unavailable(lobby);
  }
  players(lobby: string): Promise<LobbyPlayer[]> {
    return roomObject(this.env, 'lobby', lobby).lobbyPlayers(lobby);
  }
  recentLog(lobby: string): Promise<LobbyLogLine[]> {
    return roomObject(this.env, 'lobby', lobby).lobbyLog(lobby);
  }
  async unreadyAll(lobby: string): Promise<LobbyPlayer[]> {
    this.unavailable(lobby);
  }
  async saveMatch(lobby: string, _match: MatchRecord | null): Promise<void> {
    this.unavailable(lobby);
  }
  loadMatch(lobby: string): Promise<MatchRecord | null> {
    return roomObject(this.env, 'lobby', lobby).lobbyMatch(lobby);
  }
}
