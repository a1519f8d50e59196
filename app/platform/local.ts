import type { Config } from '../config.ts';
import type { ModeBackend } from '../ports/platform.ts';
import { CONTROL_WAIT_MS, HubConnectionControl, LocalConnections } from '../auth/connections.ts';
import { SqlMembership } from '../auth/membership.ts';
import { MemoryUsedTokens } from '../auth/used-tokens.ts';
import { LocalIdentityLimiter } from '../identity-limit.ts';
import { LocalConnectionLimits } from '../realtime/connection-limits.ts';
import { HistoryCache } from '../realtime/history-cache.tsx';
import { LocalHub } from '../realtime/hub.ts';
import { InProcessMetricSeries, inProcessLocks } from '../realtime/in-process.ts';
import { LocalLobbyState } from '../realtime/lobby-state.ts';
import { LocalMatchCoordinator } from '../realtime/match-coordinator.ts';
import { LocalPresence } from '../realtime/presence.ts';
import { PerUserLimits } from '../realtime/rate-limit.ts';
import { publishRename } from '../realtime/renames.ts';
import { DirectFanout } from '../realtime/room-fanout.ts';
import { reportSizes, type Stats } from '../realtime/stats.ts';
import type { SqlStore } from '../store/sql-store.ts';
import { guardWrites, StorageHealth } from '../store/write-guard.ts';
import { UserNames } from '../user-cache.ts';
import { loadSessionSecret, sessionSecretFileFor } from './session-secret.ts';

/** The single-process database, opened the runtime's way: on a storage thread on Node, in-thread on Deno. */
export type OpenDatabase = (url: string) => Promise<SqlStore & { probeWrite(): Promise<void> }>;

/**
 * The local mode's backend (Node and Deno without REDIS_URL): libSQL storage, and fan-out, presence,
 * lobbies and limits in this process's memory. This process is the only writer of all of it.
 * `closing`: aborted when the process begins shutting down.
 */
export async function openLocal(config: Config, stats: Stats, closing: AbortSignal, openDatabase: OpenDatabase, sessionSecretFile?: string): Promise<ModeBackend> {
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
    // The only writer: every room's recent history and every name may be kept.
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
