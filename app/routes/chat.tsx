import { Hono } from 'hono';
import type { Platform } from '../ports/platform.ts';
import type { IdentityEnv } from '../identity.ts';
import { roomName } from '../names.ts';
import { ChatPage, MessageList } from '../../components/Chat.tsx';
import { NotFoundPage } from '../../components/Layout.tsx';
import { ChatRoom } from '../realtime/chat-room.tsx';
import { RoomRegistry } from '../realtime/rooms.ts';
import { socketEndpoint, type SocketPlatform } from '../realtime/socket-endpoint.ts';
import { RoomGate } from '../auth/room-gate.ts';
import { PrivateRoomPage } from '../../components/Access.tsx';
import { render } from '../../components/render.ts';
import { PageShells } from './page-shell.ts';

export function chatRoutes(platform: Pick<Platform, 'store' | 'history' | 'membership'> & SocketPlatform, rooms: RoomRegistry<ChatRoom>) {
  const app = new Hono<IdentityEnv>();
  const { store, config } = platform;
  const gate = new RoomGate(config.auth.privateRooms, platform.membership);
  // A room's page is rendered once per shape (room, named viewer or not), the viewer and history spliced in.
  const shells = new PageShells({ userId: 'text', name: 'text', list: 'markup' }, { userId: 'probe-"user"', name: `Probe <&"'> Name`, list: '<div class="probe">history &amp; more</div>' });

  app.use('/:room/*', async (c, next) => {
    const name = roomName(c.req.param('room'));
    if (!name) {
      return c.html(<NotFoundPage viewer={c.get('viewer')} message="Room names are 1–64 letters, digits, - or _." htmx={config.htmxVersion} />, 404);
    }
    await next();
  });

  app.get('/:room', async (c) => {
    const raw = c.req.param('room');
    const name = roomName(raw);
    if (!name) {
      return c.html(<NotFoundPage viewer={c.get('viewer')} message="Room names are 1–64 letters, digits, - or _." htmx={config.htmxVersion} />, 404);
    }
    if (name !== raw) return c.redirect(`/chat/${name}`, 308);
    if (!(await gate.mayEnter(name, c.get('session')))) return c.html(<PrivateRoomPage viewer={c.get('viewer')} room={name} htmx={config.htmxVersion} />, 403);
    // From memory where the mode keeps the room's history (kept current by the room's own line), else read.
    const { listHtml } = await platform.history.get(name);
    const viewer = c.get('viewer');
    const named = Boolean(viewer.name);
    const page = shells.page(
      `${config.htmxVersion}:${named ? 'named' : 'unnamed'}:${name}`,
      (parts) => render(<ChatPage viewer={{ userId: parts.userId, name: named ? parts.name : null }} htmx={config.htmxVersion} room={name} listHtml={parts.list} />),
      { userId: viewer.userId, name: viewer.name ?? '', list: listHtml },
    );
    return c.html(page);
  });

  app.get('/:room/history', async (c) => {
    const name = roomName(c.req.param('room'))!;
    if (!(await gate.mayEnter(name, c.get('session')))) return c.html('<p id="load-older" class="error">This room is private.</p>', 403);
    const before = Number(c.req.query('before'));
    if (!Number.isSafeInteger(before) || before < 1) {
      return c.html('<p id="load-older" class="error">The "before" parameter must be a message id.</p>', 400);
    }
    const page = await store.messagesBefore(name, before, config.historyLimit + 1);
    const more = page.length > config.historyLimit;
    return c.html(<MessageList room={name} messages={more ? page.slice(1) : page} more={more} />);
  });

  const nameOf = (c: { req: { param(key: string): string | undefined } }) => roomName(c.req.param('room') ?? '')!;
  const [guard, limit, upgrade] = socketEndpoint(
    platform,
    { name: nameOf, open: (name) => rooms.get(name), release: (name) => void rooms.release(name) },
    (c) => roomName(c.req.param('room') ?? ''),
  );
  app.get('/:room/ws', guard, async (c, next) => {
    if (!(await gate.mayEnter(roomName(c.req.param('room'))!, c.get('session')))) return c.json({ error: 'this room is private and you are not a member' }, 403);
    await next();
  }, limit, upgrade);

  return app;
}
