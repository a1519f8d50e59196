import { Hono } from 'hono';
import type { Platform } from '../ports/platform.ts';
import type { PresenceReads } from '../ports/presence.ts';
import type { IdentityEnv } from '../identity.ts';
import { HomePage } from '../../components/Home.tsx';
import { ID_PATTERN } from '../config.ts';
import { activeRooms, listedRooms } from '../realtime/room-list.tsx';

export { activeRooms };

export function homeRoutes(platform: Pick<Platform, 'config' | 'membership'> & { presence: PresenceReads }) {
  const app = new Hono<IdentityEnv>();

  app.get('/', async (c) => c.html(<HomePage viewer={c.get('viewer')} htmx={platform.config.htmxVersion} {...await listedRooms(platform)} />));

  app.get('/open', async (c) => {
    const name = (c.req.query('room') ?? '').trim().toLowerCase();
    const kind = c.req.query('kind') === 'lobby' ? 'lobby' : 'chat';
    if (!ID_PATTERN.test(name)) {
      const error = 'Room names are 1–64 letters, digits, - or _.';
      return c.html(<HomePage viewer={c.get('viewer')} htmx={platform.config.htmxVersion} {...await listedRooms(platform)} error={error} />, 400);
    }
    return c.redirect(`/${kind}/${name}`, 303);
  });

  return app;
}
