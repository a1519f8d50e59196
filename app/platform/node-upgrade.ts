import type { IncomingMessage, Server } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { MiddlewareHandler } from 'hono';
import { WSContext, type WSEvents } from 'hono/ws';
import type { WebSocket, WebSocketServer } from 'ws';
import type { RuntimeUpgrade } from './standalone.ts';

/**
 * WebSocket upgrades on Node without `@hono/node-server`'s `upgradeWebSocket`: its per-socket event
 * handlers close over the upgrade's Hono `Context` (and with it the `Request`, `Headers`, `URL`s and
 * the `IncomingMessage`), so every open socket kept them alive (BENCHMARKS.md, memory per socket).
 * Here the app's middleware runs as usual (identity, origin, room name) and only hands back the
 * socket's event handlers; the server's own `upgrade` listener completes the handshake with `ws` and
 * wires the handlers to the socket, and nothing of the request outlives the handshake.
 */

const EVENTS = Symbol('switchboard.websocket-events');

/** What the upgrade listener passes the app as its env; the middleware leaves the events in it. */
interface UpgradeEnv {
  incoming: IncomingMessage;
  outgoing: undefined;
  [EVENTS]?: WSEvents<WebSocket>;
}

/** The route middleware: a WebSocket request gets its events stored for the upgrade listener. */
export const nodeUpgradeWebSocket: RuntimeUpgrade = (createEvents) => {
  const middleware: MiddlewareHandler = async (c, next) => {
    if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') return next();
    const env = c.env as Partial<UpgradeEnv> | undefined;
    // Only the upgrade listener below can finish a handshake; a plain request asking for one cannot.
    if (!env || !env.incoming || !(EVENTS in env)) return c.text('WebSocket upgrades go through the server upgrade handler', 426);
    env[EVENTS] = (await createEvents(c)) as WSEvents<WebSocket>;
    return c.body(null, 200);
  };
  return middleware;
};

/** Hop-by-hop and handshake headers `ws` writes itself: never copied from the app's response. */
const SKIPPED = new Set(['connection', 'content-length', 'keep-alive', 'transfer-encoding', 'upgrade', 'sec-websocket-accept', 'sec-websocket-extensions', 'sec-websocket-protocol']);

function headerLines(headers: Headers): string[] {
  const lines: string[] = [];
  headers.forEach((value, name) => {
    if (!SKIPPED.has(name) && name !== 'set-cookie') lines.push(`${name}: ${value}`);
  });
  for (const cookie of headers.getSetCookie()) lines.push(`set-cookie: ${cookie}`);
  return lines;
}

function refuse(socket: Duplex, status: number, headers?: Headers): void {
  if (socket.destroyed) return;
  const lines = ['Connection: close', 'Content-Length: 0', ...(headers ? headerLines(headers) : [])];
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n${lines.join('\r\n')}\r\n\r\n`);
}

function toRequest(incoming: IncomingMessage): Request {
  const scheme = (incoming.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (value !== undefined) headers.append(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return new Request(new URL(incoming.url ?? '/', `${scheme}://${incoming.headers.host ?? 'localhost'}`), { headers });
}

/** `CloseEvent` and `ErrorEvent` are globals only from Node 23 and 22; a plain `Event` with their fields before. */
class SocketCloseEvent extends Event {
  readonly wasClean: boolean;
  constructor(
    readonly code: number,
    readonly reason: string,
  ) {
    super('close');
    this.wasClean = code === 1000;
  }
}
class SocketErrorEvent extends Event {
  readonly message: string;
  constructor(readonly error: Error) {
    super('error');
    this.message = error.message;
  }
}

/** Hands the socket to the app's handlers; the context holds the socket and nothing of the request. */
function attach(ws: WebSocket, events: WSEvents<WebSocket>): void {
  const context = new WSContext<WebSocket>({
    raw: ws,
    send: (data) => ws.send(data as string | Uint8Array),
    close: (code, reason) => ws.close(code, reason),
    get readyState() {
      return ws.readyState as 0 | 1 | 2 | 3;
    },
  });
  const report = (error: unknown) => console.error('websocket handler failed', error);
  try {
    events.onOpen?.(new Event('open'), context);
  } catch (error) {
    report(error);
  }
  ws.on('message', (data, isBinary) => {
    // `ws`'s default binaryType: one Buffer per message.
    const buffer = data as Buffer;
    const payload = isBinary ? (buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer) : buffer.toString('utf8');
    try {
      events.onMessage?.(new MessageEvent('message', { data: payload }), context);
    } catch (error) {
      report(error);
    }
  });
  ws.on('close', (code, reason) => {
    try {
      events.onClose?.(new SocketCloseEvent(code, reason.toString()) as CloseEvent, context);
    } catch (error) {
      report(error);
    }
  });
  ws.on('error', (error) => {
    try {
      events.onError?.(new SocketErrorEvent(error) as unknown as ErrorEvent, context);
    } catch (handlerError) {
      report(handlerError);
    }
  });
}

type Fetch = (request: Request, env: UpgradeEnv) => Response | Promise<Response>;

/** Serves WebSocket upgrades on `server` through the app's routes, finishing the handshake with `wss`. */
export function serveUpgrades(server: Server, wss: WebSocketServer, fetch: Fetch): void {
  server.on('upgrade', (incoming: IncomingMessage, socket: Duplex, head: Buffer) => {
    void upgrade(incoming, socket, head);
  });

  async function upgrade(incoming: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const ignore = () => {};
    socket.on('error', ignore);
    if (incoming.headers.upgrade?.toLowerCase() !== 'websocket') return refuse(socket, 400);
    const env: UpgradeEnv = { incoming, outgoing: undefined, [EVENTS]: undefined };
    let response: Response;
    try {
      response = await fetch(toRequest(incoming), env);
    } catch (error) {
      console.error('websocket upgrade failed', error);
      return refuse(socket, 500);
    }
    const events = env[EVENTS];
    delete env[EVENTS];
    if (socket.destroyed) return;
    if (!events || response.status !== 200) return refuse(socket, events ? response.status : response.status === 200 ? 400 : response.status, response.headers);
    // Headers the app set on the way (a new user's `sid` cookie) go out with the 101.
    const extra = headerLines(response.headers);
    const addHeaders = (lines: string[]) => lines.push(...extra);
    wss.on('headers', addHeaders);
    try {
      wss.handleUpgrade(incoming, socket, head, (ws) => {
        socket.off('error', ignore);
        attach(ws, events);
        wss.emit('connection', ws);
      });
    } finally {
      wss.off('headers', addHeaders);
    }
  }
}
