import type { Config } from '../config.ts';
import type { ModeBackend } from '../ports/platform.ts';
import type { Stats } from '../realtime/stats.ts';
import { openLocal, type OpenDatabase } from './local.ts';

export type { OpenDatabase };

/**
 * The mode of a long-running process (Node, Deno), chosen once from the configuration: one process
 * (`local.ts`: libSQL and in-memory fan-out, presence and lobbies) or, with REDIS_URL (SPEC §7),
 * cluster mode (`cluster/cluster.ts`: all of it in Redis, shared by every instance, nothing on
 * this host's disk). `closing` is aborted when the process begins shutting down.
 */
export async function openState(config: Config, stats: Stats, closing: AbortSignal, openDatabase: OpenDatabase, sessionSecretFile?: string): Promise<ModeBackend> {
  if (!config.redisUrl) return openLocal(config, stats, closing, openDatabase, sessionSecretFile);
  // Loaded only in cluster mode: ioredis and the cluster code cost a single process ~25 MB of RSS.
  const { openCluster } = await import('../cluster/cluster.ts');
  return openCluster(config, stats);
}
