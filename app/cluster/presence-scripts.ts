import { LuaScript } from './lua.ts';

/**
 * Presence in Redis: per topic a hash of "INSTANCE|USER" -> name. A field counts only while its
 * instance's liveness key exists, so users of a crashed instance drop out when the key expires.
 * ARGV[1] of the read scripts is the liveness key prefix.
 */
const LIVE_USERS = `
local function live_users(hash, alive_prefix, alive)
  local fields = redis.call('HGETALL', hash)
  local seen, users = {}, {}
  for i = 1, #fields, 2 do
    local sep = string.find(fields[i], '|', 1, true)
    local instance, user = string.sub(fields[i], 1, sep - 1), string.sub(fields[i], sep + 1)
    if alive[instance] == nil then alive[instance] = redis.call('EXISTS', alive_prefix .. instance) == 1 end
    if alive[instance] and not seen[user] then
      seen[user] = true
      users[#users + 1] = user
      users[#users + 1] = fields[i + 1]
    end
  end
  return users
end
local function elsewhere(hash, user, self, alive_prefix)
  for _, field in ipairs(redis.call('HKEYS', hash)) do
    local sep = string.find(field, '|', 1, true)
    local instance = string.sub(field, 1, sep - 1)
    if string.sub(field, sep + 1) == user and instance ~= self and redis.call('EXISTS', alive_prefix .. instance) == 1 then return 1 end
  end
  return 0
end
`;

/** KEYS: presence hash, topics set, instance topics. ARGV: alive prefix, instance, user, name, topic. Returns 1 if the user is on another live instance. */
export const JOIN = new LuaScript(
  `${LIVE_USERS}
   redis.call('HSET', KEYS[1], ARGV[2] .. '|' .. ARGV[3], ARGV[4])
   redis.call('SADD', KEYS[2], ARGV[5])
   redis.call('SADD', KEYS[3], ARGV[5])
   return elsewhere(KEYS[1], ARGV[3], ARGV[2], ARGV[1])`,
  3,
);

/** KEYS: presence hash, topics set. ARGV: alive prefix, instance, user, topic. Returns 1 if the user is still on another live instance. */
export const LEAVE = new LuaScript(
  `${LIVE_USERS}
   redis.call('HDEL', KEYS[1], ARGV[2] .. '|' .. ARGV[3])
   if redis.call('HLEN', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], ARGV[4]) end
   return elsewhere(KEYS[1], ARGV[3], ARGV[2], ARGV[1])`,
  2,
);

/** KEYS: presence hash. ARGV: alive prefix. Returns user, name, user, name… */
export const LIST = new LuaScript(`${LIVE_USERS} return live_users(KEYS[1], ARGV[1], {})`, 1);

/** KEYS: topics set. ARGV: alive prefix, presence prefix. Returns topic, count, topic, count… */
export const COUNTS = new LuaScript(
  `${LIVE_USERS}
   local alive, counts = {}, {}
   for _, topic in ipairs(redis.call('SMEMBERS', KEYS[1])) do
     local users = live_users(ARGV[2] .. topic, ARGV[1], alive)
     if #users > 0 then
       counts[#counts + 1] = topic
       counts[#counts + 1] = #users / 2
     elseif redis.call('EXISTS', ARGV[2] .. topic) == 0 then
       redis.call('SREM', KEYS[1], topic)
     end
   end
   return counts`,
  1,
);

/**
 * Refreshes this instance's liveness key. KEYS: alive key, instances set. ARGV: instance, ttl ms.
 * Returns 0 when the key had expired: others may have reaped this instance, so it must rebuild.
 */
export const HEARTBEAT = new LuaScript(
  `local existed = redis.call('EXISTS', KEYS[1])
   redis.call('SET', KEYS[1], '1', 'PX', ARGV[2])
   redis.call('SADD', KEYS[2], ARGV[1])
   return existed`,
  2,
);

/**
 * Replaces everything this instance has in presence with ARGV[5..] (topic, user, name triples).
 * KEYS: instances set, topics set. ARGV: instance, alive prefix, instance topics prefix, presence prefix.
 * Returns every topic whose people may have changed.
 */
export const REBUILD = new LuaScript(
  `local instance, topics_key = ARGV[1], ARGV[3] .. ARGV[1]
   local changed = {}
   for _, topic in ipairs(redis.call('SMEMBERS', topics_key)) do
     local hash = ARGV[4] .. topic
     for _, field in ipairs(redis.call('HKEYS', hash)) do
       if string.sub(field, 1, #instance + 1) == instance .. '|' then redis.call('HDEL', hash, field) end
     end
     if redis.call('HLEN', hash) == 0 then redis.call('SREM', KEYS[2], topic) end
     changed[topic] = true
   end
   redis.call('DEL', topics_key)
   for i = 5, #ARGV, 3 do
     redis.call('HSET', ARGV[4] .. ARGV[i], instance .. '|' .. ARGV[i + 1], ARGV[i + 2])
     redis.call('SADD', KEYS[2], ARGV[i])
     redis.call('SADD', topics_key, ARGV[i])
     changed[ARGV[i]] = true
   end
   local list = {}
   for topic in pairs(changed) do list[#list + 1] = topic end
   return list`,
  2,
);

/**
 * Removes the presence of every instance whose liveness key has expired and announces each
 * topic that changed. KEYS: instances set, topics set. ARGV: alive prefix, instance topics
 * prefix, presence prefix, change channel. Runs atomically, so two reapers never double-announce.
 */
export const REAP = new LuaScript(
  `local changed = {}
   for _, instance in ipairs(redis.call('SMEMBERS', KEYS[1])) do
     if redis.call('EXISTS', ARGV[1] .. instance) == 0 then
       local topics_key = ARGV[2] .. instance
       for _, topic in ipairs(redis.call('SMEMBERS', topics_key)) do
         local hash = ARGV[3] .. topic
         for _, field in ipairs(redis.call('HKEYS', hash)) do
           if string.sub(field, 1, #instance + 1) == instance .. '|' then
             redis.call('HDEL', hash, field)
             changed[topic] = true
           end
         end
         if redis.call('HLEN', hash) == 0 then redis.call('SREM', KEYS[2], topic) end
       end
       redis.call('DEL', topics_key)
       redis.call('SREM', KEYS[1], instance)
     end
   end
   local list = {}
   for topic in pairs(changed) do
     list[#list + 1] = topic
     redis.call('PUBLISH', ARGV[4], topic)
   end
   return list`,
  2,
);
