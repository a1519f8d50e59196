import { Hono, type MiddlewareHandler } from 'hono';
import { csrf } from 'hono/csrf';
import { secureHeaders } from 'hono/secure-headers';
import { HTTPException } from 'hono/http-exception';
import type { Platform } from './ports/platform.ts';
import { identity, type IdentityEnv } from './identity.ts';
import { publicOrigin } from './forwarded.ts';
import { privatePages, sameOriginRedirects, strictTransportSecurity } from './http-policy.ts';
import { NotFoundPage } from '../components/Layout.tsx';
import { ChatRoom } from './realtime/chat-room.tsx';
import { LobbyRoom } from './realtime/lobby-room.tsx';
import { RoomRegistry } from './realtime/rooms.ts';
import { reportSizes } from './realtime/stats.ts';
import { ANY_TOPIC } from './ports/presence.ts';
import { MetricBoard, type Board } from './realtime/metric-board.tsx';
import { Notifier } from './realtime/notifier.tsx';
import { publishRoomList } from './realtime/room-list.tsx';
import { StorageUnavailableError } from './store/write-guard.ts';
import { apiRoutes, type RoomPoster } from './routes/api.ts';
import { chatRoutes } from './routes/chat.tsx';
import { dashboardRoutes } from './routes/dashboard.tsx';
import { eventRoutes } from './routes/events.ts';
import { homeRoutes } from './routes/home.tsx';
import { lobbyRoutes } from './routes/lobby.tsx';
import { notificationRoutes } from './routes/notifications.tsx';
import { prometheusRoutes } from './routes/prometheus.ts';
import { sessionRoutes } from './routes/session.tsx';
import { authRoutes } from './routes/auth.tsx';
import { requireHostSession } from './auth/require-session.tsx';
import { RoomGate } from './auth/room-gate.ts';
import { chatTopic } from './realtime/chat-room.tsx';
import { mountStaticFiles } from './static-files.ts';

export interface App {
  app: Hono<IdentityEnv>;
  /** Resolves when every accepted message has been stored and broadcast. */
  drain(): Promise<void>;
}

/** Parts a platform may supply instead of the in-process ones (on Workers each lives in its Durable Object). */
export interface AppParts {
  board: Board;
  postToRoom: RoomPoster;
  notifier: Notifier;
  /**
   * Runs first on every request. Workers build the app once per isolate and set each request's
   * own backend here (bindings, execution context), where the platform's members find it.
   */
  requestScope: MiddlewareHandler;
}

export function createApp(platform: Platform, parts: Partial<AppParts> = {}): App {
  const app = new Hono<IdentityEnv>();
  if (parts.requestScope) app.use(parts.requestScope);
  const board = parts.board ?? new MetricBoard(platform);
  const notifier = parts.notifier ?? new Notifier(platform);
  const { names } = platform;
  const gate = new RoomGate(platform.config.auth.privateRooms, platform.membership);
  // Mentions inside a private room reach its members (and whoever is in it) only.
  const reachable = (room: string) => (userIds: string[]) =>
    gate.reachable(room, userIds, async () => (await platform.presence.list(chatTopic(room))).map((entry) => entry.userId));
  const chatRooms: RoomRegistry<ChatRoom> = new RoomRegistry(
    (name) =>
      new ChatRoom(name, platform, {
        onMessage: (message) => {
          board.touch();
          notifier.mentions(message, reachable(message.room), () => gate.isPrivate(message.room)).catch((error) => console.error('mention notifications failed', error));
        },
        onPresenceChange: () => void publishRoomList(platform).catch((error) => console.error('room list update failed', error)),
        onEmpty: () => void chatRooms.release(name),
      }),
  );
  // Cluster mode: when an instance dies, the one that clears its users republishes the room list.
  platform.presence.watch(ANY_TOPIC, () => void publishRoomList(platform).catch((error) => console.error('room list update failed', error)));
  const lobbies: RoomRegistry<LobbyRoom> = new RoomRegistry(
    (id) =>
      new LobbyRoom(id, platform, {
        onPresenceChange: () => void publishRoomList(platform).catch((error) => console.error('room list update failed', error)),
        onEmpty: () => void lobbies.release(id),
      }),
  );

  reportSizes(platform.stats, () => ({ chatRooms: chatRooms.size, lobbies: lobbies.size, connectedUsers: platform.connectionLimits.users }));

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
      // Sent below, on https requests only (SPEC §6).
      strictTransportSecurity: false,
    }),
  );
  app.use(strictTransportSecurity(platform.config));
  app.get('/healthz', (c) => {
    const report = platform.health();
    return c.json(report, report.status === 'ok' ? 200 : 503);
  });
  mountStaticFiles(app, platform.serveStatic, ['/css/*', '/js/*', '/vendor/*']);
  // Machine-to-machine JSON with bearer auth: mounted before the cookie identity and form CSRF check.
  const postToRoom: RoomPoster =
    parts.postToRoom ??
    (async (room, userId, name, text) => {
      const message = await chatRooms.get(room).post(userId, name, text);
      void chatRooms.release(room);
      return message;
    });
  app.route('/api', apiRoutes(platform, { board, notifier, postToRoom }));
  app.route('/metrics', prometheusRoutes(platform));

  // Host sign-in sits before the cookie identity: a refused token leaves the cookie untouched.
  app.route('/auth', authRoutes(platform));
  app.use('*', identity(platform, platform.identityLimiter, { anonymous: !platform.config.auth.required, names }));
  if (platform.config.auth.required) app.use('*', requireHostSession(platform.config.auth.loginUrl));
  app.use('*', csrf({ origin: (origin, c) => origin === publicOrigin(c, platform.config) || platform.config.allowedOrigins.includes(origin) }));
  app.use('*', privatePages());
  app.use('*', sameOriginRedirects(platform.config));

  app.route('/', homeRoutes(platform));
  app.route('/session', sessionRoutes(platform, names));
  app.route('/chat', chatRoutes(platform, chatRooms));
  app.route('/lobby', lobbyRoutes(platform, lobbies));
  app.route('/events', eventRoutes(platform, board, notifier));
  app.route('/dashboard', dashboardRoutes(board, platform.config.htmxVersion));
  app.route('/notifications', notificationRoutes(platform, notifier));

  app.notFound((c) => c.html(<NotFoundPage viewer={c.get('viewer') ?? { userId: '', name: null }} message="There is nothing at this address." htmx={platform.config.htmxVersion} />, 404));
  app.onError((error, c) => {
    if (error instanceof HTTPException) {
      if (error.status === 403) return c.text('Forbidden: this form was submitted from another site.', 403);
      return error.getResponse();
    }
    if (error instanceof StorageUnavailableError) return c.text(`The server cannot save anything right now: ${error.message}.`, 503);
    console.error(`${c.req.method} ${c.req.path} failed:`, error);
    if (platform.health().status === 'degraded') return c.text('The server lost contact with its storage; please try again in a moment.', 503);
    return c.text('Something went wrong on our side; please try again.', 500);
  });

  const drain = async () => {
    await Promise.all([chatRooms.drain(), lobbies.drain()]);
    // Mentions and dashboard refreshes started by the last messages finish before storage closes.
    await Promise.all([notifier.drain(), board.drain()]);
  };
  return { app, drain };
}
