import { getConnInfo, serveStatic, upgradeWebSocket } from 'hono/deno';
import type { WSContext } from 'hono/ws';
import type { SocketTransport } from '../ports/transport.ts';
import { fileURLToPath } from 'node:url';
import type { Rendition } from '../ports/fragment.ts';
import { LibsqlStore } from '../store/libsql.ts';
import { buildStandaloneApp, CLOSE_RESTARTING, honoEventStream, type RuntimeUpgrade, configOrNull, shownUrl, startOrExit, stopOnSignal } from './standalone.ts';

const config = configOrNull(Deno.env.toObject());
if (!config) Deno.exit(1);

/** Open sockets, so shutdown can close each with 1012. */
const sockets = new Set<WebSocket>();

function denoTransport(ws: WSContext<WebSocket>): SocketTransport {
  const raw = ws.raw!;
  sockets.add(raw);
  raw.addEventListener('close', () => sockets.delete(raw));
  return {
    send: (rendition: Rendition) => raw.send(rendition.html),
    bufferedAmount: () => raw.bufferedAmount,
    close: (code: number, reason: string) => raw.close(code, reason),
    // The socket never hibernates: the Peer's own major and name are all there is to keep.
    majorRevealed: () => {},
    rename: () => {},
  };
}

// Deno pings after `idleTimeout` seconds of silence and closes when no pong comes within as long again.
const withHeartbeat: RuntimeUpgrade = (createEvents) =>
  upgradeWebSocket(createEvents, { idleTimeout: config.heartbeatMs / 1000 });

const { app, stop } = await startOrExit(
  () =>
    buildStandaloneApp(config, {
      upgradeWebSocket: withHeartbeat,
      socketTransport: denoTransport,
      peerAddress: (c) => getConnInfo(c).remote.address,
      streamEvents: honoEventStream,
      serveStatic: serveStatic({ root: fileURLToPath(new URL('../../public', import.meta.url)) }),
      openDatabase: (url) => LibsqlStore.open(url),
    }),
  (code) => Deno.exit(code),
);

const server = Deno.serve({ port: config.port, hostname: config.host, onListen: () => {} }, app.fetch);
console.log(`Switchboard listening on ${shownUrl(config.host, server.addr.port)}`);

/** Resolves once every socket has finished its closing handshake, or after `ms`. */
function socketsClosed(ms: number): Promise<void> {
  const closing = [...sockets].map((ws) => new Promise((resolve) => ws.addEventListener('close', resolve)));
  return Promise.race([Promise.all(closing).then(() => {}), new Promise<void>((resolve) => setTimeout(resolve, ms))]);
}

async function shutdown(): Promise<void> {
  for (const ws of sockets) ws.close(CLOSE_RESTARTING, 'server restarting');
  await stop();
  // Deno.serve's shutdown ends upgraded sockets with 1001: let the 1012 handshakes finish first.
  await socketsClosed(1000);
  await server.shutdown();
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  Deno.addSignalListener(signal, () => stopOnSignal(signal, shutdown, (code) => Deno.exit(code)));
}
