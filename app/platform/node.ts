import { serve, upgradeWebSocket, type ServerType } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import type { WSContext } from 'hono/ws';
import { createApp } from '../app.tsx';
import { ConfigError, readConfig, type Config, type Limits } from '../config.ts';
import { Stats } from '../realtime/stats.ts';
import type { Platform } from './platform.ts';
import { openState } from './state.ts';
import { sendText } from './node-frames.ts';
import { nodeEventStream } from './node-event-stream.ts';

export const CLOSE_RESTARTING = 1012;
const SHUTDOWN_DEADLINE_MS = 4500;
const PUBLIC_DIR = fileURLToPath(new URL('../../public', import.meta.url));

export interface NodeServer {
  url: string;
  port: number;
  platform: Platform;
  /** Closes sockets with 1012, ends streams, waits for accepted work, closes storage. */
  shutdown(): Promise<void>;
}

/** Heartbeat (SPEC §6): a ping every interval; a socket with no pong for two intervals is ended. */
function keepAlive(wss: WebSocketServer, intervalMs: number): NodeJS.Timeout {
  const lastPong = new WeakMap<WebSocket, number>();
  wss.on('connection', (ws) => {
    lastPong.set(ws, Date.now());
    ws.on('pong', () => lastPong.set(ws, Date.now()));
  });
  const timer = setInterval(() => {
    const deadline = Date.now() - 2 * intervalMs;
    for (const ws of wss.clients) {
      if ((lastPong.get(ws) ?? 0) < deadline) ws.terminate();
      else ws.ping();
    }
  }, intervalMs);
  timer.unref();
  return timer;
}

function nodeTransport(ws: WSContext<WebSocket>) {
  const raw = ws.raw!;
  return {
    send: (data: Uint8Array) => sendText(raw, data),
    bufferedAmount: () => raw.bufferedAmount,
    close(code: number, reason: string) {
      raw.close(code, reason);
      // A client that stopped reading never answers the close frame: do not hold its buffer for it.
      setTimeout(() => raw.terminate(), 2000).unref();
    },
  };
}

export async function startNode(config: Config, options: { sessionSecretFile?: string } = {}): Promise<NodeServer> {
  const stats = new Stats();
  const { close: closeState, ...state } = await openState(config, stats, options.sessionSecretFile);
  const lifecycle = new AbortController();
  const platform: Platform = {
    config,
    ...state,
    stats,
    upgradeWebSocket,
    socketTransport: nodeTransport,
    streamEvents: nodeEventStream,
    serveStatic: serveStatic({ root: PUBLIC_DIR }),
    closing: lifecycle.signal,
  };
  const { app, drain } = createApp(platform);
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.limits.maxFrameBytes });
  const heartbeat = keepAlive(wss, config.heartbeatMs);

  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host, websocket: { server: wss } }, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;

  let stopping: Promise<void> | undefined;
  const shutdown = () =>
    (stopping ??= (async () => {
      clearInterval(heartbeat);
      lifecycle.abort();
      server.close();
      for (const ws of wss.clients) ws.close(CLOSE_RESTARTING, 'server restarting');
      await drain();
      await closeState();
      if ('closeAllConnections' in server) server.closeAllConnections();
      for (const ws of wss.clients) ws.terminate();
    })());

  return { url: `http://${shownHost}:${port}`, port, platform, shutdown };
}

async function main(): Promise<void> {
  let server: NodeServer;
  try {
    server = await startNode(readConfig(process.env));
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`switchboard: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  console.log(`Switchboard listening on ${server.url}`);
  const stop = (signal: string) => {
    console.log(`${signal}: closing sockets and storage`);
    setTimeout(() => {
      console.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    server.shutdown().then(
      () => process.exit(0),
      (error) => {
        console.error('shutdown failed:', error);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

export type { Limits };

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
