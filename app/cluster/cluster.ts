import { addressKey } from '../identity-limit.ts';
import type { ModeBackend } from '../ports/platform.ts';
import { ConfigError, type Config } from '../config.ts';
import { CONTROL_WAIT_MS, HubConnectionControl, LocalConnections } from '../auth/connections.ts';
import { ListenedHistory } from '../realtime/history-cache.tsx';
import { publishRename } from '../realtime/renames.ts';
import { HubFanout } from '../realtime/room-fanout.ts';
import type { Stats } from '../realtime/stats.ts';
import { UserNames } from '../user-cache.ts';
import { keys } from './keys.ts';
import { RedisLink } from './link.ts';
import { RedisHub } from './redis-hub.ts';
import { RedisLobbyState } from './redis-lobby-state.ts';
import { RedisMatchCoordinator } from './redis-match-coordinator.ts';
import { RedisMutex } from './redis-mutex.ts';
import { RedisPresence } from './redis-presence.ts';
import { RedisRateLimits } from './redis-rate-limit.ts';
import { RedisConnectionLimits } from './redis-connection-limits.ts';
import { RedisStore } from './redis-store.ts';
import { liveInstances, RedisMembership, RedisUsedTokens } from './redis-membership.ts';

/** How long start-up waits for Redis before serving degraded (and recovering when it appears). */
const CONNECT_WAIT_MS = 5000;
/** A room's store-and-publish lock: how long a holder may keep it, and how long others wait for it. */
const ROOM_LOCK_LEASE_MS = 2000;
const ROOM_LOCK_WAIT_MS = 3000;
/** A lobby's match clock lease: a dead holder's match is taken over within about this long. */
const MATCH_LEASE_MS = 2000;

/**
 * Cluster mode's backend (Node and Deno with REDIS_URL, SPEC §7), built on one pair of connections:
 * storage, fan-out, presence, lobbies, limits and locks in Redis, shared by every instance.
 */
export async function openCluster(config: Config, stats: Stats): Promise<ModeBackend> {
  const { limits } = config;
  const link = new RedisLink(config.redisUrl!, limits.redisRetryMaxMs);
  // Registration order is recovery order: presence is rewritten before rooms resend snapshots.
  const presence = new RedisPresence(link, config.clusterInstanceTtlMs);
  const hub = new RedisHub(link, limits.sseRingSize, limits.clusterTopicTtlSeconds, () => stats.broadcastRenders++, {
    ringSize: limits.clusterCatchUpEvents,
    ttlSeconds: limits.clusterCatchUpTtlSeconds,
  });
  const store = new RedisStore(link, limits);
  const rateLimits = new RedisRateLimits(link, limits.rateBurst, limits.ratePerSecond);
  const perMinute = config.newIdentitiesPerMinute;
  const mints = new RedisRateLimits(link, perMinute, perMinute / 60);
  if (!(await link.ready(CONNECT_WAIT_MS))) {
    console.error(`redis: ${redactUrl(config.redisUrl!)} is unreachable; serving degraded until it answers`);
  }
  const mutex = new RedisMutex(link, ROOM_LOCK_LEASE_MS, ROOM_LOCK_WAIT_MS);
  const locks = { exclusive: <T>(name: string, work: () => Promise<T>) => mutex.run(name, work) };
  const connections = new LocalConnections();
  return {
    store,
    // Other instances write too: a room's history is kept while its line hears the room here; names are read each time.
    history: new ListenedHistory(store, config.historyLimit),
    names: new UserNames(store, false),
    hub,
    // Other instances hold sockets of the same rooms: events go through Redis, messages under the room's lock.
    fanout: new HubFanout(hub, locks.exclusive),
    presence,
    rateLimits,
    connectionLimits: new RedisConnectionLimits(link, presence.instanceId, config.maxConnectionsPerUser, 24 * 3600),
    // The same token bucket as message rates, under `sb:rate:mint:ADDRESS`.
    identityLimiter: { take: (address) => perMinute === 0 || mints.forConnection(`mint:${addressKey(address)}`).take() },
    lobbies: new RedisLobbyState(link),
    locks,
    membership: new RedisMembership(link, limits.maxRoomMembers),
    usedTokens: new RedisUsedTokens(link),
    connections,
    control: new HubConnectionControl(hub, connections, () => liveInstances(link).catch(() => 1), CONTROL_WAIT_MS),
    matches: new RedisMatchCoordinator(link, MATCH_LEASE_MS),
    health: () => link.health(),
    // Every instance records metrics: pushed series are read from Redis each time, and one
    // instance at a time measures, compares and stores the built-in ones.
    metrics: {
      pushed: (points) => store.metricSeries(points),
      refreshBuiltIn: (_inMemory, shared) => mutex.run('dashboard:built-in', shared),
    },
    // Every room and lobby on every instance follows the `renames` topic through Redis.
    announceRename: (userId, name) => publishRename(hub, userId, name),
    sessionSecret: await sessionSecret(config, link),
    async close() {
      await hub.close();
      await presence.retire();
      await link.close();
    },
  };
}

/** SESSION_SECRET, or one generated once and shared through Redis so every instance accepts every cookie. */
async function sessionSecret(config: Config, link: RedisLink): Promise<string> {
  if (config.sessionSecret) return config.sessionSecret;
  const fresh = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');
  try {
    await link.commands.set(keys.sessionSecret, fresh, 'NX');
    const shared = await link.commands.get(keys.sessionSecret);
    if (shared) return shared;
  } catch {
    // Reported below: without Redis there is no shared secret to read.
  }
  throw new ConfigError('SESSION_SECRET is not set and Redis is unreachable to share a generated one; set SESSION_SECRET');
}

/** The URL without its password, for logs. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'REDIS_URL';
  }
}
