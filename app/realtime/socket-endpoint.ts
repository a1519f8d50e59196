import type { Context, MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { Config } from '../config.ts';
import { publicOrigin } from '../forwarded.ts';
import type { Platform } from '../platform/platform.ts';
import type { IdentityEnv } from '../identity.ts';
import type { Fragment } from './fragment.ts';
import { isAllowedOrigin } from './origin.ts';
import { Peer } from './peer.ts';
import { SocketSession } from './socket-session.ts';
import type { SocketInput } from './socket-input.ts';
import { majorOfSocketUrl } from './htmx-major.ts';

export { CLOSE_POLICY, CLOSE_TOO_BIG, undeliveredText } from './socket-session.ts';

/** A room or lobby as the socket layer sees it (the partyserver shape). */
export interface SocketRoom {
  /** Fields a client may send besides htmx's headers (`HEADERS` / `headers`). */
  readonly fields: readonly string[];
  join(peer: Peer): Promise<void>;
  receive(peer: Peer, input: SocketInput): Promise<void>;
  leave(peer: Peer): Promise<void>;
  /** The fragment that shows `text` to one client only. */
  errorFragment(text: string): Fragment;
}

/** A room whose sockets can outlive its in-memory state (a Durable Object that hibernated). */
export interface RestorableRoom extends SocketRoom {
  /** Takes back a socket that was joined before: no snapshot, no announcement. */
  restore(peer: Peer): Promise<void>;
}

/** Refuses a foreign Origin before anything upgrades (SPEC §6). */
export function originGuard(config: Pick<Config, 'allowedOrigins' | 'trustProxy'>): MiddlewareHandler {
  return createMiddleware(async (c, next) => {
    if (!isAllowedOrigin(c.req.header('origin'), publicOrigin(c, config), config.allowedOrigins)) {
      return c.json({ error: `origin ${c.req.header('origin')} is not allowed` }, 403);
    }
    await next();
  });
}

let connectionCounter = 0;

/** The WebSocket route of a room: origin check, then one `SocketSession` per connection. */
export function socketEndpoint(platform: Platform, roomFor: (c: Context<IdentityEnv>) => SocketRoom): [MiddlewareHandler, MiddlewareHandler] {
  const upgrade = platform.upgradeWebSocket((c: Context<IdentityEnv>) => {
    const viewer = c.get('viewer');
    const room = roomFor(c);
    const major = majorOfSocketUrl(c.req.url);
    let session: SocketSession | undefined;
    return {
      onOpen(_event, ws) {
        const peer = new Peer(`c${++connectionCounter}`, { userId: viewer.userId, name: viewer.name ?? '' }, platform.socketTransport(ws), major);
        session = new SocketSession(platform, room, peer);
        session.open();
      },
      onMessage: (event) => session?.message(event.data),
      onClose: () => session?.close(),
    };
  });
  return [originGuard(platform.config), upgrade];
}
