import { addressKey } from '../identity-limit.ts';
import type { IdentityLimiter } from '../ports/limits.ts';
import { ConfigError, type Config } from '../config.ts';
import { keys } from './keys.ts';
import type { Stats } from '../realtime/stats.ts';
import { RedisLink, type HealthReport } from './link.ts';
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

/** Everything cluster mode swaps in for the single-process parts, built on one pair of connections. */
export interface Cluster {
  store: RedisStore;
  hub: RedisHub;
  presence: RedisPresence;
  rateLimits: RedisRateLimits;
  connectionLimits: RedisConnectionLimits;
  /** New identities per client address, counted in Redis so every instance shares one bucket per address. */
  identityLimiter: IdentityLimiter;
  lobbies: RedisLobbyState;
  mutex: RedisMutex;
  membership: RedisMembership;
  usedTokens: RedisUsedTokens;
  /** Live instances: how many answer a control order. */
  instances(): Promise<number>;
  matches: RedisMatchCoordinator;
  health(): HealthReport;
  /** SESSION_SECRET, or one generated once and shared through Redis so every instance accepts every cookie. */
  sessionSecret(): Promise<string>;
  /** Takes this instance's users out of presence, then closes the connections. */
  close(): Promise<void>;
}

/** Runtime-free: Node and Deno platforms both call this when REDIS_URL is set. */
export async function openCluster(config: Config, stats: Stats): Promise<Cluster> {
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
  return {
    store,
    hub,
    presence,
    rateLimits,
    connectionLimits: new RedisConnectionLimits(link, presence.instanceId, config.maxConnectionsPerUser, 24 * 3600),
    // The same token bucket as message rates, under `sb:rate:mint:ADDRESS`.
    identityLimiter: { take: (address) => perMinute === 0 || mints.forConnection(`mint:${addressKey(address)}`).take() },
    lobbies: new RedisLobbyState(link),
    mutex: new RedisMutex(link, ROOM_LOCK_LEASE_MS, ROOM_LOCK_WAIT_MS),
    membership: new RedisMembership(link, limits.maxRoomMembers),
    usedTokens: new RedisUsedTokens(link),
    instances: () => liveInstances(link),
    matches: new RedisMatchCoordinator(link, MATCH_LEASE_MS),
    health: () => link.health(),
    async sessionSecret() {
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
    },
    async close() {
      await presence.retire();
      await link.close();
    },
  };
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
