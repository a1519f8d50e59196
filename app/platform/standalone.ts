import type { Context, Hono, MiddlewareHandler } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { WSContext, WSEvents } from 'hono/ws';
import { createApp } from '../app.tsx';
import { ConfigError, readConfig, type Config } from '../config.ts';
import type { IdentityEnv } from '../identity.ts';
import type { SocketTransport, SocketUpgrade } from '../ports/transport.ts';
import { Stats } from '../realtime/stats.ts';
import { QueuedWriter } from '../realtime/sse-stream.ts';
import type { Platform } from '../ports/platform.ts';
import { openState, type OpenDatabase } from './state.ts';

/**
 * What Node and Deno share: one long-running process whose state `openState` chooses (libSQL and
 * in-process fan-out, or with `REDIS_URL` Redis shared by every instance, SPEC §7).
 */

export const CLOSE_RESTARTING = 1012;
/** SPEC §6 asks for exit within 5 s; keep a margin for the runtime's own teardown. */
export const SHUTDOWN_DEADLINE_MS = 4500;

/** hono's `upgradeWebSocket`, in the one form the app uses: per-connection events from the request. */
export type RuntimeUpgrade = (createEvents: (c: Context<any>) => WSEvents<any> | Promise<WSEvents<any>>) => MiddlewareHandler<any>;

/** The runtime's upgrade, with each socket adapted to the core's transport when it opens. */
export function socketUpgrade(upgrade: RuntimeUpgrade, transport: (ws: WSContext<any>) => SocketTransport): SocketUpgrade {
  return (createEvents) =>
    upgrade((c) => {
      const events = createEvents(c);
      return {
        onOpen: (_event, ws) => events.onOpen(transport(ws)),
        onMessage: (event) => events.onMessage(event.data),
        onClose: () => events.onClose(),
      };
    });
}

/** The pieces only the runtime can provide. */
export interface RuntimeBindings {
  upgradeWebSocket: RuntimeUpgrade;
  /** Adapts a runtime's socket to the core's transport (send accounting, close). */
  socketTransport(ws: WSContext<any>): SocketTransport;
  serveStatic: MiddlewareHandler;
  streamEvents: Platform['streamEvents'];
  peerAddress: Platform['peerAddress'];
  sessionSecretFile?: string;
  /** The single-process database (not used in cluster mode). */
  openDatabase: OpenDatabase;
}

export interface StandaloneApp {
  app: Hono<IdentityEnv>;
  platform: Platform;
  /** Ends streams and rooms, waits for every accepted message, then closes hub and storage. */
  stop(): Promise<void>;
}

export async function buildStandaloneApp(config: Config, runtime: RuntimeBindings): Promise<StandaloneApp> {
  const stats = new Stats();
  const lifecycle = new AbortController();
  const state = await openState(config, stats, lifecycle.signal, runtime.openDatabase, runtime.sessionSecretFile);
  const { close, ...shared } = state;
  const platform: Platform = {
    config,
    ...shared,
    stats,
    upgradeWebSocket: socketUpgrade(runtime.upgradeWebSocket, runtime.socketTransport),
    serveStatic: runtime.serveStatic,
    streamEvents: runtime.streamEvents,
    peerAddress: runtime.peerAddress,
    random: Math.random,
    closing: lifecycle.signal,
  };
  const { app, drain } = createApp(platform);
  const stop = async () => {
    lifecycle.abort();
    await drain();
    await close();
  };
  return { app, platform, stop };
}

/** SSE through Hono's `streamSSE` (a web stream): the runtimes without a path of their own. */
export const honoEventStream: Platform['streamEvents'] = (c, _headers, run) => streamSSE(c, (stream) => run(new QueuedWriter(stream)));

/** Reads the environment; a bad value prints one line naming it and returns null. */
export function configOrNull(env: Record<string, string | undefined>): Config | null {
  try {
    return readConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`switchboard: ${error.message}`);
      return null;
    }
    throw error;
  }
}

/** Starts the server; a configuration problem found while starting (e.g. in cluster mode) prints one line and exits 1. */
export async function startOrExit<T>(start: () => Promise<T>, exit: (code: number) => never): Promise<T> {
  try {
    return await start();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`switchboard: ${error.message}`);
      return exit(1);
    }
    throw error;
  }
}

/** SIGTERM/SIGINT: shut down within the deadline, then exit 0 (or 1 when it failed or hung). */
export function stopOnSignal(signal: string, shutdown: () => Promise<void>, exit: (code: number) => void): void {
  console.log(`${signal}: closing sockets and storage`);
  const deadline = setTimeout(() => {
    console.error('shutdown took too long; exiting');
    exit(1);
  }, SHUTDOWN_DEADLINE_MS);
  shutdown().then(
    () => {
      clearTimeout(deadline);
      exit(0);
    },
    (error) => {
      console.error('shutdown failed:', error);
      exit(1);
    },
  );
}

/** The address to print for a listen host: the wildcard is shown as localhost. */
export function shownUrl(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return `http://${shown}:${port}`;
}
