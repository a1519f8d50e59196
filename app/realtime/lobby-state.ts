import type { JoinResult, LobbyLogLine, LobbyPlayer, LobbyState, MatchRecord, NewLogLine } from '../ports/lobby-state.ts';

interface LobbyRecord {
  players: Map<string, LobbyPlayer>;
  log: LobbyLogLine[];
  lastLogId: number;
  match: MatchRecord | null;
}

export class LocalLobbyState implements LobbyState {
  private readonly lobbies = new Map<string, LobbyRecord>();

  async join(lobby: string, player: { userId: string; name: string }, maxPlayers: number): Promise<JoinResult> {
    let record = this.lobbies.get(lobby);
    if (record?.players.has(player.userId)) return 'returned';
    if (record && record.players.size >= maxPlayers) return 'full';
    if (!record) this.lobbies.set(lobby, (record = { players: new Map(), log: [], lastLogId: 0, match: null }));
    record.players.set(player.userId, { userId: player.userId, name: player.name, ready: false });
    return 'joined';
  }

  async rename(lobby: string, userId: string, name: string): Promise<boolean> {
    const player = this.lobbies.get(lobby)?.players.get(userId);
    if (player) player.name = name;
    return !!player;
  }

  async leave(lobby: string, userId: string): Promise<LobbyPlayer | null> {
    const record = this.lobbies.get(lobby);
    const player = record?.players.get(userId);
    if (!record || !player) return null;
    record.players.delete(userId);
    if (record.players.size === 0) this.lobbies.delete(lobby);
    return { ...player };
  }

  async toggleReady(lobby: string, userId: string): Promise<LobbyPlayer | null> {
    const player = this.lobbies.get(lobby)?.players.get(userId);
    if (!player) return null;
    player.ready = !player.ready;
    return { ...player };
  }

  async players(lobby: string): Promise<LobbyPlayer[]> {
    return [...(this.lobbies.get(lobby)?.players.values() ?? [])].map((player) => ({ ...player }));
  }

  async appendLog(lobby: string, line: NewLogLine, keep: number): Promise<{ line: LobbyLogLine; droppedId: number | null }> {
    const record = this.lobbies.get(lobby);
    if (!record) throw new Error(`lobby ${lobby} has no players to log for`);
    const stored = { ...line, id: ++record.lastLogId } as LobbyLogLine;
    record.log.push(stored);
    const dropped = record.log.length > keep ? record.log.splice(0, record.log.length - keep) : [];
    return { line: stored, droppedId: dropped.length ? dropped[dropped.length - 1]!.id : null };
  }

  async recentLog(lobby: string): Promise<LobbyLogLine[]> {
    return [...(this.lobbies.get(lobby)?.log ?? [])];
  }

  async unreadyAll(lobby: string): Promise<LobbyPlayer[]> {
    for (const player of this.lobbies.get(lobby)?.players.values() ?? []) player.ready = false;
    return this.players(lobby);
  }

  async saveMatch(lobby: string, match: MatchRecord | null): Promise<void> {
    const record = this.lobbies.get(lobby);
    if (record) record.match = match ? structuredClone(match) : null;
  }

  async loadMatch(lobby: string): Promise<MatchRecord | null> {
    const match = this.lobbies.get(lobby)?.match;
    return match ? structuredClone(match) : null;
  }
}
