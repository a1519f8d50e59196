import type { Context, MiddlewareHandler } from 'hono';
import type { WSContext, WSEvents } from 'hono/ws';
import type { Config } from '../config.ts';
import type { IdentityLimiter } from '../identity-limit.ts';
import type { Hub } from '../realtime/hub.ts';
import type { LobbyState } from '../realtime/lobby-state.ts';
import type { MatchCoordinator } from '../realtime/match-coordinator.ts';
import type { SocketTransport } from '../realtime/peer.ts';
import type { Presence } from '../realtime/presence.ts';
import type { ConnectionLimits } from '../realtime/connection-limits.ts';
import type { RateLimits } from '../realtime/rate-limit.ts';
import type { EventWriter } from '../realtime/sse-stream.ts';
import type { Stats } from '../realtime/stats.ts';
import type { Store } from '../store/store.ts';
import type { Membership } from '../auth/membership.ts';
import type { UsedTokens } from '../auth/used-tokens.ts';
import type { ConnectionControl, LocalConnections } from '../auth/connections.ts';

/** The one form of hono's `upgradeWebSocket` the app uses: per-connection events from the request. */
export type SocketUpgrade = (createEvents: (c: Context<any>) => WSEvents<any> | Promise<WSEvents<any>>) => MiddlewareHandler<any>;

/** Everything the runtime-free app needs from the runtime it runs on. */
export interface Platform {
  config: Config;
  sessionSecret: string;
  store: Store;
  hub: Hub;
  presence: Presence;
  /** Lobby players and ready flags: real-time state that lives wherever the platform keeps it. */
  lobbies: LobbyState;
  stats: Stats;
  /** Private rooms and their members (SPEC §9). */
  membership: Membership;
  /** Host-token ids already exchanged for a session (single-use tokens). */
  usedTokens: UsedTokens;
  /** Ends a user's connections on every instance and object (member removal, `POST /api/users/:user/disconnect`). */
  control: ConnectionControl;
  /** This process's sockets and streams by user, where the control plane finds them (unset on the Worker: they live in objects). */
  connections?: LocalConnections;
  /** Message limiters, one bucket per user across all of their sockets (SPEC §6); unset: per user in this process. */
  rateLimits?: RateLimits;
  /** MAX_CONNECTIONS_PER_USER across sockets and streams (and instances); unset: not enforced (Workers, see README). */
  connectionLimits?: ConnectionLimits;
  /**
   * Runs `work` while no other instance runs work under the same name (cluster mode). Unset:
   * runs it directly, as a room's own queue already orders one process.
   */
  exclusive?<T>(name: string, work: () => Promise<T>): Promise<T>;
  /** Who runs each lobby's match clock (cluster mode: a lease in Redis). Unset: the lobby's own room, in memory. */
  matches?: MatchCoordinator;
  /** The draw of each GO delay (SPEC §4.3.1); unset: Math.random. Tests pin it. */
  random?: () => number;
  /** Unset: always healthy. Cluster mode reports degraded while Redis is unreachable. */
  health?(): { status: 'ok' } | { status: 'degraded'; [dependency: string]: string };
  /**
   * Delivers a rename to rooms that do not share the app's hub (Workers: each room object has its
   * own). Unset: the rename is published on the hub's `renames` topic, which every room follows.
   */
  announceRename?(userId: string, name: string): Promise<void>;
  /** The socket peer's address as the runtime reports it (see `clientAddress` in forwarded.ts). */
  peerAddress?(c: Context): string | undefined;
  /** New identities per client address; unset: one in-process table (SPEC §6). */
  identityLimiter?: IdentityLimiter;
  upgradeWebSocket: SocketUpgrade;
  /** Adapts a runtime's socket to the core's transport (send accounting, close). */
  socketTransport(ws: WSContext<any>): SocketTransport;
  serveStatic: MiddlewareHandler;
  /**
   * Serves an SSE response by running `run` with a writer on the runtime's own response, where that
   * beats a web stream (Node: no TransformStream between the app and the socket). Absent, or
   * answering undefined: the app uses Hono's `streamSSE`.
   */
  streamEvents?(c: Context<any>, headers: Record<string, string>, run: (writer: EventWriter) => Promise<void>): Response | undefined;
  /** Aborted when the process begins shutting down: streams end, rooms stop taking work. */
  closing: AbortSignal;
}

/** What a room needs wherever it runs: in the process on Node/Deno, inside its Durable Object on Workers. */
export type RoomPlatform = Pick<Platform, 'config' | 'store' | 'hub' | 'presence' | 'lobbies' | 'stats' | 'closing' | 'rateLimits' | 'exclusive' | 'health' | 'matches' | 'random'>;
