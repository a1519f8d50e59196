import type { ChatMessage, MetricPoint, Notification, NotificationLevel, Store } from '../ports/store.ts';
import type { Limits } from '../config.ts';
import { keys } from './keys.ts';
import type { RedisLink } from './link.ts';
import { LuaScript } from './lua.ts';

/** `countMessagesSince` (messages-today) looks back at most this far. */
export const MESSAGE_COUNT_WINDOW_MS = 48 * 3600 * 1000;
/** Display names remembered per instance, so pages still render for known users during an outage. */
const NAME_CACHE_SIZE = 10_000;

/**
 * Message and notification ids are global and never reused: a new sequence starts from the clock
 * (microseconds, ARGV[1]), so ids stay increasing even after Redis restarted empty and streams
 * that remember an old id do not skip new ones.
 */
const NEXT_ID = `if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SET', KEYS[1], ARGV[1]) end
   local id = string.format('%.0f', redis.call('INCR', KEYS[1]))`;

/** Appends a message under a new id and trims the room to its bound. Entries are "ID\nJSON". */
const ADD_MESSAGE = new LuaScript(
  `${NEXT_ID}
   redis.call('ZADD', KEYS[2], id, id .. '\\n' .. ARGV[2])
   redis.call('ZREMRANGEBYRANK', KEYS[2], 0, -(tonumber(ARGV[4]) + 1))
   redis.call('ZADD', KEYS[3], ARGV[3], id)
   redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. ARGV[5])
   return id`,
  3,
);

/** Sets a name and moves the user between the case-folded name indexes (ASCII folding, like SQLite NOCASE). */
const SET_NAME = new LuaScript(
  `local old = redis.call('HGET', KEYS[1], ARGV[1])
   if old then redis.call('SREM', ARGV[3] .. string.lower(old), ARGV[1]) end
   redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
   redis.call('SADD', ARGV[3] .. string.lower(ARGV[2]), ARGV[1])`,
  1,
);

/** Records a room member (score: when last seen), keeps the newest ARGV[3], and lets an idle room's list expire. */
const ADD_MEMBER = new LuaScript(
  `redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
   redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(tonumber(ARGV[3]) + 1))
   redis.call('EXPIRE', KEYS[1], ARGV[4])`,
  1,
);

/** The members of the room (KEYS[1]) in the name set (KEYS[2]), walking whichever of the two is smaller. */
const MEMBERS_NAMED = new LuaScript(
  `local found = {}
   if redis.call('SCARD', KEYS[2]) <= redis.call('ZCARD', KEYS[1]) then
     for _, id in ipairs(redis.call('SMEMBERS', KEYS[2])) do
       if redis.call('ZSCORE', KEYS[1], id) then table.insert(found, id) end
     end
   else
     for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
       if redis.call('SISMEMBER', KEYS[2], id) == 1 then table.insert(found, id) end
     end
   end
   return found`,
  2,
);

/** Newest first, trimmed to the bound. Entries are "ID\nJSON". */
const ADD_NOTIFICATION = new LuaScript(
  `${NEXT_ID}
   redis.call('LPUSH', KEYS[2], id .. '\\n' .. ARGV[2])
   redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[3]) - 1)
   return id`,
  2,
);

const entryId = (entry: string) => Number(entry.slice(0, entry.indexOf('\n')));

const UNREAD = new LuaScript(
  `local read = tonumber(redis.call('GET', KEYS[2]) or '0')
   local n = 0
   for _, entry in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
     if tonumber(string.match(entry, '^(%d+)')) <= read then break end
     n = n + 1
   end
   return n`,
  2,
);

const MARK_READ = new LuaScript(
  `local newest = redis.call('LINDEX', KEYS[1], 0)
   if newest then redis.call('SET', KEYS[2], string.match(newest, '^(%d+)')) end`,
  2,
);

/** Store of cluster mode: everything lives in Redis, bounded per room, per user and per metric. */
export class RedisStore implements Store {
  private readonly names = new Map<string, string>();

  constructor(
    private readonly link: RedisLink,
    private readonly limits: Limits,
  ) {}

  private get redis() {
    return this.link.commands;
  }

  async addMessage(message: Omit<ChatMessage, 'id'>): Promise<ChatMessage> {
    const body = JSON.stringify({ userId: message.userId, name: message.name, text: message.text, at: message.at });
    const id = await ADD_MESSAGE.run(
      this.redis,
      [keys.messageSeq, keys.roomMessages(message.room), keys.messagesByTime],
      [Date.now() * 1000, body, message.at, this.limits.clusterHistoryPerRoom, Date.now() - MESSAGE_COUNT_WINDOW_MS],
    );
    return { ...message, id: Number(id) };
  }

  async recentMessages(room: string, limit: number): Promise<ChatMessage[]> {
    const entries = await this.redis.zrange(keys.roomMessages(room), '+inf', '-inf', 'BYSCORE', 'REV', 'LIMIT', 0, limit);
    return entries.map((entry) => toMessage(room, entry)).reverse();
  }

