/**
 * Who plays in each lobby, their ready flags and the lobby's recent log (SPEC §4.3). The routes and
 * components only see this interface: in one process it is `LocalLobbyState`; the Workers and Redis
 * platforms keep the same data in a Durable Object or in Redis.
 */
export interface LobbyPlayer {
  userId: string;
  name: string;
  ready: boolean;
}

/** One line of a lobby's `#chat-log`; `id` increases within a lobby. */
export type LobbyLogLine =
  | { id: number; kind: 'joined' | 'left' | 'ready' | 'unready'; name: string }
  | { id: number; kind: 'message'; name: string; text: string }
  /** A line of the match (SPEC §4.3.1): `name` is its heading (`Round 2`), `text` the result. */
  | { id: number; kind: 'match'; name: string; text: string };

/** One player of a running match and their points. */
export interface MatchPlayer {
  userId: string;
  name: string;
  points: number;
}

/**
 * The part of a running match every instance may need (snapshots, takeover in cluster mode). The
 * moments of a round (who pressed when) stay with the clock that measures them.
 */
export interface MatchRecord {
  players: MatchPlayer[];
  /** 0 during the countdown, then 1…rounds. */
  round: number;
  rounds: number;
  phase: 'countdown' | 'wait' | 'go';
  /** What `#game-status` shows now. */
  status: string;
}

export type NewLogLine = LobbyLogLine extends infer L ? (L extends LobbyLogLine ? Omit<L, 'id'> : never) : never;

/** `joined`: a new player; `returned`: already a player (another tab, or back within the grace period). */
export type JoinResult = 'joined' | 'returned' | 'full';

export interface LobbyState {
  /** Makes the user a player unless they are one already or the lobby holds `maxPlayers`; atomic. */
  join(lobby: string, player: { userId: string; name: string }, maxPlayers: number): Promise<JoinResult>;
  /** Removes a player and returns them, or null when they were not one. An empty lobby is forgotten. */
  leave(lobby: string, userId: string): Promise<LobbyPlayer | null>;
  /** Flips a player's ready flag and returns the player, or null when they are not one. */
  toggleReady(lobby: string, userId: string): Promise<LobbyPlayer | null>;
  /** Gives a player a new display name (SPEC §3: a rename shows everywhere at once); false when they are not one. */
  rename(lobby: string, userId: string, name: string): Promise<boolean>;
  /** The players in the order they joined. */
  players(lobby: string): Promise<LobbyPlayer[]>;
  /** Appends a line, keeping the newest `keep`; returns it and the id of the line that fell out. */
  appendLog(lobby: string, line: NewLogLine, keep: number): Promise<{ line: LobbyLogLine; droppedId: number | null }>;
  /** The kept lines, oldest first. */
  recentLog(lobby: string): Promise<LobbyLogLine[]>;
  /** Sets every player Not Ready (after a match) and returns the players. */
  unreadyAll(lobby: string): Promise<LobbyPlayer[]>;
  /** Keeps (or with null forgets) the lobby's running match; a lobby with no players keeps none. */
  saveMatch(lobby: string, match: MatchRecord | null): Promise<void>;
  loadMatch(lobby: string): Promise<MatchRecord | null>;
}
