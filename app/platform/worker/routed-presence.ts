import type { JoinResult, LobbyLogLine, LobbyPlayer, LobbyState, NewLogLine, MatchRecord } from '../../ports/lobby-state.ts';
import type { Presence, PresenceEntry } from '../../ports/presence.ts';
import { ROOMS_TOPIC } from '../../realtime/room-list.tsx';
import { roomObject, topicObject, type WorkerEnv } from './env.ts';
import { callLobby, callPresence } from './object-calls.ts';

/**
 * Presence seen from the Worker: a room's or lobby's from its object (where its sockets join and
 * leave), any other topic's (`online`: users with an open stream) from its topic object, the counts
 * of all from `rooms`.
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

  join(topic: string, entry: PresenceEntry): Promise<boolean> {
    const room = this.room(topic);
    const joined = room ? callPresence(room, 'join', topic, entry) : topicObject(this.env, topic).presenceJoin(topic, entry);
    this.keep(joined.catch(() => {}));
    return joined;
  }
  leave(topic: string, userId: string): Promise<boolean> {
    const room = this.room(topic);
    const left = room ? callPresence(room, 'leave', topic, userId) : topicObject(this.env, topic).presenceLeave(topic, userId);
    this.keep(left.catch(() => {}));
    return left;
  }
  async rename(topic: string, userId: string, name: string): Promise<void> {
    const room = this.room(topic);
    if (room) await callPresence(room, 'rename', topic, userId, name);
    else await topicObject(this.env, topic).presenceRename(topic, userId, name);
  }
  list(topic: string): Promise<PresenceEntry[]> {
    const room = this.room(topic);
    return room ? callPresence(room, 'list', topic) : topicObject(this.env, topic).presenceList(topic);
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

/** Lobby state seen from the Worker (the lobby page): kept by the lobby's object, every call answered there. */
export class RoutedLobbyState implements LobbyState {
  constructor(private readonly env: WorkerEnv) {}

  private lobby(lobby: string) {
    return roomObject(this.env, 'lobby', lobby);
  }

  join(lobby: string, player: { userId: string; name: string }, max: number): Promise<JoinResult> {
    return callLobby(this.lobby(lobby), 'join', lobby, player, max);
  }
  leave(lobby: string, userId: string): Promise<LobbyPlayer | null> {
    return callLobby(this.lobby(lobby), 'leave', lobby, userId);
  }
  toggleReady(lobby: string, userId: string): Promise<LobbyPlayer | null> {
    return callLobby(this.lobby(lobby), 'toggleReady', lobby, userId);
  }
  rename(lobby: string, userId: string, name: string): Promise<boolean> {
    return callLobby(this.lobby(lobby), 'rename', lobby, userId, name);
  }
  players(lobby: string): Promise<LobbyPlayer[]> {
    return callLobby(this.lobby(lobby), 'players', lobby);
  }
  appendLog(lobby: string, line: NewLogLine, keep: number): Promise<{ line: LobbyLogLine; droppedId: number | null }> {
    return callLobby(this.lobby(lobby), 'appendLog', lobby, line, keep);
  }
  recentLog(lobby: string): Promise<LobbyLogLine[]> {
    return callLobby(this.lobby(lobby), 'recentLog', lobby);
  }
  unreadyAll(lobby: string): Promise<LobbyPlayer[]> {
    return callLobby(this.lobby(lobby), 'unreadyAll', lobby);
  }
  saveMatch(lobby: string, match: MatchRecord | null): Promise<void> {
    return callLobby(this.lobby(lobby), 'saveMatch', lobby, match);
  }
  loadMatch(lobby: string): Promise<MatchRecord | null> {
    return callLobby(this.lobby(lobby), 'loadMatch', lobby);
  }
}
