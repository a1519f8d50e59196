import type { Context, MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { Config } from '../config.ts';
import { publicOrigin } from '../forwarded.ts';
import type { Platform } from '../ports/platform.ts';
import type { IdentityEnv } from '../identity.ts';
import { isAllowedOrigin } from './origin.ts';
import { Peer } from './peer.ts';
import { SocketSession } from './socket-session.ts';
import type { SocketRoom } from './socket-room.ts';
import { tooManyConnections } from './connection-limits.ts';
import type { ConnectionSlot } from '../ports/limits.ts';
import { refusedRoom } from './refused-room.tsx';
import { majorOfSocketUrl } from '../htmx-major.ts';
import { CLOSE_POLICY } from './socket-session.ts';
import type { EndReason } from '../ports/access.ts';

export { CLOSE_POLICY, CLOSE_TOO_BIG, undeliveredText } from './socket-session.ts';

/** What a socket route uses: the runtime's upgrade and transport, limits, counters and the control plane's registry. */
export type SocketPlatform = Pick<Platform, 'config' | 'upgradeWebSocket' | 'connections' | 'connectionLimits' | 'stats' | 'rateLimits' | 'health'>;

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

/** Where a socket route finds its room: made on a successful upgrade, given back when the socket closes. */
export interface RoomSource {
  /** The room's name, read from the request before the upgrade (handlers keep no Context alive). */
  name(c: Context<IdentityEnv>): string;
  open(name: string): SocketRoom;
  /** Forgets the room if nothing holds it any more (no sockets, no queued work). */
  release(name: string): void;
}

/** How long a slot taken for an upgrade waits for the socket to open before it is given back. */
const UPGRADE_SLOT_MS = 10_000;

/** A request that asks to become a WebSocket (anything else never upgrades, so it takes nothing). */
const wantsUpgrade = (c: Context) => c.req.header('upgrade')?.toLowerCase() === 'websocket';

/**
 * MAX_CONNECTIONS_PER_USER (SPEC §6): takes one of the user's slots before anything upgrades or
 * streams; a user who holds them all gets 429 with a clear message. The slot is in `c.var.slot`.
 */
export function connectionGuard(platform: Pick<Platform, 'connectionLimits' | 'config'>, applies: (c: Context) => boolean = () => true): MiddlewareHandler {
  return createMiddleware(async (c, next) => {
    const limits = platform.connectionLimits;
    if (!applies(c)) return next();
    const viewer = (c as Context<IdentityEnv>).get('viewer');
    const slot = await limits.acquire(viewer.userId);
    if (!slot) {
      // Node's upgrade path sends no body with a refused upgrade, so the reason also rides in a header.
      const error = tooManyConnections(platform.config.maxConnectionsPerUser);
      return c.json({ error }, 429, { 'retry-after': '10', 'x-switchboard-error': error });
    }
    slots.set(c, slot);
    try {
      await next();
    } catch (error) {
      slot.release();
      throw error;
    }
  });
}

const slots = new WeakMap<Context, ConnectionSlot>();
/** The slot `connectionGuard` took for this request, if any. */
export const slotOf = (c: Context): ConnectionSlot | undefined => slots.get(c);

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

/**
 * The WebSocket route of a room: origin check, the per-user connection cap, then one
 * `SocketSession` per connection. The room is looked up only once the socket is open, so a GET
 * that never upgrades, or an upgrade that fails, leaves no room behind; a socket refused for
 * having no name never touches a room at all.
 */
export function socketEndpoint(
  platform: SocketPlatform,
  rooms: RoomSource,
  /** The chat room whose membership the socket depends on (removal ends it); null for lobbies. */
  privateScope: (c: Context<IdentityEnv>) => string | null = () => null,
): [MiddlewareHandler, MiddlewareHandler, MiddlewareHandler] {
  const upgrade = platform.upgradeWebSocket((c: Context<IdentityEnv>) => {
    const viewer = c.get('viewer');
    const slot = slotOf(c);
    const major = majorOfSocketUrl(c.req.url);
    const scope = privateScope(c);
    const roomName = rooms.name(c);
    let session: SocketSession | undefined;
    let room: SocketRoom | undefined;
    let unregister = () => {};
    // The runtime may never open the socket (an aborted handshake): the slot does not wait forever.
    const unopened = slot ? setTimeout(() => slot.release(), UPGRADE_SLOT_MS) : undefined;
    (unopened as { unref?: () => void } | undefined)?.unref?.();
    return {
      onOpen(transport) {
        if (unopened !== undefined) clearTimeout(unopened);
        const peer = new Peer(`c${++connectionCounter}`, { userId: viewer.userId, name: viewer.name ?? '' }, transport, major);
        const opened = (room = peer.name ? rooms.open(roomName) : refusedRoom);
        session = new SocketSession(platform, opened, peer);
        unregister = platform.connections.add(viewer.userId, { room: scope, end: (reason) => endSocket(opened, peer, reason) });
        session.open();
      },
      onMessage: (data) => session?.message(data),
      onClose: () => {
        if (unopened !== undefined) clearTimeout(unopened);
        unregister();
        slot?.release();
        session?.close();
        session = undefined;
        if (room && room !== refusedRoom) rooms.release(roomName);
      },
    };
  });
  return [originGuard(platform.config), connectionGuard(platform, wantsUpgrade), upgrade];
}
