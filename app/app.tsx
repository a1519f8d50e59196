import { Hono } from 'hono';
import { csrf } from 'hono/csrf';
import { secureHeaders } from 'hono/secure-headers';
import { HTTPException } from 'hono/http-exception';
import type { Platform } from './platform/platform.ts';
import { identity, type IdentityEnv } from './identity.ts';
import { NotFoundPage } from '../components/Layout.tsx';
import { ChatRoom } from './realtime/chat-room.tsx';
import { LobbyRoom } from './realtime/lobby-room.tsx';
import { RoomRegistry } from './realtime/rooms.ts';
import { chatRoutes } from './routes/chat.tsx';
import { eventRoutes } from './routes/events.ts';
import { homeRoutes } from './routes/home.tsx';
import { lobbyRoutes } from './routes/lobby.tsx';
import { sessionRoutes } from './routes/session.tsx';

export interface App {
  app: Hono<IdentityEnv>;
  /** Resolves when every accepted message has been stored and broadcast. */
  drain(): Promise<void>;
}

export function createApp(platform: Platform): App {
  const app = new Hono<IdentityEnv>();
  const chatRooms: RoomRegistry<ChatRoom> = new RoomRegistry(
    (name) =>
      new ChatRoom(name, platform, {
        onMessage: () => {},
        onEmpty: () => void chatRooms.release(name),
      }),
  );
  const lobbies: RoomRegistry<LobbyRoom> = new RoomRegistry(
    (id) =>
      new LobbyRoom(id, platform, {
        // The home page's live list (`rooms` topic) is republished here once it exists.
        onPresenceChange: () => {},
        onEmpty: () => void lobbies.release(id),
      }),
  );

  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'", ...platform.config.allowedOrigins],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
      referrerPolicy: 'same-origin',
      xFrameOptions: 'DENY',
      xContentTypeOptions: 'nosniff',
    }),
  );
  app.get('/healthz', (c) => {
    const report = platform.health?.() ?? { status: 'ok' };
    return c.json(report, report.status === 'ok' ? 200 : 503);
  });
  for (const dir of ['/css/*', '/js/*', '/vendor/*']) app.use(dir, platform.serveStatic);

  app.use('*', identity(platform.sessionSecret, platform.store));
  app.use('*', csrf({ origin: (origin, c) => origin === new URL(c.req.url).origin || platform.config.allowedOrigins.includes(origin) }));

  app.route('/', homeRoutes(platform));
  app.route('/session', sessionRoutes(platform));
  app.route('/chat', chatRoutes(platform, chatRooms));
  app.route('/lobby', lobbyRoutes(platform, lobbies));
  app.route('/events', eventRoutes(platform));

  app.notFound((c) => c.html(<NotFoundPage viewer={c.get('viewer') ?? { userId: '', name: null }} message="There is nothing at this address." />, 404));
  app.onError((error, c) => {
    if (error instanceof HTTPException) {
      if (error.status === 403) return c.text('Forbidden: this form was submitted from another site.', 403);
      return error.getResponse();
    }
    console.error(`${c.req.method} ${c.req.path} failed:`, error);
    return c.text('Something went wrong on our side; please try again.', 500);
  });

  const drain = async () => {
    await Promise.all([chatRooms.drain(), lobbies.drain()]);
  };
  return { app, drain };
}
