import type { JoinResult, LobbyLogLine, LobbyPlayer, LobbyState, MatchRecord, NewLogLine } from '../ports/lobby-state.ts';
import type { Row, SqlArgs } from './sql-store.ts';

/** Runs one statement and returns its rows. */
export type SqlRunner = (sql: string, args?: SqlArgs) => Promise<Row[]>;

/** Created on open; not part of the Node schema, where lobbies live in memory. */
export const LOBBY_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS lobby_players (
     lobby TEXT NOT NULL, user_id TEXT NOT NULL, name TEXT NOT NULL,
     ready INTEGER NOT NULL DEFAULT 0, seq INTEGER NOT NULL,
     PRIMARY KEY (lobby, user_id))`,
  `CREATE TABLE IF NOT EXISTS lobby_log (
     id INTEGER PRIMARY KEY AUTOINCREMENT, lobby TEXT NOT NULL,
     kind TEXT NOT NULL, name TEXT NOT NULL, text TEXT)`,
  `CREATE TABLE IF NOT EXISTS lobby_match (lobby TEXT PRIMARY KEY, record TEXT NOT NULL)`,
];

const toPlayer = (row: Row): LobbyPlayer => ({ userId: String(row.user_id), name: String(row.name), ready: Number(row.ready) === 1 });

const toLine = (row: Row): LobbyLogLine =>
  row.kind === 'message' || row.kind === 'match'
    ? { id: Number(row.id), kind: row.kind, name: String(row.name), text: String(row.text) }
    : { id: Number(row.id), kind: String(row.kind) as Exclude<LobbyLogLine['kind'], 'message' | 'match'>, name: String(row.name) };

/**
 * LobbyState in SQLite, for a lobby's Durable Object: players, ready flags and the log survive
 * hibernation. Statements run one after another in the object, which makes `join` atomic there.
 */
export class SqlLobbyState implements LobbyState {
  /** `run` must reach a database where LOBBY_SCHEMA has been applied; `open` applies it. */
  constructor(private readonly run: SqlRunner) {}

  static async open(run: SqlRunner): Promise<SqlLobbyState> {
    for (const statement of LOBBY_SCHEMA) await run(statement);
    return new SqlLobbyState(run);
  }

  async join(lobby: string, player: { userId: string; name: string }, maxPlayers: number): Promise<JoinResult> {
    const [existing] = await this.run('SELECT 1 FROM lobby_players WHERE lobby = ? AND user_id = ?', [lobby, player.userId]);
    if (existing) return 'returned';
    const [count] = await this.run('SELECT COUNT(*) AS n, COALESCE(MAX(seq), 0) AS seq FROM lobby_players WHERE lobby = ?', [lobby]);
    if (Number(count!.n) >= maxPlayers) return 'full';
    await this.run('INSERT INTO lobby_players (lobby, user_id, name, seq) VALUES (?, ?, ?, ?)', [lobby, player.userId, player.name, Number(count!.seq) + 1]);
    return 'joined';
  }

  async leave(lobby: string, userId: string): Promise<LobbyPlayer | null> {
    const [row] = await this.run('DELETE FROM lobby_players WHERE lobby = ? AND user_id = ? RETURNING user_id, name, ready', [lobby, userId]);
    if (!row) return null;
    const [left] = await this.run('SELECT 1 FROM lobby_players WHERE lobby = ? LIMIT 1', [lobby]);
    if (!left) {
      await this.run('DELETE FROM lobby_log WHERE lobby = ?', [lobby]);
      await this.run('DELETE FROM lobby_match WHERE lobby = ?', [lobby]);
    }
    return toPlayer(row);
  }

  async toggleReady(lobby: string, userId: string): Promise<LobbyPlayer | null> {
    const [row] = await this.run('UPDATE lobby_players SET ready = 1 - ready WHERE lobby = ? AND user_id = ? RETURNING user_id, name, ready', [lobby, userId]);
    return row ? toPlayer(row) : null;
  }

  async rename(lobby: string, userId: string, name: string): Promise<boolean> {
    return (await this.run('UPDATE lobby_players SET name = ? WHERE lobby = ? AND user_id = ? RETURNING user_id', [name, lobby, userId])).length > 0;
  }

  async players(lobby: string): Promise<LobbyPlayer[]> {
    return (await this.run('SELECT user_id, name, ready FROM lobby_players WHERE lobby = ? ORDER BY seq', [lobby])).map(toPlayer);
  }

  async appendLog(lobby: string, line: NewLogLine, keep: number): Promise<{ line: LobbyLogLine; droppedId: number | null }> {
    const text = line.kind === 'message' || line.kind === 'match' ? line.text : null;
    const [row] = await this.run('INSERT INTO lobby_log (lobby, kind, name, text) VALUES (?, ?, ?, ?) RETURNING id', [lobby, line.kind, line.name, text]);
    const dropped = await this.run(
      'DELETE FROM lobby_log WHERE lobby = ? AND id <= (SELECT id FROM lobby_log WHERE lobby = ? ORDER BY id DESC LIMIT 1 OFFSET ?) RETURNING id',
      [lobby, lobby, keep],
    );
    const droppedId = dropped.length ? Math.max(...dropped.map((d) => Number(d.id))) : null;
    return { line: { ...line, id: Number(row!.id) } as LobbyLogLine, droppedId };
  }

  async recentLog(lobby: string): Promise<LobbyLogLine[]> {
    return (await this.run('SELECT id, kind, name, text FROM lobby_log WHERE lobby = ? ORDER BY id', [lobby])).map(toLine);
  }

  async unreadyAll(lobby: string): Promise<LobbyPlayer[]> {
    await this.run('UPDATE lobby_players SET ready = 0 WHERE lobby = ?', [lobby]);
    return this.players(lobby);
  }

  async saveMatch(lobby: string, match: MatchRecord | null): Promise<void> {
    if (!match) {
      await this.run('DELETE FROM lobby_match WHERE lobby = ?', [lobby]);
      return;
    }
    const [anyone] = await this.run('SELECT 1 FROM lobby_players WHERE lobby = ? LIMIT 1', [lobby]);
    if (anyone) await this.run('INSERT OR REPLACE INTO lobby_match (lobby, record) VALUES (?, ?)', [lobby, JSON.stringify(match)]);
  }

  async loadMatch(lobby: string): Promise<MatchRecord | null> {
    const [row] = await this.run('SELECT record FROM lobby_match WHERE lobby = ?', [lobby]);
    return row ? (JSON.parse(String(row.record)) as MatchRecord) : null;
  }
}