  async messagesBefore(room: string, beforeId: number, limit: number): Promise<ChatMessage[]> {
    const entries = await this.redis.zrange(keys.roomMessages(room), `(${beforeId}`, '-inf', 'BYSCORE', 'REV', 'LIMIT', 0, limit);
    return entries.map((entry) => toMessage(room, entry)).reverse();
  }

  async messageIdBefore(room: string, id: number, depth: number): Promise<number | null> {
    const [entry] = await this.redis.zrange(keys.roomMessages(room), `(${id}`, '-inf', 'BYSCORE', 'REV', 'LIMIT', depth - 1, 1);
    return entry === undefined ? null : entryId(entry);
  }

  /** Counts over the last MESSAGE_COUNT_WINDOW_MS at most. */
  async countMessagesSince(at: number): Promise<number> {
    return this.redis.zcount(keys.messagesByTime, at, '+inf');
  }

  async setUserName(userId: string, name: string): Promise<void> {
    await SET_NAME.run(this.redis, [keys.users], [userId, name, keys.usersNamedPrefix]);
    this.remember(userId, name);
  }

  /** Falls back to the last name this instance saw, so pages keep rendering while Redis is away. */
  async userName(userId: string): Promise<string | null> {
    try {
      const name = await this.redis.hget(keys.users, userId);
      if (name !== null) this.remember(userId, name);
      return name;
    } catch (error) {
      const known = this.names.get(userId);
      if (known === undefined) throw error;
      return known;
    }
  }

  async userIdsNamed(name: string): Promise<string[]> {
    return this.redis.smembers(keys.usersNamedPrefix + name.replace(/[A-Z]+/g, (s) => s.toLowerCase()));
  }

  async addRoomMember(room: string, userId: string, at: number): Promise<void> {
    await ADD_MEMBER.run(this.redis, [keys.roomParticipants(room)], [userId, at, this.limits.maxRoomParticipants, this.limits.clusterTopicTtlSeconds]);
  }

  async roomMembersNamed(room: string, name: string): Promise<string[]> {
    const key = keys.usersNamedPrefix + name.replace(/[A-Z]+/g, (s) => s.toLowerCase());
    return (await MEMBERS_NAMED.run(this.redis, [keys.roomParticipants(room), key], [])) as string[];
  }

  async addNotification(n: Omit<Notification, 'id' | 'read'>): Promise<Notification> {
    const body = JSON.stringify({ text: n.text, level: n.level, at: n.at });
    const id = await ADD_NOTIFICATION.run(
      this.redis,
      [keys.notificationSeq, keys.notifications(n.userId)],
      [Date.now() * 1000, body, Math.min(this.limits.clusterNotificationsPerUser, this.limits.maxNotificationsPerUser)],
    );
    return { ...n, id: Number(id), read: false };
  }

  async notifications(userId: string, limit: number): Promise<Notification[]> {
    const [entries, readThrough] = await Promise.all([
      this.redis.lrange(keys.notifications(userId), 0, limit - 1),
      this.redis.get(keys.notificationsReadThrough(userId)),
    ]);
    const read = Number(readThrough ?? 0);
    return entries.map((entry) => {
      const id = entryId(entry);
      const body = JSON.parse(entry.slice(entry.indexOf('\n') + 1)) as { text: string; level: NotificationLevel; at: number };
      return { id, userId, text: body.text, level: body.level, at: body.at, read: id <= read };
    });
  }

  async unreadCount(userId: string): Promise<number> {
    return Number(await UNREAD.run(this.redis, [keys.notifications(userId), keys.notificationsReadThrough(userId)]));
  }

  async markAllRead(userId: string): Promise<void> {
    await MARK_READ.run(this.redis, [keys.notifications(userId), keys.notificationsReadThrough(userId)]);
  }

  async addMetric(point: MetricPoint): Promise<void> {
    const key = keys.metric(point.name);
    await this.redis
      .multi()
      .sadd(keys.metricNames, point.name)
      .rpush(key, JSON.stringify(point))
      .ltrim(key, -this.limits.clusterMetricPoints, -1)
      .exec();
  }

  async metricSeries(points: number): Promise<Map<string, MetricPoint[]>> {
    const names = (await this.redis.smembers(keys.metricNames)).sort();
    const pipeline = this.redis.pipeline();
    for (const name of names) pipeline.lrange(keys.metric(name), -points, -1);
    const results = (await pipeline.exec()) ?? [];
    const series = new Map<string, MetricPoint[]>();
    names.forEach((name, i) => {
      const [error, entries] = results[i] ?? [new Error('no reply'), null];
      if (error) throw error;
      const list = (entries as string[]).map((entry) => JSON.parse(entry) as MetricPoint);
      if (list.length > 0) series.set(name, list);
    });
    return series;
  }

  /** The connection belongs to the cluster, which closes it after the hub and presence are done. */
  async close(): Promise<void> {}

  private remember(userId: string, name: string): void {
    this.names.delete(userId);
    this.names.set(userId, name);
    if (this.names.size > NAME_CACHE_SIZE) this.names.delete(this.names.keys().next().value!);
  }
}

function toMessage(room: string, entry: string): ChatMessage {
  const body = JSON.parse(entry.slice(entry.indexOf('\n') + 1)) as Omit<ChatMessage, 'id' | 'room'>;
  return { id: entryId(entry), room, ...body };
}
