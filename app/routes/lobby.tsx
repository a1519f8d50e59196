import { Hono } from 'hono';
import type { Platform } from '../ports/platform.ts';
import type { IdentityEnv } from '../identity.ts';
import { LobbyPage } from '../../components/Lobby.tsx';
import { NotFoundPage } from '../../components/Layout.tsx';
import type { LobbyRoom } from '../realtime/lobby-room.tsx';
import type { RoomRegistry } from '../realtime/rooms.ts';
import { socketEndpoint, type SocketPlatform } from '../realtime/socket-endpoint.ts';
import { roomName } from '../names.ts';

const BAD_ID = 'Lobby names are 1–64 letters, digits, - or _.';

/** SPEC §4.3: lobby ids follow the room rule (upper case folded, else a 404 page). */
export function lobbyRoutes(platform: Pick<Platform, 'lobbies'> & SocketPlatform, lobbies: RoomRegistry<LobbyRoom>) {
  const app = new Hono<IdentityEnv>();

  app.use('/:id/*', async (c, next) => {
    if (!roomName(c.req.param('id'))) return c.html(<NotFoundPage viewer={c.get('viewer')} message={BAD_ID} htmx={platform.config.htmxVersion} />, 404);
    await next();
  });

  app.get('/:id', async (c) => {
    const raw = c.req.param('id');
    const id = roomName(raw);
    if (!id) return c.html(<NotFoundPage viewer={c.get('viewer')} message={BAD_ID} htmx={platform.config.htmxVersion} />, 404);
    if (id !== raw) return c.redirect(`/lobby/${id}`, 308);
    const [players, log] = await Promise.all([platform.lobbies.players(id), platform.lobbies.recentLog(id)]);
    return c.html(<LobbyPage viewer={c.get('viewer')} htmx={platform.config.htmxVersion} lobby={id} players={players} log={log} />);
  });

  const idOf = (c: { req: { param(key: string): string | undefined } }) => roomName(c.req.param('id') ?? '')!;
  app.get('/:id/ws', ...socketEndpoint(platform, { name: idOf, open: (id) => lobbies.get(id), release: (id) => void lobbies.release(id) }));

  return app;
}
