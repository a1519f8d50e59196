import type { Config } from '../config.ts';
import { openCluster } from '../cluster/cluster.ts';
import { LocalHub } from '../realtime/hub.ts';
import { LocalLobbyState } from '../realtime/lobby-state.ts';
import { LocalPresence } from '../realtime/presence.ts';
import { reportSizes, type Stats } from '../realtime/stats.ts';
import { LocalConnectionLimits } from '../realtime/connection-limits.ts';
import { PerUserLimits } from '../realtime/rate-limit.ts';
import { LibsqlStore } from '../store/libsql.ts';
import { guardWrites, StorageHealth } from '../store/write-guard.ts';
import type { Platform } from './platform.ts';
import { loadSessionSecret, sessionSecretFileFor } from './session-secret.ts';

type StateKeys = 'sessionSecret' | 'store' | 'hub' | 'presence' | 'lobbies' | 'rateLimits' | 'connections' | 'health' | 'exclusive' | 'identityLimiter';

/** The state half of a long-running platform (Node, Deno), chosen once from the configuration. */
export type PlatformState = Pick<Platform, StateKeys> & {
  /** After every accepted message is stored: closes the hub and storage (and leaves the cluster). */
  close(): Promise<void>;
};

/**
 * One process: libSQL storage and in-memory fan-out, presence and lobbies. With REDIS_URL (SPEC §7):
 * all of it in Redis, shared by every instance, and nothing on this host's disk.
 */
export async function openState(config: Config, stats: Stats, sessionSecretFile?: string): Promise<PlatformState> {
  if (!config.redisUrl) {
    const database = await LibsqlStore.open(config.databaseUrl);
    const storage = new StorageHealth(() => database.probeWrite());
    const store = guardWrites(database, storage);
    const hub = new LocalHub(config.limits.sseRingSize, () => stats.broadcastRenders++, config.limits.maxTopicRings, { maxRingBytes: config.limits.maxRingBytes });
    reportSizes(stats, () => hub.sizes());
    return {
      sessionSecret: loadSessionSecret(config.sessionSecret, sessionSecretFile ?? sessionSecretFileFor(config.databaseUrl)),
      store,
      hub,
      presence: new LocalPresence(),
      lobbies: new LocalLobbyState(),
      rateLimits: new PerUserLimits(config.limits.rateBurst, config.limits.ratePerSecond),
      connections: new LocalConnectionLimits(config.maxConnectionsPerUser),
      health: () => storage.report(),
      async close() {
        await hub.close();
        await store.close();
      },
    };
  }
  const cluster = await openCluster(config, stats);
  return {
    sessionSecret: await cluster.sessionSecret(),
    store: cluster.store,
    hub: cluster.hub,
    presence: cluster.presence,
    lobbies: cluster.lobbies,
    rateLimits: cluster.rateLimits,
    connections: cluster.connections,
    identityLimiter: cluster.identityLimiter,
    health: () => cluster.health(),
    exclusive: (name, work) => cluster.mutex.run(name, work),
    async close() {
      await cluster.hub.close();
      await cluster.close();
    },
  };
}
