import type { Context, MiddlewareHandler } from 'hono';
import type { Config } from '../config.ts';
import type { Connections, ConnectionControl, Membership, UsedTokens } from './access.ts';
import type { Counters } from './counters.ts';
import type { Hub } from './hub.ts';
import type { ConnectionLimits, IdentityLimiter, RateLimits } from './limits.ts';
import type { LobbyState } from './lobby-state.ts';
import type { MatchCoordinator } from './match.ts';
import type { Presence } from './presence.ts';
import type { Histories, Names } from './read-caches.ts';
import type { RoomFanout } from './room-fanout.ts';
import type { MetricPoint, Store } from './store.ts';
import type { EventWriter, SocketUpgrade } from './transport.ts';

/**
 * The ports the app owns, composed: what the runtime-free app needs from the mode (local, cluster,
 * Durable Objects) and the runtime (Node, Deno, workerd) it runs on. Every member is required and
 * every mode implements it; a feature takes only the slice it uses (`Pick<Platform, …>`).
 */

/**
 * Locks: `exclusive` runs work while no other instance runs work under the same name (cluster mode:
 * a Redis mutex; where one process or object is the only writer it runs the work directly, as a
 * room's own queue already orders one process).
 */
export interface Locks {
  exclusive<T>(name: string, work: () => Promise<T>): Promise<T>;
}

export type HealthReport = { status: 'ok' } | { status: 'degraded'; [dependency: string]: string };

/**
 * The dashboard's series, where the mode keeps them. One process (or the Workers `dashboard`
 * object): read once, then kept in memory by the board, and built-in metrics measured here. Cluster
 * mode: every instance records, so pushed series are read from the shared store every time and the
 * built-in ones are measured, compared and stored by one instance at a time.
 */
export interface MetricSeries {
  /**
   * Per pushed metric name, its newest `points` values, oldest first. One process: the same map
   * every time, which the board keeps current as it records; cluster mode: read afresh.
   */
  pushed(points: number): Promise<Map<string, MetricPoint[]>>;
  /** Runs a refresh of the built-in metrics: `inMemory` in one process, `shared` (under a lock) in cluster mode. */
  refreshBuiltIn(inMemory: () => Promise<void>, shared: () => Promise<void>): Promise<void>;
}

export interface Platform {
  config: Config;
  sessionSecret: string;
  store: Store;
  /** Rooms' recent history, kept in memory as far as the mode allows (see read-caches.ts). */
  history: Histories;
  /** Display names, kept in memory as far as the mode allows. */
  names: Names;
  hub: Hub;
  /** How a room's events reach its sockets and what orders its work: straight in one process or object, through the hub in cluster mode. */
  fanout: RoomFanout;
  presence: Presence;
  /** Lobby players and ready flags: real-time state that lives wherever the mode keeps it. */
  lobbies: LobbyState;
  /** The counters behind GET /metrics. */
  stats: Counters;
  /** Private rooms and their members (SPEC §9). */
  membership: Membership;
  /** Host-token ids already exchanged for a session (single-use tokens). */
  usedTokens: UsedTokens;
  /** Ends a user's connections on every instance and object (member removal, `POST /api/users/:user/disconnect`). */
  control: ConnectionControl;
  /** This process's sockets and streams by user, where the control plane finds them. */
  connections: Connections;
  /** Message limiters, one bucket per user across all of their sockets (SPEC §6). */
  rateLimits: RateLimits;
  /** MAX_CONNECTIONS_PER_USER across sockets and streams (and instances). */
  connectionLimits: ConnectionLimits;
  locks: Locks;
  /** Who runs each lobby's match clock (one process: the lobby's own room, in memory; cluster mode: a lease in Redis). */
  matches: MatchCoordinator;
  /** The draw of each GO delay (SPEC §4.3.1): Math.random; tests pin it. */
  random: () => number;
  /** Cluster mode reports degraded while Redis is unreachable; storage while it cannot write. */
  health(): HealthReport;
  /** The dashboard's series (see MetricSeries). */
  metrics: MetricSeries;
  /** Delivers a rename to every room and lobby that holds a socket of the user (SPEC §3). */
  announceRename(userId: string, name: string): Promise<unknown>;
  /** The socket peer's address as the runtime reports it (see `clientAddress` in forwarded.ts). */
  peerAddress(c: Context): string | undefined;
  /** New identities per client address (SPEC §6). */
  identityLimiter: IdentityLimiter;
  /** The runtime's WebSocket upgrade, its sockets adapted to the core's `SocketTransport`. */
  upgradeWebSocket: SocketUpgrade;
  serveStatic: MiddlewareHandler;
  /**
   * Serves an SSE response by running `run` with a writer: on Node the response itself (no
   * TransformStream between the app and the socket), elsewhere Hono's `streamSSE`.
   */
  streamEvents(c: Context<any>, headers: Record<string, string>, run: (writer: EventWriter) => Promise<void>): Response | Promise<Response>;
  /** Aborted when the process begins shutting down: streams end, rooms stop taking work. */
  closing: AbortSignal;
}

/** What a room needs wherever it runs: in the process on Node/Deno, inside its Durable Object on Workers. */
export type RoomPlatform = Pick<Platform, 'config' | 'store' | 'history' | 'hub' | 'fanout' | 'presence' | 'lobbies' | 'stats' | 'closing' | 'rateLimits' | 'locks' | 'health' | 'matches' | 'random'>;

/**
 * What a mode supplies (one file each: `platform/local.ts` for one process, `cluster/cluster.ts` for
 * Redis; Durable Objects build theirs in `platform/worker.ts` and the objects). The runtime adds
 * the rest (sockets, static files, SSE, the shutdown signal).
 */
export type ModeBackend = Pick<
  Platform,
  | 'sessionSecret' | 'store' | 'history' | 'names' | 'hub' | 'fanout' | 'presence' | 'lobbies' | 'rateLimits' | 'health' | 'locks' | 'matches'
  | 'identityLimiter' | 'membership' | 'usedTokens' | 'control' | 'connections' | 'connectionLimits' | 'metrics' | 'announceRename'
> & {
  /** After every accepted message is stored: closes the hub and storage (and leaves the cluster). */
  close(): Promise<void>;
};
