import type { Context, MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { Platform } from '../platform/platform.ts';
import type { IdentityEnv } from '../identity.ts';
import { Fragment } from './fragment.ts';
import { isAllowedOrigin } from './origin.ts';
import { Peer } from './peer.ts';
import { perConnectionLimits } from './rate-limit.ts';
import { parseSocketInput, type SocketInput } from './socket-input.ts';

export const CLOSE_POLICY = 1008;

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

/** Refuses a foreign Origin before anything upgrades (SPEC §6). */
export function originGuard(allowed: readonly string[]): MiddlewareHandler {
  return createMiddleware(async (c, next) => {
    if (!isAllowedOrigin(c.req.header('origin'), c.req.url, allowed)) {
      return c.json({ error: `origin ${c.req.header('origin')} is not allowed` }, 403);
    }
    await next();
  });
}

let connectionCounter = 0;

/** What a client sees when its message was not stored: in cluster mode, usually Redis being away. */
export function undeliveredText(platform: Platform): string {
  return platform.health?.().status === 'degraded'
    ? 'The server lost contact with its message store, so your message was not sent. Try again in a moment.'
    : 'That message could not be delivered; try again.';
}

/**
 * The WebSocket route of a room: identity, rate limit and input parsing at the edge, then the
 * room's own `join`/`receive`/`leave`. Nothing a client sends can throw past this point.
 */
export function socketEndpoint(platform: Platform, roomFor: (c: Context<IdentityEnv>) => SocketRoom): [MiddlewareHandler, MiddlewareHandler] {
  const { limits } = platform.config;
  const rateLimits = platform.rateLimits ?? perConnectionLimits(limits.rateBurst, limits.ratePerSecond);
  const upgrade = platform.upgradeWebSocket((c: Context<IdentityEnv>) => {
    const viewer = c.get('viewer');
    const room = roomFor(c);
    const limiter = rateLimits.forConnection(viewer.userId);
    let peer: Peer | undefined;
    // A cluster's limiter answers asynchronously; chaining its answers keeps one socket's messages in order.
    let inbox: Promise<unknown> = Promise.resolve();
    const fail = (text: string) => {
      if (peer && !peer.dropped) peer.send(room.errorFragment(text));
    };
    return {
      onOpen(_event, ws) {
        peer = new Peer(`c${++connectionCounter}`, { userId: viewer.userId, name: viewer.name ?? '' }, platform.socketTransport(ws));
        platform.stats.openSockets++;
        if (!viewer.name) {
          fail('Choose a name before joining.');
          peer.close(CLOSE_POLICY, 'choose a name first');
          return;
        }
        room.join(peer).catch((error) => {
          console.error('join failed', error);
          peer?.close(1011, 'could not join');
        });
      },
      onMessage(event) {
        if (!peer || peer.dropped) return;
        const current = peer;
        inbox = inbox.then(async () => {
          if (!(await limiter.take())) return fail('You are sending too fast; wait a moment and try again.');
          const parsed = parseSocketInput(event.data, room.fields);
          if (!parsed.ok) return fail(parsed.error);
          room.receive(current, parsed.value).catch((error) => {
            console.error('message failed:', error instanceof Error ? error.message : error);
            fail(undeliveredText(platform));
          });
        }).catch((error) => console.error('message handling failed:', error));
      },
      onClose() {
        platform.stats.openSockets--;
        if (!peer) return;
        peer.dropped = true;
        if (viewer.name) room.leave(peer).catch((error) => console.error('leave failed', error));
      },
    };
  });
  return [originGuard(platform.config.allowedOrigins), upgrade];
}
