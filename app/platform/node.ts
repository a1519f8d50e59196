import { serve, type ServerType } from '@hono/node-server';
import type { Server } from 'node:http';
import { serveStatic } from '@hono/node-server/serve-static';
import { getConnInfo } from '@hono/node-server/conninfo';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import type { WSContext } from 'hono/ws';
import type { Config, Limits } from '../config.ts';
import type { Rendition } from '../ports/fragment.ts';
import type { Platform } from '../ports/platform.ts';
import type { SocketTransport } from '../ports/transport.ts';
import { nodeEventStream } from './node-event-stream.ts';
import { sendText } from './node-frames.ts';
import { nodeUpgradeWebSocket, serveUpgrades } from './node-upgrade.ts';
import { ThreadedLibsqlStore } from '../store/libsql-thread.ts';
import { buildStandaloneApp, CLOSE_RESTARTING, honoEventStream, configOrNull, shownUrl, startOrExit, stopOnSignal } from './standalone.ts';

export { CLOSE_RESTARTING };
/** Set by scripts/build.mjs for dist/node.js; from source, public/ is two directories up. */
declare const __PUBLIC_DIR__: string | undefined;
const PUBLIC_DIR = fileURLToPath(new URL(typeof __PUBLIC_DIR__ === 'string' ? __PUBLIC_DIR__ : '../../public', import.meta.url));

export interface NodeServer {
  url: string;
  port: number;
  platform: Platform;
  /** The HTTP server (tests watch its upgrade requests). */
  httpServer: ServerType;
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

function nodeTransport(ws: WSContext<WebSocket>): SocketTransport {
  const raw = ws.raw!;
  return {
    // Frame once per htmx major, write many (node-frames.ts): every socket of a major gets the same prepared frame.
    send: (rendition: Rendition) => sendText(raw, rendition.bytes),
    bufferedAmount: () => raw.bufferedAmount,
    close(code: number, reason: string) {
      raw.close(code, reason);
      // A client that stopped reading never answers the close frame: do not hold its buffer for it.
      setTimeout(() => raw.terminate(), 2000).unref();
    },
    // The socket never hibernates: the Peer's own major and name are all there is to keep.
    majorRevealed: () => {},
    rename: () => {},
  };
}

export async function startNode(config: Config, options: { sessionSecretFile?: string } = {}): Promise<NodeServer> {
  const { app, platform, stop } = await buildStandaloneApp(config, {
    // Our own upgrade path (node-upgrade.ts): node-server's keeps each socket's request alive.
    upgradeWebSocket: nodeUpgradeWebSocket,
    socketTransport: nodeTransport,
    // Straight onto node's response; `app.request` in tests has none and gets Hono's stream.
    streamEvents: (c, headers, run) => nodeEventStream(c, headers, run) ?? honoEventStream(c, headers, run),
    peerAddress: (c) => getConnInfo(c).remote.address,
    serveStatic: serveStatic({ root: PUBLIC_DIR }),
    sessionSecretFile: options.sessionSecretFile,
    // libSQL's commits (and their fsyncs) on a storage thread, never on the event loop.
    openDatabase: (url) => ThreadedLibsqlStore.open(url),
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.limits.maxFrameBytes });
  const heartbeat = keepAlive(wss, config.heartbeatMs);

  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s));
    serveUpgrades(s as Server, wss, (request, env) => app.fetch(request, env));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;

  let stopping: Promise<void> | undefined;
  const shutdown = () =>
    (stopping ??= (async () => {
      clearInterval(heartbeat);
      server.close();
      wss.close();
      for (const ws of wss.clients) ws.close(CLOSE_RESTARTING, 'server restarting');
      await stop();
      if ('closeAllConnections' in server) server.closeAllConnections();
      for (const ws of wss.clients) ws.terminate();
    })());

  return { url: shownUrl(config.host, port), port, platform, httpServer: server, shutdown };
}

async function main(): Promise<void> {
  const config = configOrNull(process.env);
  if (!config) process.exit(1);
  const server = await startOrExit(() => startNode(config), (code) => process.exit(code));
  console.log(`Switchboard listening on ${server.url}`);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => stopOnSignal(signal, server.shutdown, (code) => process.exit(code)));
  }
}

export type { Limits };

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
