import { createClient, type InArgs } from '@libsql/client';
import { SqlLobbyState } from '../../app/store/sql-lobby-state.ts';
import { lobbyStateContract } from '../helpers/lobby-state-contract.ts';

// The Durable Object's lobby state, run here over libSQL: the same SQLite statements.
lobbyStateContract('SqlLobbyState', () => {
  const db = createClient({ url: ':memory:' });
  return SqlLobbyState.open(async (sql, args = []) => (await db.execute({ sql, args: args as InArgs })).rows);
});
