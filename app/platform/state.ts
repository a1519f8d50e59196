import type { Config } from '../config.ts';
import { LocalHub } from '../realtime/hub.ts';
import { DirectFanout, HubFanout } from '../realtime/room-fanout.ts';
import { LocalLobbyState } from '../realtime/lobby-state.ts';
import { LocalPresence } from '../realtime/presence.ts';
import { reportSizes, type Stats } from '../realtime/stats.ts';
import { LocalConnectionLimits } from '../realtime/connection-limits.ts';
import { PerUserLimits } from '../realtime/rate-limit.ts';
import { LocalMatchCoordinator } from '../realtime/match-coordinator.ts';
import { InProcessMetricSeries, inProcessLocks } from '../realtime/in-process.ts';
import { publishRename } from '../realtime/renames.ts';
import { HistoryCache, ListenedHistory } from '../realtime/history-cache.tsx';
import { UserNames } from '../user-cache.ts';
import { LocalIdentityLimiter } from '../identity-limit.ts';
import type { SqlStore } from '../store/sql-store.ts';
import { guardWrites, StorageHealth } from '../store/write-guard.ts';
import type { Platform } from '../ports/platform.ts';
import { loadSessionSecret, sessionSecretFileFor } from './session-secret.ts';
import { HubConnectionControl, LocalConnections } from '../auth/connections.ts';
import { SqlMembership } from '../auth/membership.ts';
import { MemoryUsedTokens } from '../auth/used-tokens.ts';

type StateKeys =
  | 'sessionSecret' | 'store' | 'history' | 'names' | 'hub' | 'fanout' | 'presence' | 'lobbies' | 'rateLimits' | 'health' | 'locks' | 'matches' | 'identityLimiter'
  | 'membership' | 'usedTokens' | 'control' | 'connections' | 'connectionLimits' | 'metrics' | 'announceRename';

/** How long a control order waits for instances that do not answer (one that crashed). */
const CONTROL_WAIT_MS = 2000;

/** The state half of a long-running platform (Node, Deno), chosen once from the configuration. */
export type PlatformState = Pick<Platform, StateKeys> & {
  /** After every accepted message is stored: closes the hub and storage (and leaves the cluster). */
  close(): Promise<void>;
};

/** The single-process database, opened the runtime's way: on a storage thread on Node, in-thread on Deno. */
export type OpenDatabase = (url: string) => Promise<SqlStore & { probeWrite(): Promise<void> }>;

/**
 * One process: libSQL storage and in-memory fan-out, presence and lobbies. With REDIS_URL (SPEC §7):
 * all of it in Redis, shared by every instance, and nothing on this host's disk.
 */
/** `closing`: aborted when the process begins shutting down. */
export async function openState(config: Config, stats: Stats, closing: AbortSignal, openDatabase: OpenDatabase, sessionSecretFile?: string): Promise<PlatformState> {
  if (!config.redisUrl) {
    const database = await openDatabase(config.databaseUrl);
    const storage = new StorageHealth(() => database.probeWrite());
    const store = guardWrites(database, storage);
    const hub = new LocalHub(config.limits.sseRingSize, () => stats.broadcastRenders++, config.limits.maxTopicRings, { maxRingBytes: config.limits.maxRingBytes });
    reportSizes(stats, () => hub.sizes());
    const connections = new LocalConnections();
    return {
      membership: new SqlMembership(database.query, config.limits.maxRoomMembers),
      usedTokens: new MemoryUsedTokens(config.limits.maxUsedTokenIds),
      connections,
      control: new HubConnectionControl(hub, connections, async () => 1, CONTROL_WAIT_MS),
      sessionSecret: loadSessionSecret(config.sessionSecret, sessionSecretFile ?? sessionSecretFileFor(config.databaseUrl)),
      store,
      // This process is the only writer: every room's recent history and every name may be kept.
      history: new HistoryCache(store, config.historyLimit),
      names: new UserNames(store, true),
      hub,
      // Every socket of a room is in this process: its events go straight to them, not through the hub.
      fanout: new DirectFanout(closing, () => stats.broadcastRenders++),
      presence: new LocalPresence(),
      lobbies: new LocalLobbyState(),
      rateLimits: new PerUserLimits(config.limits.rateBurst, config.limits.ratePerSecond),
      connectionLimits: new LocalConnectionLimits(config.maxConnectionsPerUser),
      identityLimiter: new LocalIdentityLimiter(config.newIdentitiesPerMinute, config.limits.maxTrackedAddresses),
      health: () => storage.report(),
      locks: inProcessLocks,
      matches: new LocalMatchCoordinator(),
      metrics: new InProcessMetricSeries(store),
      // Every room and lobby of the process follows the hub's `renames` topic.
      announceRename: (userId, name) => publishRename(hub, userId, name),
      async close() {
        await hub.close();
        await store.close();
      },
    };
  }
  // Loaded only in cluster mode: ioredis and the cluster code cost a single process ~25 MB of RSS.
  const { openCluster } = await import('../cluster/cluster.ts');
  const cluster = await openCluster(config, stats);
  const connections = new LocalConnections();
  const locks = { exclusive: <T>(name: string, work: () => Promise<T>) => cluster.mutex.run(name, work) };
  return {
    membership: cluster.membership,
    usedTokens: cluster.usedTokens,
    connections,
    control: new HubConnectionControl(cluster.hub, connections, () => cluster.instances().catch(() => 1), CONTROL_WAIT_MS),
    sessionSecret: await cluster.sessionSecret(),
    store: cluster.store,
    // Other instances write too: a room's history is kept while its line is open here; names are read each time.
    history: new ListenedHistory(cluster.store, config.historyLimit),
    names: new UserNames(cluster.store, false),
    hub: cluster.hub,
    // Other instances hold sockets of the same rooms: events go through Redis, messages under the room's lock.
    fanout: new HubFanout(cluster.hub, locks.exclusive),
    presence: cluster.presence,
    lobbies: cluster.lobbies,
    rateLimits: cluster.rateLimits,
    connectionLimits: cluster.connectionLimits,
    identityLimiter: cluster.identityLimiter,
    health: () => cluster.health(),
    locks,
    matches: cluster.matches,
    // Every instance records metrics: pushed series are read from Redis each time, and one
    // instance at a time measures, compares and stores the built-in ones.
    metrics: {
      pushed: (points) => cluster.store.metricSeries(points),
      refreshBuiltIn: (_inMemory, shared) => cluster.mutex.run('dashboard:built-in', shared),
    },
    // Every room and lobby on every instance follows the `renames` topic through Redis.
    announceRename: (userId, name) => publishRename(cluster.hub, userId, name),
    async close() {
      await cluster.hub.close();
      await cluster.close();
    },
  };
}
