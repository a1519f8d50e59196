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
import { CLOSE_POLICY } from './socket-session.ts';
import type { EndReason } from '../auth/connections.ts';

export { CLOSE_POLICY, CLOSE_TOO_BIG, undeliveredText } from './socket-session.ts';

/** A room or lobby as the socket layer sees it (the partyserver shape). */
export interface SocketRoom {
  /** Fields a client may send besides HEADERS. */
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

/** What an ended socket is told before it closes with 1008 (htmx does not reconnect after it). */
export const END_TEXT: Record<Exclude<EndReason, 'recheck'>, string> = {
  removed: 'You are no longer a member of this room.',
  disconnected: 'You have been disconnected by the application.',
};

/** A room that became private: 1012, which htmx reconnects after, so each socket passes the gate again. */
const CLOSE_RECHECK = 1012;

/** Ends one socket from outside (member removal, user disconnect): a fragment saying why, then 1008. */
export function endSocket(room: SocketRoom, peer: Peer, reason: EndReason): void {
  if (peer.dropped) return;
  if (reason === 'recheck') return peer.close(CLOSE_RECHECK, 'room access changed, reconnect');
  try {
    peer.send(room.errorFragment(END_TEXT[reason]));
  } catch {
    // The close below still ends it.
  }
  peer.close(CLOSE_POLICY, reason === 'removed' ? 'removed from the room' : 'disconnected');
}

/** The WebSocket route of a room: origin check, then one `SocketSession` per connection. */
export function socketEndpoint(
  platform: Platform,
  roomFor: (c: Context<IdentityEnv>) => SocketRoom,
  /** The chat room whose membership the socket depends on (removal ends it); null for lobbies. */
  privateScope: (c: Context<IdentityEnv>) => string | null = () => null,
): [MiddlewareHandler, MiddlewareHandler] {
  const upgrade = platform.upgradeWebSocket((c: Context<IdentityEnv>) => {
    const viewer = c.get('viewer');
    const room = roomFor(c);
    const scope = privateScope(c);
    let session: SocketSession | undefined;
    let unregister = () => {};
    return {
      onOpen(_event, ws) {
        const peer = new Peer(`c${++connectionCounter}`, { userId: viewer.userId, name: viewer.name ?? '' }, platform.socketTransport(ws));
        session = new SocketSession(platform, room, peer);
        unregister = platform.connections?.add(viewer.userId, { room: scope, end: (reason) => endSocket(room, peer, reason) }) ?? unregister;
        session.open();
      },
      onMessage: (event) => session?.message(event.data),
      onClose: () => {
        unregister();
        session?.close();
      },
    };
  });
  return [originGuard(platform.config), upgrade];
}
