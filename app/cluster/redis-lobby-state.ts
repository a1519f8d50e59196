import type { JoinResult, LobbyLogLine, LobbyPlayer, LobbyState, MatchRecord, NewLogLine } from '../ports/lobby-state.ts';
import type { RedisLink } from './link.ts';
import { LuaScript } from './lua.ts';

/**
 * A lobby in Redis: `players` hash of userId -> "R|name" (R is 1 when ready), `order` sorted set
 * of userIds by join number, `log` list of "ID\nJSON" lines, two counters and `match` (the running
 * match's record as JSON). An empty lobby's keys are all deleted. Scripts take the six keys in this order.
 */
const lobbyKeys = (lobby: string) => ['players', 'order', 'log', 'joins', 'lines', 'match'].map((part) => `sb:lobby:${lobby}:${part}`);

const JOIN = new LuaScript(
  `if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return 'returned' end
   if redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 'full' end
   redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[4]), ARGV[1])
   redis.call('HSET', KEYS[1], ARGV[1], '0|' .. ARGV[2])
   return 'joined'`,
  6,
);

const LEAVE = new LuaScript(
  `local player = redis.call('HGET', KEYS[1], ARGV[1])
   if not player then return false end
   redis.call('HDEL', KEYS[1], ARGV[1])
   redis.call('ZREM', KEYS[2], ARGV[1])
   if redis.call('HLEN', KEYS[1]) == 0 then redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]) end
   return player`,
  6,
);

const TOGGLE = new LuaScript(
  `local player = redis.call('HGET', KEYS[1], ARGV[1])
   if not player then return false end
   local flipped = (string.sub(player, 1, 1) == '1' and '0' or '1') .. string.sub(player, 2)
   redis.call('HSET', KEYS[1], ARGV[1], flipped)
   return flipped`,
  6,
);

const RENAME = new LuaScript(
  `local player = redis.call('HGET', KEYS[1], ARGV[1])
   if not player then return 0 end
   redis.call('HSET', KEYS[1], ARGV[1], string.sub(player, 1, 2) .. ARGV[2])
   return 1`,
  6,
);

const PLAYERS = new LuaScript(
  `local out = {}
   for _, user in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
     local player = redis.call('HGET', KEYS[1], user)
     if player then out[#out + 1] = user; out[#out + 1] = player end
   end
   return out`,
  6,
);

/** Returns {id, droppedId or ""}; refuses a lobby with no players, as its log would never be cleaned up. */
const APPEND = new LuaScript(
  `if redis.call('HLEN', KEYS[1]) == 0 then return redis.error_reply('lobby has no players to log for') end
   local id = string.format('%d', redis.call('INCR', KEYS[5]))
   redis.call('RPUSH', KEYS[3], id .. '\\n' .. ARGV[1])
   local keep, dropped = tonumber(ARGV[2]), ''
   local excess = redis.call('LLEN', KEYS[3]) - keep
   if excess > 0 then
     dropped = string.match(redis.call('LINDEX', KEYS[3], excess - 1), '^(%d+)')
     redis.call('LTRIM', KEYS[3], excess, -1)
   end
   return {id, dropped}`,
  6,
);

const UNREADY_ALL = new LuaScript(
  `local all = redis.call('HGETALL', KEYS[1])
   for i = 1, #all, 2 do redis.call('HSET', KEYS[1], all[i], '0' .. string.sub(all[i + 1], 2)) end
   return #all / 2`,
  6,
);

/** Keeps the match record only while the lobby has players, so it is deleted with them. */
const SAVE_MATCH = new LuaScript(
  `if ARGV[1] == '' then return redis.call('DEL', KEYS[6]) end
   if redis.call('HLEN', KEYS[1]) == 0 then return 0 end
   redis.call('SET', KEYS[6], ARGV[1])
   return 1`,
  6,
);

function toPlayer(userId: string, value: string): LobbyPlayer {
  return { userId, name: value.slice(2), ready: value.startsWith('1') };
}

/** Lobby state shared by every instance of a cluster (SPEC §4.3, §7); each change is one atomic script. */
export class RedisLobbyState implements LobbyState {
  constructor(private readonly link: RedisLink) {}

  async join(lobby: string, player: { userId: string; name: string }, maxPlayers: number): Promise<JoinResult> {
    return (await JOIN.run(this.link.commands, lobbyKeys(lobby), [player.userId, player.name, maxPlayers])) as JoinResult;
  }

  async leave(lobby: string, userId: string): Promise<LobbyPlayer | null> {
    const value = (await LEAVE.run(this.link.commands, lobbyKeys(lobby), [userId])) as string | null;
    return value ? toPlayer(userId, value) : null;
  }

  async toggleReady(lobby: string, userId: string): Promise<LobbyPlayer | null> {
    const value = (await TOGGLE.run(this.link.commands, lobbyKeys(lobby), [userId])) as string | null;
    return value ? toPlayer(userId, value) : null;
  }

  async rename(lobby: string, userId: string, name: string): Promise<boolean> {
    return (await RENAME.run(this.link.commands, lobbyKeys(lobby), [userId, name])) === 1;
  }

  async players(lobby: string): Promise<LobbyPlayer[]> {
    const flat = (await PLAYERS.run(this.link.commands, lobbyKeys(lobby))) as string[];
    const players: LobbyPlayer[] = [];
    for (let i = 0; i < flat.length; i += 2) players.push(toPlayer(flat[i]!, flat[i + 1]!));
    return players;
  }

  async appendLog(lobby: string, line: NewLogLine, keep: number): Promise<{ line: LobbyLogLine; droppedId: number | null }> {
    const [id, dropped] = (await APPEND.run(this.link.commands, lobbyKeys(lobby), [JSON.stringify(line), keep])) as [string, string];
    return { line: { ...line, id: Number(id) } as LobbyLogLine, droppedId: dropped ? Number(dropped) : null };
  }

  async recentLog(lobby: string): Promise<LobbyLogLine[]> {
    const entries = await this.link.commands.lrange(lobbyKeys(lobby)[2]!, 0, -1);
    return entries.map((entry) => {
      const at = entry.indexOf('\n');
      return { ...(JSON.parse(entry.slice(at + 1)) as NewLogLine), id: Number(entry.slice(0, at)) } as LobbyLogLine;
    });
  }

  async unreadyAll(lobby: string): Promise<LobbyPlayer[]> {
    await UNREADY_ALL.run(this.link.commands, lobbyKeys(lobby));
    return this.players(lobby);
  }

  async saveMatch(lobby: string, match: MatchRecord | null): Promise<void> {
    await SAVE_MATCH.run(this.link.commands, lobbyKeys(lobby), [match ? JSON.stringify(match) : '']);
  }

  async loadMatch(lobby: string): Promise<MatchRecord | null> {
    const value = await this.link.commands.get(lobbyKeys(lobby)[5]!);
    return value ? (JSON.parse(value) as MatchRecord) : null;
  }
}
